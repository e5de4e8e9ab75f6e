import type { EventConfig, FlowContext } from 'motia'
import { buildCompletedSchema, TOPICS } from '../../shared/pipeline/events'
import { runTestStage } from '../../shared/pipeline/test-stage'
import { RunStore } from '../../shared/runs/store'
import { currentConfig, lowerStagePriority, pipelineEnvFor, stageConcurrency } from '../../shared/server/services'
import { publish } from '../../shared/pipeline/publish'
import { publishStageSucceeded } from '../../shared/coordination/pipeline-events'
import { publisherFromEnv } from '../../shared/coordination/wiring'

export const config: EventConfig = {
  type: 'event',
  name: 'Test',
  description: 'TestAgent selects tests; the test commands run and JUnit reports are read',
  subscribes: [TOPICS.buildCompleted],
  emits: [TOPICS.testsCompleted, TOPICS.failureDetected],
  flows: ['cicd-pipeline'],
  // Stages enforce their own timeouts (cicd.yml); retries re-enter an idempotent stage; each
  // invocation is a child process, so few run at once (CICD_STAGE_CONCURRENCY, default 2).
  infrastructure: { queue: { type: 'standard', maxRetries: 2, visibilityTimeout: 120, concurrency: stageConcurrency() } },
}

type Emit = { topic: string; data: unknown }

export const handler = async (input: unknown, ctx: FlowContext<Emit>) => {
  lowerStagePriority()
  const parsed = buildCompletedSchema.safeParse(input)
  if (!parsed.success) return ctx.logger.error('invalid cicd.build.completed payload', { issues: parsed.error.issues })
  if (!parsed.data.success) return // the build failed: ci.failure.detected was emitted by the build step
  const result = await runTestStage(await pipelineEnvFor(ctx.state), parsed.data)
  ctx.logger.info('tests finished', { runId: parsed.data.runId, success: result.completed.success, reason: result.completed.reason })
  await publish(ctx.emit, ctx.state, TOPICS.testsCompleted, result.completed)
  if (result.failure) await publish(ctx.emit, ctx.state, TOPICS.failureDetected, result.failure)
  // stage_succeeded on ci:events (seed 000) here, not from a step of its own: no process per stage for it
  const unsent = await publishStageSucceeded(publisherFromEnv('cicd_pipeline'), new RunStore(ctx.state), parsed.data.runId, 'test', currentConfig())
  if (unsent) ctx.logger.warn('stage_succeeded not published', { reason: unsent })
}
