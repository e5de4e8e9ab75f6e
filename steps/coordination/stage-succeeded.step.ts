import type { EventConfig, FlowContext } from 'motia'
import { publishStageSucceeded } from '../../shared/coordination/pipeline-events'
import { publisherFromEnv } from '../../shared/coordination/wiring'
import { deployCompletedSchema, monitorCompletedSchema, TOPICS } from '../../shared/pipeline/events'
import { RunStore } from '../../shared/runs/store'
import { currentConfig } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'DeploySuccessToCiEvents',
  description: 'Successful deploys and validated monitoring as stage_succeeded on ci:events (seed 000), once per run and stage (build and test publish theirs from their own steps)',
  subscribes: [TOPICS.deployCompleted, TOPICS.monitorCompleted],
  emits: [],
  flows: ['cicd-coordination'],
  infrastructure: { queue: { type: 'standard', maxRetries: 2, visibilityTimeout: 30 } },
}

export const handler = async (input: unknown, ctx: FlowContext) => {
  // a monitor result has a verdict; a deploy result has none
  const monitor = monitorCompletedSchema.safeParse(input)
  const deploy = monitor.success ? null : deployCompletedSchema.safeParse(input)
  const done = monitor.success ? { ...monitor.data, stage: 'monitor' as const } : deploy?.success ? { ...deploy.data, stage: 'deploy' as const } : null
  if (!done) return ctx.logger.error('invalid deploy/monitor completion payload', { issues: (deploy ?? monitor).error?.issues })
  if (!done.success) return
  const unsent = await publishStageSucceeded(publisherFromEnv('cicd_pipeline'), new RunStore(ctx.state), done.runId, `${done.stage}:${done.environment}`, currentConfig())
  if (unsent) ctx.logger.warn('stage_succeeded not published', { reason: unsent })
}
