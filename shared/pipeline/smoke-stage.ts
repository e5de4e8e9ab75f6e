import { z } from 'zod'
import type { RepositoryConfig } from '../config/schema'
import { prepareWorkspace } from '../git/workspace'
import { recordQueuedRun } from '../ingress/start-run'
import { TailBuffer } from '../log/tail-buffer'
import type { RunRecord } from '../runs/model'
import type { RunStore } from '../runs/store'
import { executorChoiceOf, type PipelineEnv } from './env'
import type { StageOutcome } from './stage-record'
import { executeStage } from './stage-runner'

/** The Motia topic that runs a smoke run (emitted once its run is recorded). */
export const SMOKE_TOPIC = 'cicd.smoke.requested'

const sha = z.string().regex(/^[0-9a-f]{7,40}$/, 'a commit SHA (7 to 40 hex characters)')

/** A smoke run to execute: our run, and the pull request it answers (for the result on ci:events). */
export const smokeRunSchema = z.object({
  runId: z.string().min(1),
  /** The repository's name in cicd.yml. */
  repo: z.string().min(1),
  commit: sha,
  traceId: z.string().min(1),
  /** `owner/name`, as the request named it. */
  githubRepo: z.string().min(1).optional(),
  prNumber: z.number().int().positive().optional(),
  requestedBy: z.string().max(100).optional(),
})
export type SmokeRun = z.output<typeof smokeRunSchema>

export interface SmokeStart {
  runId: string
  traceId: string
  repo: RepositoryConfig
  githubRepo: string
  commit: string
  prNumber?: number
  trigger: 'label' | 'commit_message'
  requestedBy: string
}

/**
 * Records a queued run with trigger `smoke` and a single `smoke` stage (GET /api/cicd/runs shows
 * it), then emits the topic that executes it — the way `cicd.commit.received` starts a pipeline.
 */
export async function startSmokeRun(runs: RunStore, emit: (topic: string, data: SmokeRun) => Promise<void>, s: SmokeStart): Promise<SmokeRun> {
  await recordQueuedRun(runs, {
    runId: s.runId,
    traceId: s.traceId,
    repo: s.repo,
    commit: s.commit,
    trigger: 'smoke',
    stages: ['smoke'],
    message: `smoke for ${s.githubRepo}${s.prNumber ? ` PR #${s.prNumber}` : ''} (${s.trigger === 'label' ? 'label' : '[run-smoke]'}), asked by ${s.requestedBy}`,
  })
  const data: SmokeRun = { runId: s.runId, repo: s.repo.name, commit: s.commit, traceId: s.traceId, githubRepo: s.githubRepo, requestedBy: s.requestedBy, ...(s.prNumber ? { prNumber: s.prNumber } : {}) }
  await emit(SMOKE_TOPIC, data)
  return data
}

/**
 * The smoke stage: check the commit out and run `smoke.commands` in order with the repository's
 * executor; the first that fails fails the run. Idempotent like every stage (a redelivered event
 * gets the recorded result). `outcome` is undefined when the stage had already finished.
 */
export async function runSmokeStage(env: PipelineEnv, input: SmokeRun): Promise<{ run: RunRecord; outcome?: StageOutcome }> {
  return executeStage(env, input.runId, 'smoke', true, (_run, repo) => smoke(env, input, repo))
}

async function smoke(env: PipelineEnv, input: SmokeRun, repo: RepositoryConfig): Promise<StageOutcome> {
  const cfg = repo.smoke
  if (!cfg) return { status: 'failed', reason: `${repo.name} has no smoke: in cicd.yml any more`, log: '' }
  const ws = await prepareWorkspace(repo.path ?? repo.url ?? '', input.commit, env.workspaceRoot, input.runId)
  const choice = executorChoiceOf(env, repo)
  if (choice === 'docker' && !env.docker) return { status: 'failed', reason: `executor is "docker" but ${env.dockerReason ?? 'no Docker engine answers'}`, log: '' }
  const executor = choice === 'docker' && env.docker ? env.docker.executor : env.local
  const maxLogBytes = env.config.defaults.log_tail_bytes
  const log = new TailBuffer(maxLogBytes, env.secrets)
  const onLog = (chunk: string) => env.progress?.({ type: 'log', stage: 'smoke', chunk })
  for (const command of cfg.commands) {
    log.push(`$ ${command}\n`)
    onLog(`$ ${command}\n`)
    const res = await executor.run({ command, cwd: ws.dir, timeoutMs: cfg.timeout, maxLogBytes, secrets: env.secrets, onLog, ...(repo.test.image ? { image: repo.test.image } : {}), env: { CICD_COMMIT: ws.commit, CICD_REPO: repo.name, CICD_SMOKE: '1', ...(input.prNumber ? { CICD_PR_NUMBER: String(input.prNumber) } : {}) } })
    log.push(res.log)
    if (res.exitCode !== 0) {
      const why = res.error ?? (res.timedOut ? `timed out after ${Math.round(cfg.timeout / 1000)} s` : `exit code ${res.exitCode}`)
      return { status: 'failed', reason: `\`${command}\` ${why}`, log: log.text(), logTruncated: log.truncated, executor: executor.name, summary: { commands: cfg.commands.length } }
    }
  }
  return { status: 'succeeded', log: log.text(), logTruncated: log.truncated, executor: executor.name, summary: { commands: cfg.commands.length } }
}
