import { z } from 'zod'
import { findRepository } from '../config/load'
import type { CicdConfig } from '../config/schema'
import type { FailureDetected } from '../pipeline/events'
import type { RunRecord, StageName } from '../runs/model'
import type { RunStore } from '../runs/store'
import type { Publisher } from './publisher'
import type { EventInput } from './messages'

/**
 * Our own pipeline's `ci.failure.detected` as a `stage_failed` event on ci:events, naming the
 * repository as GitHub does when cicd.yml says so; `once` keeps a redelivered event from being
 * published twice.
 */
export function stageFailedEvent(f: FailureDetected, config: CicdConfig): { event: EventInput; once: string } {
  const repo = findRepository(config, f.repo)
  return {
    event: { type: 'stage_failed', repo: repo?.github ?? f.repo, run_id: f.runId, stage: f.stage, commit: f.commit, reason: f.reason, source: 'cicd_pipeline' },
    once: `stage_failed:${f.runId}:${f.stage}${f.environment ? `:${f.environment}` : ''}`,
  }
}

/** `deploy:staging` → deploy in staging; `build` → build. */
function stageParts(name: StageName): { stage: 'build' | 'test' | 'deploy' | 'monitor'; environment?: 'staging' | 'production' } | null {
  if (name === 'build' || name === 'test') return { stage: name }
  const [stage, environment] = name.split(':') as ['deploy' | 'monitor', 'staging' | 'production']
  return stage === 'deploy' || stage === 'monitor' ? { stage, environment } : null
}

/**
 * A pipeline stage that succeeded as a `stage_succeeded` event, from the run's record (a skipped
 * or failed stage is none); `once` keeps a redelivered stage event from being published twice.
 */
export function stageSucceededEvent(run: RunRecord, name: StageName, config: CicdConfig): { event: EventInput; once: string } | null {
  const record = run.stages.find((s) => s.name === name)
  const parts = stageParts(name)
  if (record?.status !== 'succeeded' || !parts) return null
  const repo = findRepository(config, run.repo)
  return {
    event: { type: 'stage_succeeded', repo: repo?.github ?? run.repo, run_id: run.id, ...parts, commit: run.commit, source: 'cicd_pipeline' },
    once: `stage_succeeded:${run.id}:${name}`,
  }
}

/** The part of the Healer's `ci.remediation.dispatched` payload (its remediation record) told on ci:events. */
const remediationSchema = z.object({
  name: z.string().min(1).max(200),
  repo: z.string().min(1).max(200),
  runId: z.union([z.number().int(), z.string().max(100)]).optional(),
  branch: z.string().max(800),
  commit: z.string().regex(/^[0-9a-f]{7,40}$/),
  pull: z.number().int().positive().nullish(),
  status: z.string(),
  decision: z.object({ agent: z.string().min(1).max(40), failureType: z.string().min(1).max(60), category: z.string().max(40).optional() }),
})

/**
 * The Healer as an event source: a remediation sent to an agent as `remediation_dispatched`
 * (agent, failure type, branch, pull request), once per remediation, agent and commit (an
 * escalation to another agent, or a failed fix dispatched again, is told again). Null when the payload is not a dispatched remediation.
 */
export function remediationDispatchedEvent(input: unknown): { event: EventInput; once: string } | null {
  const r = remediationSchema.safeParse(input)
  if (!r.success || r.data.status !== 'dispatched') return null
  const d = r.data
  return {
    event: {
      type: 'remediation_dispatched',
      repo: d.repo,
      remediation: d.name,
      agent: d.decision.agent,
      failure_type: d.decision.failureType,
      ...(d.decision.category ? { category: d.decision.category } : {}),
      branch: d.branch,
      commit: d.commit,
      head_sha: d.commit,
      ...(d.pull ? { pr_number: d.pull } : {}),
      ...(d.runId !== undefined ? { workflow_run_id: d.runId } : {}),
      source: 'cicd_healer',
    },
    once: `remediation_dispatched:${d.name}:${d.decision.agent}:${d.commit}`,
  }
}

/**
 * Publishes `stage_succeeded` for a run's stage when its record says it succeeded; never throws
 * (the pipeline goes on when Redis does not answer): the reason when it was not published.
 */
export async function publishStageSucceeded(publisher: Publisher, runs: RunStore, runId: string, stage: StageName, config: CicdConfig): Promise<string | undefined> {
  try {
    const run = await runs.get(runId)
    const built = run && stageSucceededEvent(run, stage, config)
    if (!built) return undefined
    const sent = await publisher.publishEvent(built.event, built.once)
    return sent.ok ? undefined : sent.reason
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}
