import { findRepository } from '../config/load'
import type { SmokeRun, SmokeStart } from '../pipeline/smoke-stage'
import type { RunRecord } from '../runs/model'
import { newRunId, newTraceId } from '../runs/ids'
import type { AuditResult } from './audit-log'
import { SMOKE_GROUP } from './keys'
import type { SmokeResult } from './message-types'
import { parseMessageText, type CiEvent } from './messages'
import type { Publisher } from './publisher'
import { eventLog } from './queues'
import type { StreamEntry, StreamGroup } from './stream-group'

export type SmokeRequested = Extract<CiEvent, { type: 'smoke_requested' }>

/** Starts a smoke run (in the server: records the run and emits its Motia topic). */
export type StartSmoke = (s: SmokeStart) => Promise<void>

export interface SmokeAnswer {
  result: SmokeResult
  reason: string
  runId?: string
}

export interface SmokeReport {
  seen: number
  started: number
  answered: number
  /** Left pending (starting failed): taken again after `reclaim_after`. */
  failed: number
}

const AUDITED: Record<SmokeResult, AuditResult> = { started: 'queued', duplicate: 'duplicate', not_configured: 'refused', refused: 'refused', passed: 'executed', failed: 'failed' }
const ONCE_MS = 7 * 86_400_000

/** The ms time in a stream entry id (`1731000000000-0`). */
const entryTime = (id: string) => Number(id.split('-')[0])

/**
 * Seed 000's opt-in smoke gating, acted on: reads the event log as the `smoke` consumer group
 * (beside the coordinator's group, so every instance's coordinator — the CLI's too — leaves the
 * smoke requests to the servers, which can start runs) and answers each `smoke_requested`:
 * a repository with `smoke:` in cicd.yml gets one smoke run per commit (SET NX across instances
 * and redeliveries); one without is answered on ci:status with the reason. Every answer is also
 * in the audit log (`command_type: smoke`).
 */
export class SmokeGate {
  readonly log: StreamGroup

  constructor(
    private readonly publisher: Publisher,
    private readonly start: StartSmoke,
    private readonly consumer: string,
    /** A request older than this (the servers were down) is answered, not run. */
    private readonly maxAgeMs = 3_600_000,
  ) {
    this.log = eventLog(publisher.deps.redis, publisher.deps.keys, SMOKE_GROUP)
  }

  async drainOnce(batch = 20): Promise<SmokeReport> {
    const report: SmokeReport = { seen: 0, started: 0, answered: 0, failed: 0 }
    const reclaimAfter = this.publisher.deps.config().coordination.coordinator.reclaim_after
    for (const e of [...(await this.log.reclaim(this.consumer, reclaimAfter, batch)), ...(await this.log.readNew(this.consumer, batch))]) await this.handleEntry(e, report)
    return report
  }

  private async handleEntry(entry: StreamEntry, report: SmokeReport): Promise<void> {
    const parsed = parseMessageText('ci:events', entry.message ?? '')
    // anything else, and invalid events (the coordinator's group rejects those), is not ours
    if (!parsed.ok || parsed.message.type !== 'smoke_requested') return this.log.ack(entry)
    report.seen++
    const event = parsed.message
    try {
      const answer =
        Date.now() - entryTime(entry.id) > this.maxAgeMs
          ? { result: 'refused' as const, reason: `requested at ${new Date(entryTime(entry.id)).toISOString()}, more than ${Math.round(this.maxAgeMs / 60_000)} min ago: not run (ask again)` }
          : await this.request(event)
      await this.answer(event, answer, entry.id)
      report[answer.result === 'started' ? 'started' : 'answered']++
      await this.log.ack(entry)
    } catch {
      report.failed++ // left pending: reclaimed and tried again later
    }
  }

