import type { EventConfig, FlowContext } from 'motia'
import { deployRequestedSchema, testsCompletedSchema, TOPICS } from '../../shared/pipeline/events'
import { autoDeploys, runDeployStage, type DeployJob } from '../../shared/pipeline/deploy-stage'
import { publish } from '../../shared/pipeline/publish'
import { approvalStore, deployDeps, lowerStagePriority, pipelineEnvFor } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'Deploy',
  description: 'DeployAgent picks strategy, risk and approval; the release goes live behind the environment entrypoint',
  subscribes: [TOPICS.testsCompleted, TOPICS.deployRequested],
  emits: [TOPICS.deployCompleted, TOPICS.monitorStart, TOPICS.failureDetected],
  flows: ['cicd-pipeline'],
  // One deploy per environment at a time is enforced by a lock in Redis; retries re-enter an idempotent stage.
  infrastructure: { queue: { type: 'standard', maxRetries: 1, visibilityTimeout: 300, concurrency: 2 } },
}

type Emit = { topic: string; data: unknown }

export const handler = async (input: unknown, ctx: FlowContext<Emit>) => {
  lowerStagePriority()
  const env = await pipelineEnvFor(ctx.state)
  let jobs: DeployJob[] = []
  const request = deployRequestedSchema.safeParse(input)
  if (request.success && request.data.runId && request.data.traceId) jobs = [request.data as DeployJob]
  else {
    const tests = testsCompletedSchema.safeParse(input)
    if (!tests.success) return ctx.logger.error('invalid deploy input', { issues: (request.error ?? tests.error)?.issues })
    const auto = autoDeploys(env, tests.data)
    if (auto.note) ctx.logger.info('no automatic deploy', { runId: tests.data.runId, note: auto.note })
    jobs = auto.jobs
  }
  const deps = { deploy: deployDeps(), approvals: approvalStore() }
  for (const job of jobs) {
    const r = await runDeployStage(env, deps, job)
    ctx.logger.info('deploy stage', { runId: job.runId, environment: job.environment, success: r.completed?.success, note: r.note, waiting: r.waiting })
    if (r.completed) await publish(ctx.emit, ctx.state, TOPICS.deployCompleted, r.completed)
    if (r.monitor) await publish(ctx.emit, ctx.state, TOPICS.monitorStart, r.monitor)
    if (r.failure) await publish(ctx.emit, ctx.state, TOPICS.failureDetected, r.failure)
  }
}
