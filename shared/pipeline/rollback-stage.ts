import { findRepository } from '../config/load'
import { sendAlert } from '../deploy/alert'
import type { DeployDeps } from '../deploy/deps'
import { rollbackEnvironment, type RollbackOutcome } from '../deploy/rollback'
import type { PipelineEnv } from './env'
import type { RollbackRequested } from './events'
import { targetOf } from './deploy-stage'

export interface RollbackStageResult {
  outcome?: RollbackOutcome
  /** From the first failed check (automatic rollbacks) to the old version taking all traffic. */
  rollbackMs?: number
  /** From the check that reached the failed-check threshold to the old version taking all traffic. */
  afterThresholdMs?: number
  note?: string
}

/** The Rollback step: a rollback the monitor already performed is only acknowledged. */
export async function runRollbackStage(env: PipelineEnv, deps: DeployDeps, r: RollbackRequested): Promise<RollbackStageResult> {
  if (r.performed) return { note: 'performed by the monitor' }
  return performRollback(env, deps, r)
}

/** Rolls an environment back, notes it on the run (when there is one) and calls the alert hook. */
export async function performRollback(env: PipelineEnv, deps: DeployDeps, r: RollbackRequested): Promise<RollbackStageResult> {
  const repo = findRepository(env.config, r.repo)
  if (!repo) return { note: `repository "${r.repo}" is not configured` }
  const started = Date.now()
  const outcome = await rollbackEnvironment(deps, targetOf(repo, r.environment), r.reason, r.runId ?? 'manual', r.version)
  // the switch happened `durationMs` after the start (the bad containers are removed after it)
  const switchedAt = started + outcome.durationMs
  const from = r.firstFailedAt ?? r.failedAt
  const rollbackMs = from !== undefined ? switchedAt - from : undefined
  const afterThresholdMs = r.failedAt ? switchedAt - r.failedAt : undefined
  const timing = { ...(rollbackMs !== undefined ? { rollbackMs } : {}), ...(afterThresholdMs !== undefined ? { afterThresholdMs } : {}) }
  if (r.runId) {
    await env.runs.update(r.runId, (run) => {
      const s = run.stages.find((x) => x.name === `monitor:${r.environment}`) ?? run.stages.find((x) => x.name === `deploy:${r.environment}`)
      if (s) s.summary = { ...(s.summary ?? {}), rollback: { ...outcome, automatic: r.automatic, ...timing } }
    })
  }
  if (outcome.how === 'none' && outcome.success) return { outcome, note: outcome.reason }
  const how = { 'drop-canary': 'canary dropped', 'switch-back': 'switched back', redeploy: 'previous version started again', none: 'nothing done' }[outcome.how]
  await sendAlert(
    repo.deploy.alert_webhook,
    outcome.success
      ? `:rewind: ${repo.name} ${r.environment} rolled back ${outcome.from ?? '?'} → ${outcome.to ?? '?'} (${how}, ${r.automatic ? 'automatic' : 'manual'}): ${r.reason}`
      : `:warning: rollback of ${repo.name} ${r.environment} failed: ${outcome.reason}`,
  )
  return { outcome, ...timing }
}
