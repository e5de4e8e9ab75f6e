import { createHash } from 'node:crypto'
import type { Octokit } from '@octokit/rest'
import type { WatcherConfig } from '../config/coordination'
import { targetOf, type Target } from './allow-list'
import { summarizeChecks, type CheckSummary } from './check-status'
import { checksForRef, commitMessage, openPulls, type CheckRun, type PullSummary } from './github-checks'
import { Publisher, type CoordinationDeps } from './publisher'
import { WatcherState } from './watcher-state'

export const SMOKE_MARKER = '[run-smoke]'

export interface WatcherDeps extends CoordinationDeps {
  github: Octokit
}

export interface WatchReport {
  repos: number
  pulls: number
  /** Changes published on ci:events (nothing when nothing changed: quiet by default). */
  published: Array<{ type: string; repo: string; pr: number }>
  reruns: Array<{ repo: string; pr: number; runIds: number[]; rerun: number }>
  waiting: Array<{ repo: string; pr: number; inMs: number }>
  capped: Array<{ repo: string; pr: number; reruns: number }>
  smoke: Array<{ repo: string; pr: number; trigger: 'label' | 'commit_message' }>
  errors: Array<{ repo: string; pr?: number; message: string }>
}

const emptyReport = (): WatchReport => ({ repos: 0, pulls: 0, published: [], reruns: [], waiting: [], capped: [], smoke: [], errors: [] })

function errorText(err: unknown): string {
  const status = typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number' ? ` (HTTP ${(err as { status: number }).status})` : ''
  return `${err instanceof Error ? err.message.split('\n')[0]?.slice(0, 200) : String(err)}${status}`
}

/**
 * Seed 000's CI watcher: polls GitHub for the checks (check runs and commit statuses) of every open pull request of the watched
 * repositories, publishes `pr_failure` / `pr_success` on ci:events only when a pull request's
 * state changes (quiet by default), queues reruns of failures judged flaky (the check failed and
 * then passed on a rerun before, or is listed as flaky) with exponential backoff and a cap per
 * pull request, and turns `[run-smoke]` / the `run-smoke` label into a `smoke_requested` event.
 * All its memory is in Redis and every decision is atomic, so several instances can run it.
 */
export class CiWatcher {
  readonly publisher: Publisher
  readonly state: WatcherState

  constructor(readonly deps: WatcherDeps) {
    this.publisher = new Publisher(deps)
    this.state = new WatcherState(deps.redis, deps.keys)
  }

  private settings(): WatcherConfig {
    return this.deps.config().coordination.watcher
  }

  /** A scheduled tick: polls when enabled and no instance polled within the interval; null otherwise. */
  async tick(): Promise<WatchReport | null> {
    const w = this.settings()
    if (!w.enabled) return null
    if (!(await this.state.takeTick(w.interval, this.deps.instance))) return null
    return this.pollOnce()
  }

  /** The watched repositories: in cicd.yml, naming `github:`, with `coordination.watch` on. */
  targets(): Target[] {
    const config = this.deps.config()
    return config.repositories.filter((r) => r.github && r.coordination.watch).flatMap((r) => targetOf(config, r.name) ?? [])
  }

  async pollOnce(): Promise<WatchReport> {
    const report = emptyReport()
    for (const target of this.targets()) {
      report.repos++
      let pulls: PullSummary[]
      try {
        pulls = await openPulls(this.deps.github, target.owner, target.name)
      } catch (err) {
        report.errors.push({ repo: target.fullName, message: errorText(err) })
        continue
      }
      for (const pr of pulls) {
        report.pulls++
        try {
          await this.pollPull(target, pr, report)
        } catch (err) {
          report.errors.push({ repo: target.fullName, pr: pr.number, message: errorText(err) })
        }
      }
    }
    const detail = `${report.pulls} open PR(s) in ${report.repos} repo(s); ${report.published.length} change(s), ${report.reruns.length} rerun(s)${report.errors.length ? `, ${report.errors.length} error(s)` : ''}`
    await this.publisher.heartbeat('ci_watcher', report.errors.length ? 'degraded' : 'idle', detail)
    return report
  }

