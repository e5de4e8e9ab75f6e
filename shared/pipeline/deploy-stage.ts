import { decideDeploy, type DeployFacts } from '../../agents/deploy/index'
import type { EnvironmentName } from '../config/deploy'
import { findRepository } from '../config/load'
import type { RepositoryConfig } from '../config/schema'
import { sendAlert } from '../deploy/alert'
import type { Approval, ApprovalStore } from '../deploy/approvals'
import { deployRelease } from '../deploy/deploy'
import type { DeployDeps, DeployTarget } from '../deploy/deps'
import { endRun, type RunRecord } from '../runs/model'
import type { PipelineEnv } from './env'
import type { DeployCompleted, DeployRequested, FailureDetected, MonitorStart, TestsCompleted } from './events'
import { failureEvent, recordDecision, stageOf } from './stage-record'
import { executeStage } from './stage-runner'

export interface DeployStageDeps {
  deploy: DeployDeps
  approvals: ApprovalStore
}

export interface DeployStageResult {
  completed?: DeployCompleted
  monitor?: MonitorStart
  failure?: FailureDetected
  /** Waiting for a person: GET /api/cicd/approvals lists it. */
  waiting?: boolean
  /** Why nothing was deployed, when nothing was. */
  note?: string
}

export type DeployJob = DeployRequested & { runId: string; traceId: string }

/** A running deploy stage whose environment lock is gone for this long was cut short (the lock lives 30 s while refreshed). */
const STALE_DEPLOY_MS = 45_000

export function targetOf(repo: RepositoryConfig, environment: EnvironmentName): DeployTarget {
  return { repo: repo.name, environment, app: repo.deploy.app, config: repo.deploy[environment] }
}

/** After passing tests: one deploy job per environment with auto_deploy (staging by default). */
export function autoDeploys(env: PipelineEnv, t: TestsCompleted): { jobs: DeployJob[]; note?: string } {
  const repo = findRepository(env.config, t.repo)
  if (!repo || !t.success) return { jobs: [] }
  const envs = (['staging', 'production'] as const).filter((e) => repo.deploy[e].auto_deploy && repo.deploy[e].port)
  if (!envs.length) return { jobs: [] }
  if (!t.imageTag) return { jobs: [], note: 'no image to deploy: the build ran without Docker (no Dockerfile or no engine)' }
  return { jobs: envs.map((environment) => ({ runId: t.runId, traceId: t.traceId, repo: t.repo, commit: t.commit, imageTag: t.imageTag as string, environment, force: false })) }
}

/** Test results for the commit: this run's, else the latest run of the same commit that has some. */
async function testsFor(env: PipelineEnv, run: RunRecord): Promise<DeployFacts['tests']> {
  const own = stageOf(run, 'test').summary?.totals as { total: number; failed: number; errors: number } | undefined
  if (own) return { total: own.total, failed: own.failed, errors: own.errors }
  const page = await env.runs.list({ repo: run.repo, limit: 50, offset: 0 })
  for (const r of page.runs) {
    if (r.commit !== run.commit) continue
    const t = r.stages.find((s) => s.name === 'test' && s.status === 'succeeded')?.summary?.totals as { total: number; failed: number; errors: number } | undefined
    if (t) return { total: t.total, failed: t.failed, errors: t.errors }
  }
  return null
}

async function factsFor(env: PipelineEnv, deps: DeployStageDeps, run: RunRecord, repo: RepositoryConfig, job: DeployJob): Promise<DeployFacts> {
  const build = stageOf(run, 'build').summary ?? {}
  const num = (v: unknown) => (typeof v === 'number' ? v : 0)
  const state = await deps.deploy.store.get(repo.name, job.environment)
  const dayAgo = Date.now() - 24 * 3600_000
  let tests = await testsFor(env, run)
  if (!tests && job.force) tests = { total: 0, failed: 0, errors: 0 }
  const cfg = repo.deploy[job.environment]
  return {
    environment: job.environment,
    configured: { auto_deploy: cfg.auto_deploy, strategy: cfg.strategy, ...(cfg.require_approval !== undefined ? { require_approval: cfg.require_approval } : {}) },
    tests,
    change: { files: num(build.changedFiles), additions: num(build.additions), deletions: num(build.deletions) },
    currentHealthy: state?.live ? state.history.find((h) => h.version === state.live?.version)?.kind !== 'failed' : null,
    recentRollbacks: state?.history.filter((h) => h.kind === 'rolled-back' && Date.parse(h.at) > dayAgo).length ?? 0,
    monitor: { healthPath: repo.deploy.app.health_path, intervalSeconds: Math.max(1, Math.round(cfg.monitor.interval / 1000)), healthyChecks: cfg.monitor.healthy_checks, failedChecks: cfg.monitor.failed_checks },
    ...(run.message ? { message: run.message } : {}),
  }
}

/** Who decided an approval, and their comment: `by ana: ship it`. */
const decidedBy = (a: Approval) => `by ${a.decidedBy ?? 'someone'}${a.comment ? `: ${a.comment}` : ''}`

/**
 * The deploy stage of a run for one environment: the DeployAgent decides (strategy, risk,
 * approval), a production deploy waits for approval unless cicd.yml says otherwise, then the
 * release goes live with the chosen strategy and monitoring is asked for.
 */
