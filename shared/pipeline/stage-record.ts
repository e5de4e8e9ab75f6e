import type { AgentDecision } from '../../agents/runtime/envelope'
import { endRun, type RunRecord, type StageName, type StageRecord } from '../runs/model'
import type { PipelineEnv } from './env'
import type { FailureDetected } from './events'

/** A stage that waits (for an approval) stays pending when its run ends. */
const waiting = (s: StageRecord) => s.reason?.startsWith('waiting') === true

export function stageOf(run: RunRecord, name: StageName): StageRecord {
  let s = run.stages.find((x) => x.name === name)
  if (!s) run.stages.push((s = { name, status: 'pending', log: '' }))
  return s
}

export async function markStageStarted(env: PipelineEnv, runId: string, name: StageName): Promise<void> {
  await env.runs.update(runId, (run) => {
    const s = stageOf(run, name)
    s.status = 'running'
    s.startedAt = new Date().toISOString()
    if (run.status === 'queued') run.status = 'running'
  })
  env.progress?.({ type: 'stage-start', stage: name })
}

export async function recordDecision<T extends object>(
  env: PipelineEnv,
  runId: string,
  stage: StageName,
  d: AgentDecision<T>,
  summary: string,
): Promise<void> {
  await env.runs.update(runId, (run) => {
    run.decisions.push({
      agent: d.agent,
      stage,
      source: d.source,
      summary,
      reasons: d.reasons,
      latencyMs: d.latencyMs,
      at: new Date().toISOString(),
      ...(d.rejected ? { rejected: d.rejected } : {}),
      ...(d.llm ? { llm: d.llm } : {}),
      ...(d.tokens ? { tokens: d.tokens } : {}),
      decision: { ...d.decision } as Record<string, unknown>,
    })
  })
  env.progress?.({ type: 'decision', stage, agent: d.agent, summary, reasons: d.reasons })
}

export interface StageOutcome {
  status: 'succeeded' | 'failed' | 'skipped'
  reason?: string
  log: string
  logTruncated?: boolean
  executor?: string
  summary?: Record<string, unknown>
}

/** Writes a stage's end; a failed stage fails the run. Returns the updated run. */
export async function markStageFinished(env: PipelineEnv, runId: string, name: StageName, out: StageOutcome, finalStage: boolean): Promise<RunRecord> {
  let durationMs = 0
  const updated = await env.runs.update(runId, (run) => {
    const s = stageOf(run, name)
    const now = new Date()
    s.status = out.status
    s.finishedAt = now.toISOString()
    durationMs = s.startedAt ? now.getTime() - Date.parse(s.startedAt) : 0
    s.durationMs = durationMs
    s.log = out.log
    if (out.logTruncated) s.logTruncated = true
    if (out.reason) s.reason = out.reason
    if (out.executor) s.executor = out.executor
    if (out.summary) s.summary = out.summary
    if (out.status === 'failed') endRun(run, 'failed', `${name} failed: ${out.reason ?? 'see the log'}`, now, waiting)
    else if (finalStage) endRun(run, 'succeeded', undefined, now, waiting)
  })
  if (!updated) throw new Error(`run ${runId} disappeared while its ${name} stage ran`)
  const totals = out.summary?.totals as { total: number; passed: number; failed: number; errors: number; skipped: number } | undefined
  const tag = typeof out.summary?.imageTag === 'string' && out.status === 'succeeded' ? `image ${out.summary.imageTag}` : undefined
  const detail = totals ? `${totals.passed}/${totals.total} passed${totals.skipped ? `, ${totals.skipped} skipped` : ''}` : tag
  env.progress?.({ type: 'stage-end', stage: name, status: out.status, durationMs, ...(out.reason ? { reason: out.reason } : {}), ...(detail ? { detail } : {}) })
  return updated
}

/** The `ci.failure.detected` payload for a failed stage (the Healer's intake). */
export function failureEvent(run: RunRecord, traceId: string, stage: FailureDetected['stage'], reason: string, log: string): FailureDetected {
  return { runId: run.id, repo: run.repo, commit: run.commit, traceId, stage, reason, logTail: log.slice(-4000) }
}
