import type { EventConfig, FlowContext } from 'motia'
import { coordinatorFromEnv } from '../../shared/coordination/wiring'

export const config: EventConfig = {
  type: 'event',
  name: 'CiCoordinatorWake',
  description: 'Runs the coordinator at once when this server queued a command (the cron catches the rest)',
  subscribes: ['ci.command.queued'],
  emits: [],
  flows: ['cicd-coordination'],
  infrastructure: { queue: { type: 'standard', maxRetries: 0, visibilityTimeout: 30 } },
}

export const handler = async (_input: unknown, ctx: FlowContext) => {
  const report = await coordinatorFromEnv().drainOnce({ budgetMs: 8000 })
  ctx.logger.info('ci coordinator (woken)', { ...report })
}