export async function runDeployStage(env: PipelineEnv, deps: DeployStageDeps, job: DeployJob): Promise<DeployStageResult> {
  const stage = `deploy:${job.environment}` as const
  const run = await env.runs.get(job.runId)
  if (!run) return { note: `run ${job.runId} does not exist` }
  const repo = findRepository(env.config, job.repo)
  if (!repo) return { note: `repository "${job.repo}" is not configured` }
  const existing = run.stages.find((s) => s.name === stage)
  if (existing && ['succeeded', 'failed', 'skipped'].includes(existing.status)) return { note: `${stage} already ${existing.status}` }
  if (existing?.status === 'running') {
    // A deploy redelivered while its stage runs: another worker is on it (it holds the
    // environment's lock, refreshed while it lives), or the instance running it stopped — then
    // it runs again here, and deployRelease first undoes what the stopped one left.
    const holder = await deps.deploy.store.holder(repo.name, job.environment)
    const age = Date.now() - Date.parse(existing.startedAt ?? run.updatedAt)
    if (holder || age < STALE_DEPLOY_MS) return { note: `${stage} is running${holder ? ` (${holder})` : ''}` }
  }

  const decision = await decideDeploy(await factsFor(env, deps, run, repo, job), env.model)
  const d = decision.decision
  await recordDecision(env, run.id, stage, decision, `${d.deploy ? `deploy ${job.imageTag} (${d.strategy}, ${d.risk} risk)` : 'do not deploy'}${d.approvalRequired ? ', approval required' : ''}`)

  if (d.deploy && d.approvalRequired) {
    const approval = await deps.approvals.get(run.id, job.environment)
    if (!approval || approval.status === 'pending') {
      // The run says it waits before the approval is listed: whoever approves finds the stage waiting.
      await env.runs.update(run.id, (r) => {
        const s = stageOf(r, stage)
        s.status = 'pending'
        s.reason = `waiting for approval: POST /api/cicd/approvals/${run.id} or \`cicd approve ${run.id}\``
        s.summary = { environment: job.environment, version: job.imageTag, strategy: d.strategy, risk: d.risk }
      })
      if (!approval)
        await deps.approvals.request({ runId: run.id, repo: repo.name, environment: job.environment, commit: job.commit, imageTag: job.imageTag, traceId: job.traceId, risk: d.risk, strategy: d.strategy, reasons: d.reasons })
      return { waiting: true, note: `${job.environment} deploy of ${job.imageTag} waits for approval` }
    }
    if (approval.status === 'rejected') {
      await env.runs.update(run.id, (r) => {
        const s = stageOf(r, stage)
        const now = new Date()
        s.status = 'skipped'
        s.reason = `rejected ${decidedBy(approval)}`
        s.finishedAt = now.toISOString()
        // Nothing else to wait for: the run ends here (a rejected deploy is not a deploy), not at the reaper's idle limit.
        const busy = r.stages.some((x) => x !== s && (x.status === 'running' || (x.status === 'pending' && x.reason?.startsWith('waiting'))))
        if (!busy && (r.status === 'queued' || r.status === 'running')) endRun(r, 'failed', `${stage} ${s.reason}`, now)
      })
      return { note: 'rejected' }
    }
    await env.runs.update(run.id, (r) => {
      const s = stageOf(r, stage)
      if (s.reason?.startsWith('waiting for approval')) s.reason = `approved ${decidedBy(approval)}`
    })
  }

  let refused = false
  let monitor: MonitorStart | undefined
  let completed: DeployCompleted | undefined
  const target = targetOf(repo, job.environment)
  const lines: string[] = []
  const { run: after, outcome } = await executeStage(env, run.id, stage, true, async () => {
    if (!d.deploy) return { status: 'skipped', reason: d.reasons.find((r) => /do not deploy/.test(r)) ?? 'the DeployAgent decided not to deploy', log: '' }
    const out = await deployRelease({ ...deps.deploy, log: (l) => { lines.push(l); deps.deploy.log?.(l) } }, target, { image: job.imageTag, commit: job.commit, runId: run.id, strategy: d.strategy })
    refused = out.refused === true
    completed = { runId: run.id, repo: repo.name, commit: job.commit, traceId: job.traceId, environment: job.environment, success: out.success, version: out.version, previous: out.previous, strategy: out.strategy, entrypoint: out.entrypoint, durationMs: out.durationMs, ...(out.reason ? { reason: out.reason } : {}) }
    const policy = { intervalSeconds: d.healthCheck.intervalSeconds, healthyChecks: d.healthCheck.healthyChecksRequired, failedChecks: d.rollback.failedChecks }
    if (out.success) monitor = { runId: run.id, repo: repo.name, commit: job.commit, traceId: job.traceId, environment: job.environment, version: out.version, policy }
    const summary = { environment: job.environment, version: out.version, previous: out.previous, strategy: out.strategy, entrypoint: out.entrypoint }
    return out.success ? { status: 'succeeded', log: lines.join('\n'), summary } : { status: 'failed', reason: out.reason ?? 'deploy failed', log: lines.join('\n'), summary }
  })
  if (!outcome) return { note: `${stage} already finished` }
  if (outcome.status === 'failed') {
    await sendAlert(repo.deploy.alert_webhook, `:x: deploy of ${repo.name} ${job.imageTag} to ${job.environment} failed: ${outcome.reason ?? 'see the run'} (run ${run.id})`)
    // an environment busy with another version is no code failure: nothing for the Healer
    if (refused) return { ...(completed ? { completed } : {}), note: outcome.reason ?? 'deploy refused' }
    return { ...(completed ? { completed } : {}), failure: { ...failureEvent(after, job.traceId, 'deploy', outcome.reason ?? 'deploy failed', outcome.log), environment: job.environment } }
  }
  return { ...(completed ? { completed } : {}), ...(monitor ? { monitor } : {}), ...(outcome.status === 'skipped' ? { note: outcome.reason } : {}) }
}
