import type { EventConfig, FlowContext } from 'motia'
import { monitorStartSchema, TOPICS } from '../../shared/pipeline/events'
import { runMonitorStage } from '../../shared/pipeline/monitor-stage'
import { publish } from '../../shared/pipeline/publish'
import { deployDeps, pipelineEnvFor } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'Monitor',
  description: 'MonitorAgent checks the new version (health, success rate, p95/p99, CPU, memory); validates it or asks for a rollback',
  subscribes: [TOPICS.monitorStart],
  emits: [TOPICS.monitorCompleted, TOPICS.rollbackRequested, TOPICS.failureDetected],
  flows: ['cicd-pipeline'],
  // Watching lasts minutes (checks x interval); the queue lock is renewed while it runs.
  infrastructure: { queue: { type: 'standard', maxRetries: 1, visibilityTimeout: 300, concurrency: 8 } },
}

type Emit = { topic: string; data: unknown }

export const handler = async (input: unknown, ctx: FlowContext<Emit>) => {
  const parsed = monitorStartSchema.safeParse(input)
  if (!parsed.success) return ctx.logger.error('invalid cicd.monitor.start payload', { issues: parsed.error.issues })
  const r = await runMonitorStage(await pipelineEnvFor(ctx.state), deployDeps(), parsed.data)
  ctx.logger.info('monitor stage', { runId: parsed.data.runId, verdict: r.completed?.verdict, note: r.note })
  // The rollback first: it is what restores service.
  if (r.rollback) await publish(ctx.emit, ctx.state, TOPICS.rollbackRequested, { ...r.rollback, runId: parsed.data.runId })
  if (r.completed) await publish(ctx.emit, ctx.state, TOPICS.monitorCompleted, r.completed)
  if (r.failure) await publish(ctx.emit, ctx.state, TOPICS.failureDetected, r.failure)
}
