import { z } from 'zod'

export const runStatus = z.enum(['queued', 'running', 'succeeded', 'failed'])
export const stageStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped'])
export type RunStatus = z.output<typeof runStatus>
export type StageStatus = z.output<typeof stageStatus>
export const stageNames = ['build', 'test'] as const
/** build and test are in every pipeline run; deploy and monitor are added when a run deploys; a smoke run (trigger `smoke`) has only `smoke`. */
export type StageName = (typeof stageNames)[number] | `deploy:${'staging' | 'production'}` | `monitor:${'staging' | 'production'}` | 'smoke'

/** What an agent decided and why: kept with the run so users can see it. */
export interface DecisionRecord {
  agent: string
  stage: StageName
  source: 'llm' | 'heuristic'
  summary: string
  reasons: string[]
  latencyMs: number
  at: string
  /** Set when a model answer was rejected and the baseline was kept. */
  rejected?: string
  /** What happened with the model: used, clamped, rejected, unavailable or off, and why. */
  /** `latencyMs`: the model call's own time; `waitMs`: its wait for a slot (decision's `latencyMs` is the whole decision). */
  llm?: { status: string; model?: string; detail?: string; latencyMs?: number; waitMs?: number }
  /** `estimated`: no count from the server (the call failed), the prompt's o200k_base count here. */
  tokens?: { prompt: number; completion: number; estimated?: true }
  decision: Record<string, unknown>
}

export interface StageRecord {
  name: StageName
  status: StageStatus
  startedAt?: string
  finishedAt?: string
  durationMs?: number
  executor?: string
  /** Tail of the stage's output (bounded, secrets redacted). */
  log: string
  logTruncated?: boolean
  /** Why the stage failed or was skipped, in one line. */
  reason?: string
  /** Stage-specific facts: image tag, test totals, failing tests... */
  summary?: Record<string, unknown>
}

export interface RunRecord {
  id: string
  repo: string
  commit: string
  shortSha: string
  branch?: string
  before?: string
  /** `smoke`: the repository's smoke pipeline, for a `smoke_requested` on ci:events (seed 000). */
  trigger: 'push' | 'manual' | 'cli' | 'smoke'
  deliveryId?: string
  traceId?: string
  /** Untrusted text (commit message, pusher), kept short. */
  message?: string
  author?: string
  status: RunStatus
  reason?: string
  createdAt: string
  updatedAt: string
  finishedAt?: string
  durationMs?: number
  stages: StageRecord[]
  decisions: DecisionRecord[]
}

/**
 * Ends a run: its status, why (when it failed), when, and how long it took. Stages still pending
 * are skipped, except those `keep` names (a deploy waiting for approval outlives its run's end).
 */
export function endRun(run: RunRecord, status: 'succeeded' | 'failed', reason: string | undefined, now: Date, keep: (s: StageRecord) => boolean = () => false): void {
  run.status = status
  if (reason !== undefined) run.reason = reason
  run.finishedAt = now.toISOString()
  run.durationMs = now.getTime() - Date.parse(run.createdAt)
  for (const s of run.stages) if (s.status === 'pending' && !keep(s)) s.status = 'skipped'
}

export function newRun(init: Pick<RunRecord, 'id' | 'repo' | 'commit' | 'trigger'> & Partial<RunRecord>, now = new Date()): RunRecord {
  const at = now.toISOString()
  return {
    shortSha: init.commit.slice(0, 7),
    status: 'queued',
    createdAt: at,
    updatedAt: at,
    stages: stageNames.map((name) => ({ name, status: 'pending', log: '' })),
    decisions: [],
    ...init,
  }
}
