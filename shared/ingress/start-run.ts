import type { RepositoryConfig } from '../config/schema'
import { newRun, type RunRecord, type StageName } from '../runs/model'
import type { RunStore } from '../runs/store'
import type { CommitReceived } from '../pipeline/events'

export interface StartRunInput {
  runId: string
  traceId: string
  repo: RepositoryConfig
  commit: string
  branch?: string
  before?: string
  trigger: RunRecord['trigger']
  deliveryId?: string
  /** Untrusted: shown to users, cut short, never interpreted. */
  message?: string
  author?: string
  /** The stages the run will have (default: build and test). */
  stages?: StageName[]
}

/** Records a queued run (GET /api/cicd/runs shows it from now on). */
export async function recordQueuedRun(runs: RunStore, input: StartRunInput): Promise<RunRecord> {
  const run = newRun({
    id: input.runId,
    repo: input.repo.name,
    commit: input.commit,
    trigger: input.trigger,
    traceId: input.traceId,
    ...(input.branch ? { branch: input.branch } : {}),
    ...(input.before ? { before: input.before } : {}),
    ...(input.deliveryId ? { deliveryId: input.deliveryId } : {}),
    ...(input.message ? { message: input.message.slice(0, 500) } : {}),
    ...(input.author ? { author: input.author.slice(0, 100) } : {}),
    ...(input.stages ? { stages: input.stages.map((name) => ({ name, status: 'pending' as const, log: '' })) } : {}),
  })
  return runs.save(run)
}

/** Records a queued pipeline run and returns the `cicd.commit.received` payload that starts it. */
export async function createQueuedRun(runs: RunStore, input: StartRunInput & { trigger: CommitReceived['trigger'] }): Promise<CommitReceived> {
  const run = await recordQueuedRun(runs, input)
  return {
    runId: run.id,
    repo: run.repo,
    commit: run.commit,
    traceId: input.traceId,
    trigger: input.trigger,
    ...(input.branch ? { branch: input.branch } : {}),
    ...(input.before ? { before: input.before } : {}),
  }
}

/** Whether a pushed branch is one the repo builds (`branches` accepts globs like `release/*`). */
export function branchMatches(repo: RepositoryConfig, branch: string): boolean {
  return repo.branches.some((b) => b === branch || (b.includes('*') && new RegExp(`^${b.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*\*/g, '.*').replace(/(?<!\.)\*/g, '[^/]*')}$`).test(branch)))
}
