import type { EventConfig, FlowContext } from 'motia'
import { commitReceivedSchema, TOPICS } from '../../shared/pipeline/events'
import { runBuildStage } from '../../shared/pipeline/build-stage'
import { RunStore } from '../../shared/runs/store'
import { currentConfig, lowerStagePriority, pipelineEnvFor, stageConcurrency } from '../../shared/server/services'
import { publish } from '../../shared/pipeline/publish'
import { publishStageSucceeded } from '../../shared/coordination/pipeline-events'
import { publisherFromEnv } from '../../shared/coordination/wiring'

export const config: EventConfig = {
  type: 'event',
  name: 'Build',
  description: 'BuildAgent decides; the commit is checked out and built (Docker image or commands)',
  subscribes: [TOPICS.commitReceived],
  emits: [TOPICS.buildCompleted, TOPICS.failureDetected],
  flows: ['cicd-pipeline'],
  // Stages enforce their own timeouts (cicd.yml); retries re-enter an idempotent stage; each
  // invocation is a child process, so few run at once (CICD_STAGE_CONCURRENCY, default 2).
  infrastructure: { queue: { type: 'standard', maxRetries: 2, visibilityTimeout: 120, concurrency: stageConcurrency() } },
}

type Emit = { topic: string; data: unknown }

export const handler = async (input: unknown, ctx: FlowContext<Emit>) => {
  lowerStagePriority()
  const parsed = commitReceivedSchema.safeParse(input)
  if (!parsed.success) return ctx.logger.error('invalid cicd.commit.received payload', { issues: parsed.error.issues })
  const result = await runBuildStage(await pipelineEnvFor(ctx.state), parsed.data)
  ctx.logger.info('build finished', { runId: parsed.data.runId, success: result.completed.success, reason: result.completed.reason })
  await publish(ctx.emit, ctx.state, TOPICS.buildCompleted, result.completed)
  if (result.failure) await publish(ctx.emit, ctx.state, TOPICS.failureDetected, result.failure)
  // stage_succeeded on ci:events (seed 000) here, not from a step of its own: no process per stage for it
  const unsent = await publishStageSucceeded(publisherFromEnv('cicd_pipeline'), new RunStore(ctx.state), parsed.data.runId, 'build', currentConfig())
  if (unsent) ctx.logger.warn('stage_succeeded not published', { reason: unsent })
}
