import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { handleListCommands } from '../../shared/coordination/http-api'
import { sharedPublisher } from '../../shared/coordination/wiring'
import { serverSettings } from '../../shared/server/services'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'ListCoordinationCommands',
  description: 'The audit log of ci:commands (what, for whom, when, result), queue depths and agent heartbeats; API token',
  path: '/api/cicd/commands',
  method: 'GET',
  emits: [],
  flows: ['cicd-coordination'],
  queryParams: [
    { name: 'repo', description: 'owner/name' },
    { name: 'result', description: 'queued | executed | refused | rejected | failed | duplicate | retrying' },
    { name: 'type', description: 'rerun | label | merge | notify' },
    { name: 'limit', description: '1..200, default 50' },
    { name: 'before', description: 'the `next` of the previous page' },
  ],
}

export const handler = async (req: ApiRequest, _ctx: FlowContext) =>
  handleListCommands({ headers: req.headers, rawBody: '', body: null, query: req.queryParams }, { token: serverSettings.apiToken(), publisher: sharedPublisher('api') })
