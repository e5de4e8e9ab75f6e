import type { CronConfig, FlowContext } from 'motia'
import { coordinatorFromEnv } from '../../shared/coordination/wiring'

export const config: CronConfig = {
  type: 'cron',
  name: 'CiCoordinator',
  description: 'Seed 000: executes queued commands (rerun, label, merge, notify), reclaims stalled ones, turns ci:events into commands',
  cron: '*/10 * * * * *',
  emits: [],
  flows: ['cicd-coordination'],
}

export const handler = async (ctx: FlowContext) => {
  const coordinator = coordinatorFromEnv()
  const report = await coordinator.drainOnce({ budgetMs: 8000 })
  await coordinator.publisher.heartbeat('ci_coordinator', 'idle', JSON.stringify(report))
  if (Object.values(report).some((n) => n > 0)) ctx.logger.info('ci coordinator', { ...report })
}
