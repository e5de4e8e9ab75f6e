import { findRepository } from '../config/load'
import type { CicdConfig, RepositoryConfig } from '../config/schema'
import type { FailureDetected } from '../pipeline/events'
import { endRun, type RunRecord, type StageName } from './model'
import type { KeyValueState, RunStore } from './store'

/**
 * The reaper: the last line of defence against runs that would otherwise stay `running` or
 * `queued` forever. A crashed instance's in-flight stage is normally taken over by another
 * instance (BullMQ's stalled-job recovery re-delivers the event after the job lock runs out, and
 * the stage runs again); the reaper covers what that cannot: a stage whose job was given up
 * (stalled twice, Redis lost it) and a run whose next event never got queued.
 */
export interface ReaperSettings {
  /** A build or test stage `running` longer than its cicd.yml timeouts plus this is stalled (ms). */
  marginMs: number
  /** A queued run, or one between stages, unchanged for this long has lost its event (ms). */
  idleMs: number
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const n = Number(env[name])
  return env[name] && Number.isFinite(n) && n > 0 ? n : fallback
}

/** CICD_REAPER_MARGIN (s, default 300: past the queue's takeover) and CICD_REAPER_IDLE (s, default 86400). */
export function reaperSettings(env: NodeJS.ProcessEnv = process.env): ReaperSettings {
  return { marginMs: seconds(env, 'CICD_REAPER_MARGIN', 300) * 1000, idleMs: seconds(env, 'CICD_REAPER_IDLE', 86_400) * 1000 }
}

export interface StuckVerdict {
  stage: 'build' | 'test' | 'smoke'
  reason: string
}

/** The longest a stage can legitimately run: each command has the stage's timeout. */
export function stageBudgetMs(repo: RepositoryConfig, stage: 'build' | 'test' | 'smoke'): number {
  const s = stage === 'build' ? repo.build : stage === 'test' ? repo.test : repo.smoke
  return s ? s.timeout * Math.max(1, s.commands.length) : 0
}

const human = (ms: number) => (ms >= 600_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`)

/** Why a run is stuck, or undefined. Only queued and running runs, only build, test and smoke stages. */
export function stuckVerdict(run: RunRecord, repo: RepositoryConfig | undefined, now: number, s: ReaperSettings): StuckVerdict | undefined {
  if (run.status !== 'queued' && run.status !== 'running') return undefined
  for (const stage of ['build', 'test', 'smoke'] as const) {
    const st = run.stages.find((x) => x.name === stage)
    if (st?.status !== 'running') continue
    const started = Date.parse(st.startedAt ?? run.updatedAt)
    const budget = repo ? stageBudgetMs(repo, stage) : 0
    if (now - started > budget + s.marginMs)
      return {
        stage,
        reason: `no result after ${human(now - started)} (its timeout is ${human(budget)}): the instance running it stopped and no other instance took it over; marked failed by the reaper`,
      }
    return undefined
  }
  if (run.stages.some((x) => x.status === 'running')) return undefined // deploy or monitor: not ours to judge
  const idle = now - Date.parse(run.updatedAt)
  if (idle <= s.idleMs) return undefined
  const next: StuckVerdict['stage'] = run.trigger === 'smoke' ? 'smoke' : run.stages.find((x) => x.name === 'build')?.status === 'pending' ? 'build' : 'test'
  return {
    stage: next,
    reason: `${run.status === 'queued' ? 'never started' : `the ${next} stage never started`}: nothing happened for ${human(idle)} (its event was lost, e.g. an instance stopped while queueing it); marked failed by the reaper`,
  }
}

/** Marks the stage and the run failed (pending stages are skipped). */
export function markReaped(run: RunRecord, v: StuckVerdict, now: Date): void {
  let stage = run.stages.find((x) => x.name === v.stage)
  if (!stage) run.stages.push((stage = { name: v.stage as StageName, status: 'pending', log: '' }))
  stage.status = 'failed'
  stage.reason = v.reason
  stage.finishedAt = now.toISOString()
  if (stage.startedAt) stage.durationMs = now.getTime() - Date.parse(stage.startedAt)
  endRun(run, 'failed', `${v.stage} failed: ${v.reason}`, now)
}

export interface ReapResult {
  checked: number
  /** failure: the pipeline's ci.failure.detected (a smoke run's result is published by the smoke step's own channel instead). */
  reaped: Array<{ runId: string; stage: StuckVerdict['stage']; reason: string; failure?: FailureDetected }>
}

/**
 * One pass: every queued or running run is checked and the stuck ones are marked failed (the
 * condition is checked again on the freshly read record before writing). Idempotent, so it may
 * run on any instance, and twice.
 */
export async function reapStuckRuns(runs: RunStore, config: CicdConfig, settings: ReaperSettings, now = new Date()): Promise<ReapResult> {
  const open = [
    ...(await runs.list({ status: 'running', limit: 100_000, offset: 0 })).runs,
    ...(await runs.list({ status: 'queued', limit: 100_000, offset: 0 })).runs,
  ]
  const result: ReapResult = { checked: open.length, reaped: [] }
  for (const candidate of open) {
    const repo = findRepository(config, candidate.repo)
    if (!stuckVerdict(candidate, repo, now.getTime(), settings)) continue
    const found: { verdict?: StuckVerdict } = {}
    const updated = await runs.update(candidate.id, (run) => {
      const v = stuckVerdict(run, repo, now.getTime(), settings)
      if (!v) return
      found.verdict = v
      markReaped(run, v, now)
    })
    const v = found.verdict
    if (!updated || !v) continue
    result.reaped.push({
      runId: updated.id,
      stage: v.stage,
      reason: v.reason,
      ...(v.stage === 'smoke' ? {} : { failure: { runId: updated.id, repo: updated.repo, commit: updated.commit, traceId: updated.traceId ?? updated.id, stage: v.stage, reason: v.reason, logTail: '' } }),
    })
  }
  return result
}

export interface ReaperPass {
  at: string
  instance: string
  checked: number
  reaped: string[]
}

export const REAPER_GROUP = 'cicd-reaper'

/** Motia's state (the pass log deletes old passes). */
export type PassLogState = KeyValueState

/**
 * Keeps the last `keep` passes (state group `cicd-reaper`, one key per pass, so two instances
 * running the same tick would both show): who ran, when, what it did.
 */
export async function recordReaperPass(state: PassLogState, pass: ReaperPass, keep = 50): Promise<void> {
  await state.set(REAPER_GROUP, `${pass.at}|${pass.instance}`, pass)
  const all = (await state.getGroup<ReaperPass>(REAPER_GROUP)).sort((a, b) => b.at.localeCompare(a.at))
  for (const old of all.slice(keep)) await state.delete(REAPER_GROUP, `${old.at}|${old.instance}`)
}
