import type { EventConfig, FlowContext } from 'motia'
import { triagePipelineFailure } from '../../shared/healer/intake'
import { failureDetectedSchema, TOPICS } from '../../shared/pipeline/events'
import { RunStore } from '../../shared/runs/store'
import { healerDeps } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'HealPipelineFailure',
  description: "Our own pipeline's failures go to the Healer like GitHub's: root cause, specialist, dedup",
  subscribes: [TOPICS.failureDetected],
  emits: ['ci.remediation.dispatched'],
  flows: ['cicd-healer'],
  infrastructure: { queue: { type: 'standard', maxRetries: 2, visibilityTimeout: 60 } },
}

type Emit = { topic: string; data: unknown }

export const handler = async (input: unknown, ctx: FlowContext<Emit>) => {
  const parsed = failureDetectedSchema.safeParse(input)
  if (!parsed.success) return ctx.logger.error('invalid ci.failure.detected payload', { issues: parsed.error.issues })
  const run = await new RunStore(ctx.state).get(parsed.data.runId)
  const answer = await triagePipelineFailure(parsed.data, run?.branch ?? 'unknown', await healerDeps(ctx.state, ctx.emit))
  ctx.logger.info('pipeline failure triaged', { runId: parsed.data.runId, agent: answer.body.agent, dedup: answer.body.dedup_status })
}
