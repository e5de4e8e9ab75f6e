import { baselineMonitor } from '../../../agents/monitor/baseline'
import type { HealthCheck, MonitorFacts, MonitorResult, Thresholds } from '../../../agents/monitor/schema'
import { lockEnvironment, loadEnvironment, syncEdge, type DeployDeps, type DeployTarget } from '../deps'
import { noteEvent, type EnvironmentState } from '../model'
import { removeAll } from '../release'
import { newCheckMemory, takeCheck } from './check'

export function thresholdsOf(t: DeployTarget): Thresholds {
  const m = t.config.monitor
  return {
    minSuccessRate: m.min_success_rate,
    maxP99Ms: m.max_p99_ms,
    ...(m.max_p95_ms !== undefined ? { maxP95Ms: m.max_p95_ms } : {}),
    maxCpu: m.max_cpu,
    maxMemory: m.max_memory,
    healthyChecksToPromote: m.healthy_checks,
    failedChecksToRollback: m.failed_checks,
    ...(m.min_requests > 0 ? { minRequests: m.min_requests } : {}),
  }
}

/** What the DeployAgent decided for this release's monitoring (it may only tighten cicd.yml's). */
export interface MonitorPolicy {
  intervalSeconds: number
  healthyChecks: number
  failedChecks: number
}

/** cicd.yml's thresholds tightened by the deploy decision: more healthy checks, fewer failed ones, a shorter interval. */
export function tightened(t: DeployTarget, policy: MonitorPolicy | undefined): { thresholds: Thresholds; intervalMs: number } {
  const base = thresholdsOf(t)
  if (!policy) return { thresholds: base, intervalMs: t.config.monitor.interval }
  return {
    thresholds: {
      ...base,
      healthyChecksToPromote: Math.max(base.healthyChecksToPromote, policy.healthyChecks),
      failedChecksToRollback: Math.max(1, Math.min(base.failedChecksToRollback, policy.failedChecks)),
    },
    intervalMs: Math.max(250, Math.min(t.config.monitor.interval, policy.intervalSeconds * 1000)),
  }
}

export interface WatchOutcome {
  /** validated: the new version is kept; rollback: it must go; stopped: someone else changed the environment. */
  verdict: 'validated' | 'rollback' | 'stopped'
  reason: string
  version: string | null
  checks: HealthCheck[]
  last: MonitorResult | null
  /** When the failed-check threshold was reached. */
  failedAt?: number
  /** When the first check of the failing streak was taken (rollback timing starts there). */
  firstFailedAt?: number
}

