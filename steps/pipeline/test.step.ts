import type { EventConfig, FlowContext } from 'motia'
import { buildCompletedSchema, TOPICS } from '../../shared/pipeline/events'
import { runTestStage } from '../../shared/pipeline/test-stage'
import { pipelineEnvFor } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'Test',
  description: 'TestAgent selects tests; the test commands run and JUnit reports are read',
  subscribes: [TOPICS.buildCompleted],
  emits: [TOPICS.testsCompleted, TOPICS.failureDetected],
  flows: ['cicd-pipeline'],
  // Stages enforce their own timeouts (cicd.yml); retries re-enter an idempotent stage.
  infrastructure: { queue: { type: 'standard', maxRetries: 2, visibilityTimeout: 120 } },
}

type Emit = { topic: string; data: unknown }

export const handler = async (input: unknown, ctx: FlowContext<Emit>) => {
  const parsed = buildCompletedSchema.safeParse(input)
  if (!parsed.success) return ctx.logger.error('invalid cicd.build.completed payload', { issues: parsed.error.issues })
  if (!parsed.data.success) return // the build failed: ci.failure.detected was emitted by the build step
  const result = await runTestStage(await pipelineEnvFor(ctx.state), parsed.data)
  ctx.logger.info('tests finished', { runId: parsed.data.runId, success: result.completed.success, reason: result.completed.reason })
  await ctx.emit({ topic: TOPICS.testsCompleted, data: result.completed })
  if (result.failure) await ctx.emit({ topic: TOPICS.failureDetected, data: result.failure })
}
