import type { EventConfig, FlowContext } from 'motia'
import { stageFailedEvent } from '../../shared/coordination/pipeline-events'
import { publisherFromEnv } from '../../shared/coordination/wiring'
import { failureDetectedSchema, TOPICS } from '../../shared/pipeline/events'
import { currentConfig } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'PipelineFailureToCiEvents',
  description: "Our pipeline's failures as stage_failed on ci:events (seed 000), once per run and stage",
  subscribes: [TOPICS.failureDetected],
  emits: [],
  flows: ['cicd-coordination'],
  infrastructure: { queue: { type: 'standard', maxRetries: 2, visibilityTimeout: 30 } },
}

export const handler = async (input: unknown, ctx: FlowContext) => {
  const parsed = failureDetectedSchema.safeParse(input)
  if (!parsed.success) return ctx.logger.error('invalid ci.failure.detected payload', { issues: parsed.error.issues })
  const { event, once } = stageFailedEvent(parsed.data, currentConfig())
  const sent = await publisherFromEnv('cicd_pipeline').publishEvent(event, once)
  if (!sent.ok) ctx.logger.warn('stage_failed not published', { reason: sent.reason })
}
