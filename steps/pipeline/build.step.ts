import type { EventConfig, FlowContext } from 'motia'
import { commitReceivedSchema, TOPICS } from '../../shared/pipeline/events'
import { runBuildStage } from '../../shared/pipeline/build-stage'
import { pipelineEnvFor } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'Build',
  description: 'BuildAgent decides; the commit is checked out and built (Docker image or commands)',
  subscribes: [TOPICS.commitReceived],
  emits: [TOPICS.buildCompleted, TOPICS.failureDetected],
  flows: ['cicd-pipeline'],
  // Stages enforce their own timeouts (cicd.yml); retries re-enter an idempotent stage.
  infrastructure: { queue: { type: 'standard', maxRetries: 2, visibilityTimeout: 120 } },
}

type Emit = { topic: string; data: unknown }

export const handler = async (input: unknown, ctx: FlowContext<Emit>) => {
  const parsed = commitReceivedSchema.safeParse(input)
  if (!parsed.success) return ctx.logger.error('invalid cicd.commit.received payload', { issues: parsed.error.issues })
  const result = await runBuildStage(await pipelineEnvFor(ctx.state), parsed.data)
  ctx.logger.info('build finished', { runId: parsed.data.runId, success: result.completed.success, reason: result.completed.reason })
  await ctx.emit({ topic: TOPICS.buildCompleted, data: result.completed })
  if (result.failure) await ctx.emit({ topic: TOPICS.failureDetected, data: result.failure })
}
