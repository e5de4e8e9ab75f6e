import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { handleListApprovals } from '../../shared/ingress/approvals'
import { approvalStore, serverSettings } from '../../shared/server/services'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'ListApprovals',
  description: 'Deploys waiting for approval (production by default), and decided ones',
  path: '/api/cicd/approvals',
  method: 'GET',
  emits: [],
  flows: ['cicd-ops'],
}

export const handler = async (req: ApiRequest, _ctx: FlowContext) =>
  handleListApprovals({ headers: req.headers, rawBody: '', body: null, query: req.queryParams }, { token: serverSettings.apiToken(), approvals: approvalStore() })
