import { decideMonitor, type MonitorFacts } from '../../agents/monitor/index'
import type { AgentDecision } from '../../agents/runtime/envelope'
import type { MonitorResult } from '../../agents/monitor/schema'
import { findRepository } from '../config/load'
import { tightened, watchRelease } from '../deploy/monitor/watch'
import type { DeployDeps } from '../deploy/deps'
import type { PipelineEnv } from './env'
import type { FailureDetected, MonitorCompleted, MonitorStart, RollbackRequested } from './events'
import { failureEvent, recordDecision } from './stage-record'
import { executeStage } from './stage-runner'
import { targetOf } from './deploy-stage'
import { performRollback } from './rollback-stage'

export interface MonitorStageResult {
  completed?: MonitorCompleted
  rollback?: RollbackRequested
  failure?: FailureDetected
  note?: string
}

/**
 * The monitor stage: watches the new version until it is validated (the standby goes) or fails
 * its checks (a rollback is requested at once). Every check is judged by the MonitorAgent (its
 * guardrails: never a better status than the thresholds, no promotion before the healthy-check
 * count, no keeping a version the failed-check count rolls back; it may roll back earlier), with
 * cicd.yml's thresholds as tightened by the DeployAgent's decision. The last verdict is kept.
 */
export async function runMonitorStage(env: PipelineEnv, deps: DeployDeps, m: MonitorStart): Promise<MonitorStageResult> {
  const repo = findRepository(env.config, m.repo)
  if (!repo) return { note: `repository "${m.repo}" is not configured` }
  const target = targetOf(repo, m.environment)
  const stage = `monitor:${m.environment}` as const
  let completed: MonitorCompleted | undefined
  let rollback: RollbackRequested | undefined
  const lines: string[] = []
  const { run, outcome } = await executeStage(env, m.runId, stage, true, async () => {
    const { thresholds, intervalMs } = tightened(target, m.policy)
    let last: AgentDecision<MonitorResult> | undefined
    let byModel = 0
    const judge = async (facts: MonitorFacts) => {
      // the streaks need at most this many checks; older ones only make the prompt longer
      const keep = Math.max(facts.thresholds.healthyChecksToPromote, facts.thresholds.failedChecksToRollback) + 5
      last = await decideMonitor({ ...facts, checks: facts.checks.slice(-keep) }, env.model)
      if (last.source === 'llm') byModel++
      return last.decision
    }
    if (m.policy) lines.push(`monitoring every ${intervalMs / 1000} s: ${thresholds.healthyChecksToPromote} healthy checks validate, ${thresholds.failedChecksToRollback} failed roll back (cicd.yml, tightened by the DeployAgent)`)
    const w = await watchRelease({ ...deps, log: (l) => lines.push(l) }, target, { thresholds, intervalMs, judge })
    if (w.verdict === 'rollback') {
      // Restore service first, in this process (no queue hop); the event below records it.
      rollback = { runId: m.runId, repo: m.repo, environment: m.environment, reason: w.reason, automatic: true, traceId: m.traceId, performed: true, ...(w.version ? { version: w.version } : {}), ...(w.failedAt ? { failedAt: w.failedAt } : {}), ...(w.firstFailedAt ? { firstFailedAt: w.firstFailedAt } : {}) }
      const rb = await performRollback(env, deps, { ...rollback, performed: false })
      lines.push(rb.outcome ? `rollback: ${rb.outcome.from ?? '?'} → ${rb.outcome.to ?? '?'} (${rb.outcome.how}) ${rb.outcome.success ? '' : `failed: ${rb.outcome.reason}`}` : `rollback: ${rb.note ?? ''}`)
    }
    if (last) {
      const d: AgentDecision<MonitorResult> = last
      await recordDecision(env, m.runId, stage, d, `${w.verdict}: ${d.decision.status}, ${w.checks.length} check(s)${byModel ? `, ${byModel} judged with the model` : ''}`)
    }
    completed = { runId: m.runId, repo: m.repo, commit: m.commit, traceId: m.traceId, environment: m.environment, version: w.version, verdict: w.verdict, success: w.verdict === 'validated', checks: w.checks.length, reason: w.reason }
    // performRollback noted its outcome on the run: keep it in the summary written here
    const before = (await env.runs.get(m.runId))?.stages.find((x) => x.name === stage)?.summary?.rollback
    const summary = { environment: m.environment, version: w.version, verdict: w.verdict, checks: w.checks.length, last: w.checks[w.checks.length - 1] ?? null, ...(before ? { rollback: before } : {}) }
    if (w.verdict === 'rollback') return { status: 'failed', reason: `${w.version} failed its checks: ${w.reason}`, log: lines.join('\n'), summary }
    if (w.verdict === 'stopped') return { status: 'skipped', reason: w.reason, log: lines.join('\n'), summary }
    return { status: 'succeeded', log: lines.join('\n'), summary }
  })
  if (!outcome) return { note: `${stage} already finished` }
  return {
    ...(completed ? { completed } : {}),
    ...(rollback ? { rollback } : {}),
    ...(outcome.status === 'failed' ? { failure: { ...failureEvent(run, m.traceId, 'monitor', outcome.reason ?? 'monitoring failed', outcome.log), environment: m.environment } } : {}),
  }
}