  private async pollPull(target: Target, pr: PullSummary, report: WatchReport): Promise<void> {
    const { github } = this.deps
    const checks = summarizeChecks(await checksForRef(github, target.owner, target.name, pr.sha, 'all'))
    await this.state.learnFlaky(target.fullName, checks.flakyEvidence)
    const about = { repo: target.fullName, pr_number: pr.number, pr_title: pr.title, pr_url: pr.url, head_sha: pr.sha, source: 'ci_watcher' }
    if (checks.state === 'failure' || checks.state === 'success') {
      const failing = checks.failing.map((r) => r.name)
      if (await this.state.changed(target.fullName, pr.number, JSON.stringify([checks.state, pr.sha, failing]))) {
        const type = checks.state === 'failure' ? 'pr_failure' : 'pr_success'
        const sent = await this.publisher.publishEvent({ ...about, type, failing_checks: failing })
        if (sent.ok) report.published.push({ type, repo: target.fullName, pr: pr.number })
      }
    }
    if (checks.state === 'failure') await this.maybeRerun(target, pr, checks, report)
    await this.maybeSmoke(target, pr, about, report)
  }

  /** Workflow runs whose every failing check is flaky, rerun through the coordinator (ci:rerun). */
  private async maybeRerun(target: Target, pr: PullSummary, checks: CheckSummary, report: WatchReport): Promise<void> {
    if (!target.repo.coordination.commands.includes('rerun')) return // not allowed here: stay quiet
    const w = this.settings()
    const flaky = new Set([...w.flaky_checks, ...target.repo.coordination.flaky_checks, ...(await this.state.knownFlaky(target.fullName))])
    const byRun = new Map<number, CheckRun[]>()
    for (const r of checks.failing) if (r.runId !== null) byRun.set(r.runId, [...(byRun.get(r.runId) ?? []), r])
    const rerunnable = [...byRun].filter(([, runs]) => runs.every((r) => flaky.has(r.name)))
    if (!rerunnable.length) return
    const ids = rerunnable.flatMap(([, runs]) => runs.map((r) => r.id)).sort((a, b) => a - b)
    const observation = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 24)
    const gate = await this.state.rerunGate(target.fullName, pr.number, observation, w.max_reruns_per_pr, w.backoff, w.max_backoff)
    if (gate.decision === 'scheduled' || gate.decision === 'waiting') report.waiting.push({ repo: target.fullName, pr: pr.number, inMs: gate.inMs })
    if (gate.decision === 'capped') report.capped.push({ repo: target.fullName, pr: pr.number, reruns: gate.reruns })
    if (gate.decision !== 'go') return
    for (const [runId, runs] of rerunnable) {
      await this.publisher.publishCommand({
        type: 'rerun',
        repo: target.fullName,
        pr_number: pr.number,
        pr_title: pr.title,
        pr_url: pr.url,
        run_id: runId,
        failing_checks: runs.map((r) => r.name),
        source: 'ci_watcher',
        requested_by: 'ci_watcher (flaky)',
        idempotency_key: `rerun:${target.fullName}:${runId}:${observation}`,
      })
    }
    report.reruns.push({ repo: target.fullName, pr: pr.number, runIds: rerunnable.map(([id]) => id), rerun: gate.rerun })
  }

  /** Opt-in smoke gating: the label, or the marker in the head commit's message (read once per head). */
  private async maybeSmoke(target: Target, pr: PullSummary, about: Record<string, unknown>, report: WatchReport): Promise<void> {
    let trigger: 'label' | 'commit_message' | null = pr.labels.includes(this.settings().smoke_label) ? 'label' : null
    if (!trigger && !(await this.state.messageRead(target.fullName, pr.number, pr.sha))) {
      const message = await commitMessage(this.deps.github, target.owner, target.name, pr.sha)
      await this.state.markMessageRead(target.fullName, pr.number, pr.sha)
      if (message.includes(SMOKE_MARKER)) trigger = 'commit_message'
    }
    if (!trigger || !(await this.state.smokeOnce(target.fullName, pr.number, pr.sha))) return
    const sent = await this.publisher.publishEvent({ ...about, type: 'smoke_requested', trigger })
    if (sent.ok) report.smoke.push({ repo: target.fullName, pr: pr.number, trigger })
  }
}
