import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { handlePublish } from '../../shared/coordination/http-api'
import { sharedPublisher } from '../../shared/coordination/wiring'
import { serverSettings } from '../../shared/server/services'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'CoordinationPublish',
  description: 'Seed 000: publish {channel, message} on ci:events, ci:commands (queued durably) or ci:status, with the API token',
  path: '/api/cicd/publish',
  method: 'POST',
  emits: ['ci.command.queued'],
  flows: ['cicd-coordination'],
}

type Emit = { topic: string; data: unknown }

export const handler = async (req: ApiRequest, ctx: FlowContext<Emit>) => {
  const answer = await handlePublish({ headers: req.headers, rawBody: '', body: req.body }, { token: serverSettings.apiToken(), publisher: sharedPublisher('api') })
  if (answer.status === 202 && answer.body.queued === true) await ctx.emit({ topic: 'ci.command.queued', data: { queue: answer.body.queue } })
  ctx.logger.info('coordination publish', { status: answer.status, queue: answer.body.queue, field: answer.body.field })
  return answer
}
