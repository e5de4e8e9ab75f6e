import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { handleCiFailure } from '../../shared/healer/intake'
import { healerDeps, serverSettings } from '../../shared/server/services'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'RemediateCiFailure',
  description: "Seed 001: a failed workflow run → its log → root cause → specialist, de-duplicated",
  path: '/api/remediate/ci-failure',
  method: 'POST',
  emits: ['ci.remediation.dispatched'],
  flows: ['cicd-healer'],
}

type Emit = { topic: string; data: unknown }

export const handler = async (req: ApiRequest, ctx: FlowContext<Emit>) => {
  const answer = await handleCiFailure(req, { token: serverSettings.apiToken(), ...(await healerDeps(ctx.state, ctx.emit)) })
  ctx.logger.info('ci failure', { status: answer.status, dedup: answer.body.dedup_status, coderun: answer.body.coderun_name })
  return answer
}
