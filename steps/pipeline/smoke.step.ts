import type { EventConfig, FlowContext } from 'motia'
import { publishSmokeOutcome } from '../../shared/coordination/smoke-gate'
import { publisherFromEnv } from '../../shared/coordination/wiring'
import { runSmokeStage, SMOKE_TOPIC, smokeRunSchema } from '../../shared/pipeline/smoke-stage'
import { lowerStagePriority, pipelineEnvFor, stageConcurrency } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'Smoke',
  description: "Seed 000's smoke gating: runs the repository's smoke commands at the requested commit; smoke_passed / smoke_failed on ci:events",
  subscribes: [SMOKE_TOPIC],
  emits: [],
  flows: ['cicd-pipeline'],
  infrastructure: { queue: { type: 'standard', maxRetries: 2, visibilityTimeout: 120, concurrency: stageConcurrency() } },
}

export const handler = async (input: unknown, ctx: FlowContext) => {
  lowerStagePriority()
  const parsed = smokeRunSchema.safeParse(input)
  if (!parsed.success) return ctx.logger.error(`invalid ${SMOKE_TOPIC} payload`, { issues: parsed.error.issues })
  const { run } = await runSmokeStage(await pipelineEnvFor(ctx.state), parsed.data)
  ctx.logger.info('smoke finished', { runId: run.id, status: run.status, reason: run.reason })
  await publishSmokeOutcome(publisherFromEnv('cicd_pipeline'), run, parsed.data)
}
