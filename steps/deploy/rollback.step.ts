import type { EventConfig, FlowContext } from 'motia'
import { rollbackRequestedSchema, TOPICS } from '../../shared/pipeline/events'
import { runRollbackStage } from '../../shared/pipeline/rollback-stage'
import { deployDeps, pipelineEnvFor } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'Rollback',
  description: 'Puts the previous version back (canary dropped, switch back, or the last validated image again) and alerts',
  subscribes: [TOPICS.rollbackRequested],
  emits: [],
  flows: ['cicd-pipeline'],
  infrastructure: { queue: { type: 'standard', maxRetries: 1, visibilityTimeout: 120, concurrency: 4 } },
}

export const handler = async (input: unknown, ctx: FlowContext) => {
  const parsed = rollbackRequestedSchema.safeParse(input)
  if (!parsed.success) return ctx.logger.error('invalid cicd.rollback.requested payload', { issues: parsed.error.issues })
  const r = await runRollbackStage(await pipelineEnvFor(ctx.state), deployDeps(), parsed.data)
  ctx.logger.info('rollback', { repo: parsed.data.repo, environment: parsed.data.environment, outcome: r.outcome, rollbackMs: r.rollbackMs, note: r.note })
}
