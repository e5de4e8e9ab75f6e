import type { CronConfig, FlowContext } from 'motia'
import { coordinatorFromEnv, smokeGateFromEnv } from '../../shared/coordination/wiring'
import { publish } from '../../shared/pipeline/publish'
import { SMOKE_TOPIC, startSmokeRun } from '../../shared/pipeline/smoke-stage'
import { RunStore } from '../../shared/runs/store'

export const config: CronConfig = {
  type: 'cron',
  name: 'CiCoordinator',
  description: 'Seed 000: executes queued commands (rerun, label, merge, notify), reclaims stalled ones, turns ci:events into commands, starts smoke runs for smoke_requested',
  cron: '*/10 * * * * *',
  emits: [SMOKE_TOPIC],
  flows: ['cicd-coordination'],
}

type Emit = { topic: string; data: unknown }

export const handler = async (ctx: FlowContext<Emit>) => {
  const coordinator = coordinatorFromEnv()
  const report = await coordinator.drainOnce({ budgetMs: 8000 })
  const runs = new RunStore(ctx.state)
  const smoke = await smokeGateFromEnv((s) => startSmokeRun(runs, (topic, data) => publish(ctx.emit, ctx.state, topic, data), s).then(() => undefined)).drainOnce()
  await coordinator.publisher.heartbeat('ci_coordinator', 'idle', JSON.stringify(report))
  if (Object.values(report).some((n) => n > 0) || smoke.seen) ctx.logger.info('ci coordinator', { ...report, smoke })
}
