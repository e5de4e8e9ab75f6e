import { findRepository } from '../config/load'
import type { RepositoryConfig } from '../config/schema'
import { removeWorkspace } from '../git/workspace'
import type { RunRecord, StageName } from '../runs/model'
import type { PipelineEnv } from './env'
import { sweepEndedWorkspaces } from './workspace-sweep'
import { markStageFinished, markStageStarted, stageOf, type StageOutcome } from './stage-record'

const DONE = new Set(['succeeded', 'failed', 'skipped'])

/**
 * Runs one stage of a run the same way for every stage: a stage that already finished is not
 * run again (a redelivered event gets the recorded result); otherwise it is marked started,
 * `work` runs (an exception becomes a failed stage with its message), the end is recorded, and
 * the run's workspace is removed when the run ends (and those of runs that ended elsewhere). `outcome` is undefined for a stage that had
 * already finished.
 */
export async function executeStage(
  env: PipelineEnv,
  runId: string,
  name: StageName,
  finalStage: boolean,
  work: (run: RunRecord, repo: RepositoryConfig) => Promise<StageOutcome>,
): Promise<{ run: RunRecord; outcome?: StageOutcome }> {
  const existing = await env.runs.get(runId)
  if (!existing) throw new Error(`run ${runId} does not exist`)
  if (DONE.has(stageOf(existing, name).status)) return { run: existing }

  await markStageStarted(env, runId, name)
  let outcome: StageOutcome
  try {
    const repo = findRepository(env.config, existing.repo)
    if (!repo) throw new Error(`repository "${existing.repo}" is not in the configuration any more`)
    outcome = await work(existing, repo)
  } catch (err) {
    outcome = { status: 'failed', reason: err instanceof Error ? err.message : String(err), log: '' }
  }
  const run = await markStageFinished(env, runId, name, outcome, finalStage)
  if (finalStage || outcome.status === 'failed') await removeWorkspace(env.workspaceRoot, runId).catch(() => undefined)
  // checkouts left here by runs that ended on another instance
  await sweepEndedWorkspaces(env.workspaceRoot, (id) => env.runs.get(id)).catch(() => undefined)
  return { run, outcome }
}