  /** What to do with one request: start its run, or say why not. */
  async request(e: SmokeRequested): Promise<SmokeAnswer> {
    const repo = findRepository(this.publisher.deps.config(), e.repo)
    if (!repo) return { result: 'refused', reason: `repo: "${e.repo}" is not a repository in cicd.yml` }
    if (!repo.smoke) return { result: 'not_configured', reason: `${repo.name} has no smoke pipeline (repositories[].smoke.commands in cicd.yml): nothing to run` }
    const fullName = repo.github ?? repo.name
    const runId = newRunId()
    const { redis, keys } = this.publisher.deps
    const key = keys.smokeRun(fullName, e.head_sha)
    if ((await redis.set(key, runId, 'PX', ONCE_MS, 'NX')) !== 'OK') {
      const existing = (await redis.get(key)) ?? undefined
      return { result: 'duplicate', reason: `a smoke run for ${e.head_sha.slice(0, 7)} was already started${existing ? ` (run ${existing})` : ''}`, ...(existing ? { runId: existing } : {}) }
    }
    try {
      await this.start({ runId, traceId: newTraceId(), repo, githubRepo: fullName, commit: e.head_sha, ...(e.pr_number ? { prNumber: e.pr_number } : {}), trigger: e.trigger, requestedBy: e.source })
    } catch (err) {
      await redis.del(key)
      throw err
    }
    return { result: 'started', reason: `started smoke run ${runId} (${repo.smoke.commands.length} command(s)) at ${e.head_sha.slice(0, 7)}`, runId }
  }

  private answer(e: SmokeRequested, a: SmokeAnswer, entryId: string): Promise<void> {
    return announceSmoke(this.publisher, { repo: e.repo, ...(e.pr_number ? { prNumber: e.pr_number } : {}), headSha: e.head_sha, source: e.source, entryId }, a)
  }
}

/** A smoke request's answer or a smoke run's result: `smoke_result` on ci:status and an audit line. */
export async function announceSmoke(publisher: Publisher, about: { repo: string; prNumber?: number; headSha: string; source?: string; entryId?: string }, a: SmokeAnswer): Promise<void> {
  const pr = about.prNumber ? { pr_number: about.prNumber } : {}
  await publisher.record({ command_type: 'smoke', channel: 'ci:events', repo: about.repo, ...pr, ...(about.source ? { source: about.source } : {}), result: AUDITED[a.result], reason: a.reason, ...(about.entryId ? { entry_id: about.entryId } : {}) })
  await publisher.publishStatus({ type: 'smoke_result', source: publisher.deps.source, repo: about.repo, ...pr, head_sha: about.headSha, result: a.result, reason: a.reason.slice(0, 1000), ...(a.runId ? { run_id: a.runId } : {}) })
}

/**
 * A finished smoke run: `smoke_passed` / `smoke_failed` on ci:events (once per run, however often
 * its event is delivered), and its `smoke_result`.
 */
export async function publishSmokeOutcome(publisher: Publisher, run: RunRecord, input: SmokeRun): Promise<void> {
  const stage = run.stages.find((s) => s.name === 'smoke')
  const passed = stage?.status === 'succeeded'
  const repo = input.githubRepo ?? input.repo
  const reason = stage?.reason ?? run.reason ?? 'see the run log'
  const event = { type: passed ? 'smoke_passed' : 'smoke_failed', repo, head_sha: run.commit, run_id: run.id, source: publisher.deps.source, ...(input.prNumber ? { pr_number: input.prNumber } : {}), ...(passed ? {} : { reason }) }
  const sent = await publisher.publishEvent(event, `smoke_result:${run.id}`)
  if (!sent.ok || (sent.channel === 'ci:events' && sent.duplicate)) return
  await announceSmoke(publisher, { repo, ...(input.prNumber ? { prNumber: input.prNumber } : {}), headSha: run.commit, ...(input.requestedBy ? { source: input.requestedBy } : {}) }, { result: passed ? 'passed' : 'failed', reason: passed ? `smoke run ${run.id} passed` : `smoke run ${run.id} failed: ${reason}`, runId: run.id })
}