export interface WatchOptions {
  onCheck?: (c: HealthCheck, r: MonitorResult, phase: string) => void
  /** Stricter thresholds than cicd.yml's (the agents may tighten, never loosen). */
  thresholds?: Thresholds
  /** Time between checks (default: cicd.yml's interval). */
  intervalMs?: number
  /**
   * Judges the checks so far (default: the MonitorAgent's baseline rules). The monitor stage
   * passes the MonitorAgent itself: its guardrails keep it from doing better than the rules.
   */
  judge?: (facts: MonitorFacts) => Promise<MonitorResult>
  sleep?: (ms: number) => Promise<void>
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Watches the version just deployed: a check every interval (health endpoint, request success
 * rate and p95/p99 from its metrics, CPU and memory), judged by the MonitorAgent's rules. A
 * canary walks its weights (canary_step_checks healthy checks at each), then takes all traffic
 * with the old version standing by; `healthy_checks` consecutive healthy checks validate it and
 * the old version is removed; `failed_checks` consecutive failed ones ask for a rollback.
 */
export async function watchRelease(deps: DeployDeps, t: DeployTarget, opts: WatchOptions = {}): Promise<WatchOutcome> {
  const sleep = opts.sleep ?? defaultSleep
  const thresholds = opts.thresholds ?? thresholdsOf(t)
  const intervalMs = opts.intervalMs ?? t.config.monitor.interval
  const judge = opts.judge ?? (async (f: MonitorFacts) => baselineMonitor(f))
  let firstFailedAt: number | undefined
  const all: HealthCheck[] = []
  let state = await loadEnvironment(deps, t)
  if (state.phase !== 'monitoring' || !state.live) return { verdict: 'stopped', reason: `${t.repo}/${t.environment} has nothing to monitor (phase ${state.phase})`, version: state.live?.version ?? null, checks: all, last: null }
  const version = (state.candidate ?? state.live).version
  const memory = newCheckMemory()
  const targetOf = (s: EnvironmentState) => ({ containers: (s.candidate ?? s.live)?.containers ?? [], healthPath: t.app.health_path, metricsPath: t.app.metrics_path, cpus: t.app.cpus })
  await takeCheck(deps.docker, targetOf(state), memory) // counters' starting point
  let window: HealthCheck[] = []
  const maxChecks = thresholds.healthyChecksToPromote * 3 + thresholds.failedChecksToRollback + (t.config.canary_steps.length + 1) * t.config.canary_step_checks * 3
  for (;;) {
    await sleep(intervalMs)
    const current = await deps.store.get(t.repo, t.environment)
    if (!current || current.phase !== 'monitoring' || (current.candidate ?? current.live)?.version !== version) {
      return { verdict: 'stopped', reason: 'the environment changed while it was monitored (a rollback or another deploy)', version, checks: all, last: null }
    }
    state = current
    const inCanary = Boolean(state.candidate)
    const check = await takeCheck(deps.docker, targetOf(state), memory)
    all.push(check)
    window.push(check)
    const rules = inCanary ? { ...thresholds, healthyChecksToPromote: t.config.canary_step_checks } : thresholds
    const result = await judge({ thresholds: rules, checks: window })
    if (result.consecutiveFailed === 0) firstFailedAt = undefined
    else firstFailedAt ??= Date.parse(check.at)
    const phase = inCanary ? `canary ${state.canaryWeight}%` : 'all traffic'
    opts.onCheck?.(check, result, phase)
    deps.log?.(`check ${all.length} (${phase}): ${result.status}${result.breaches.length ? ` — ${result.breaches.join(', ')}` : ''}`)
    const failing = { failedAt: Date.now(), firstFailedAt: firstFailedAt ?? Date.parse(check.at) }
    if (result.action === 'rollback') return { verdict: 'rollback', reason: `${result.consecutiveFailed} failed check(s) in a row: ${result.breaches.join(', ') || result.status}`, version, checks: all, last: result, ...failing }
    if (all.length >= maxChecks) return { verdict: 'rollback', reason: `not validated after ${all.length} checks`, version, checks: all, last: result, ...failing }
    if (result.action !== 'promote') continue
    window = []
    if (inCanary) {
      await advanceCanary(deps, t, version)
      continue
    }
    await validate(deps, t, version)
    return { verdict: 'validated', reason: `${result.consecutiveHealthy} consecutive healthy checks`, version, checks: all, last: result }
  }
}

/** The next canary weight; at 100% the canary becomes the live version, the old one stands by. */
async function advanceCanary(deps: DeployDeps, t: DeployTarget, version: string): Promise<void> {
  const unlock = await lockEnvironment(deps, t.repo, t.environment, `canary ${version}`, 30_000)
  try {
    const s = await loadEnvironment(deps, t)
    if (!s.candidate || s.candidate.version !== version) return
    const next = t.config.canary_steps.find((w) => w > s.canaryWeight) ?? 100
    if (next >= 100) {
      s.standby = s.live
      s.live = s.candidate
      s.candidate = null
      s.canaryWeight = 0
      deps.log?.(`canary ${version} promoted: all traffic; ${s.standby?.version ?? 'nothing'} stands by`)
    } else {
      s.canaryWeight = next
      deps.log?.(`canary ${version} takes ${next}% of the traffic`)
    }
    await syncEdge(deps, s)
  } finally {
    await unlock()
  }
}

/** The new version is validated: the standby goes, and it becomes what rollbacks return to. */
async function validate(deps: DeployDeps, t: DeployTarget, version: string): Promise<void> {
  const unlock = await lockEnvironment(deps, t.repo, t.environment, `validate ${version}`, 30_000)
  try {
    const s = await loadEnvironment(deps, t)
    if (!s.live || s.live.version !== version) return
    const old = s.standby
    s.standby = null
    s.phase = 'idle'
    s.validated = [{ version: s.live.version, commit: s.live.commit, runId: s.live.runId, at: new Date().toISOString() }, ...s.validated.filter((v) => v.version !== version)].slice(0, 10)
    noteEvent(s, { kind: 'validated', version, runId: s.live.runId })
    await syncEdge(deps, s)
    if (old) await removeAll(deps, old.containers)
  } finally {
    await unlock()
  }
}
