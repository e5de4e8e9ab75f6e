import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { handleApprovalDecision } from '../../shared/ingress/approvals'
import { TOPICS } from '../../shared/pipeline/events'
import { publish } from '../../shared/pipeline/publish'
import { approvalStore, serverSettings } from '../../shared/server/services'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'DecideApproval',
  description: 'POST {approve, by, comment} with the bearer token: releases or rejects a waiting deploy',
  path: '/api/cicd/approvals/:runId',
  method: 'POST',
  emits: [TOPICS.deployRequested],
  flows: ['cicd-ops'],
}

type Emit = { topic: string; data: unknown }

export const handler = async (req: ApiRequest, ctx: FlowContext<Emit>) => {
  const answer = await handleApprovalDecision(
    { headers: req.headers, rawBody: '', body: req.body },
    req.pathParams.runId ?? '',
    { token: serverSettings.apiToken(), approvals: approvalStore(), emit: (topic, data) => publish(ctx.emit, ctx.state, topic, data) },
  )
  ctx.logger.info('approval', { runId: req.pathParams.runId, status: answer.status })
  return answer
}
