import { randomUUID } from 'node:crypto'
import type { Octokit } from '@octokit/rest'
import type { Redis } from 'ioredis'
import { allowCommand } from './allow-list'
import { commandsForEvent } from './event-rules'
import { isTransient } from './github-checks'
import { handleLabel } from './handlers/label'
import { handleMerge } from './handlers/merge'
import { handleNotify } from './handlers/notify'
import type { HandlerContext, Outcome } from './handlers/outcome'
import { handleRerun } from './handlers/rerun'
import { COMMAND_TYPES } from './message-types'
import { parseMessageText, type CiCommand } from './messages'
import { Publisher, type CoordinationDeps } from './publisher'
import type { StreamEntry } from './stream-group'
import { redact } from './untrusted-text'

export interface CoordinatorDeps extends CoordinationDeps {
  github: Octokit
  /** The Slack-compatible webhook for `notify` (a secret). */
  notifyUrl: () => string | undefined
  /** This instance's consumer name in the `coordinator` group (stable per instance). */
  consumer: string
}

export interface CoordinatorTimings {
  leaseMs: number
  reclaimAfterMs: number
  maxAttempts: number
}

export interface DrainReport {
  executed: number
  refused: number
  failed: number
  rejected: number
  duplicates: number
  retrying: number
  /** Left pending: another consumer still holds the command's lease. */
  busy: number
  /** Commands taken over from a consumer that stopped acknowledging. */
  reclaimed: number
  events: number
}

const emptyReport = (): DrainReport => ({ executed: 0, refused: 0, failed: 0, rejected: 0, duplicates: 0, retrying: 0, busy: 0, reclaimed: 0, events: 0 })

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Seed 000's CI coordinator: reads the durable command queues as one consumer of the
 * `coordinator` group (any number of instances can run one each), validates every command again
 * (the allow-list may have changed; agents may write to the queues directly), executes it at most
 * once per idempotency key through its handler, and acknowledges it only when it is settled.
 * A consumer that dies mid-command leaves it pending: another reclaims it after `reclaimAfterMs`,
 * and executes it once the first one's lease has run out. It also turns ci:events into commands
 * (event-rules.ts).
 */
export class Coordinator {
  readonly publisher: Publisher
  /** Owner of idempotency leases: unique per process, even when instances share a consumer name. */
  private readonly owner: string

  constructor(
    readonly deps: CoordinatorDeps,
    private readonly timings?: Partial<CoordinatorTimings>,
  ) {
    this.publisher = new Publisher(deps)
    this.owner = `${deps.consumer}#${randomUUID().slice(0, 8)}`
  }

  private settings(): CoordinatorTimings {
    const c = this.deps.config().coordination.coordinator
    return { leaseMs: c.lease, reclaimAfterMs: c.reclaim_after, maxAttempts: c.max_attempts, ...this.timings }
  }

  /**
   * One pass: events to rules, stalled commands reclaimed, then new commands until none is left
   * or `budgetMs` is spent. `blockMs` (with a connection of its own in `via`) waits for new ones.
   */
  async drainOnce(opts: { budgetMs?: number; blockMs?: number; via?: Redis; batch?: number } = {}): Promise<DrainReport> {
    const report = emptyReport()
    const deadline = Date.now() + (opts.budgetMs ?? 8000)
    const batch = opts.batch ?? 20
    const t = this.settings()
    const { consumer } = this.deps
    const events = this.publisher.events
    for (const e of [...(await events.reclaim(consumer, t.reclaimAfterMs, batch)), ...(await events.readNew(consumer, batch))]) await this.handleEvent(e, report)
    const stalled = await this.publisher.queues.reclaim(consumer, t.reclaimAfterMs, batch)
    report.reclaimed = stalled.length
    for (const e of stalled) await this.handleCommand(e, report, t)
    let first = true
    while (Date.now() < deadline) {
      const fresh = await this.publisher.queues.readNew(consumer, batch, first ? opts.blockMs : undefined, opts.via)
      first = false
      if (fresh.length === 0) break
      for (const e of fresh) await this.handleCommand(e, report, t)
    }
    if (Math.random() < 0.05) await this.publisher.queues.pruneConsumers(86_400_000).catch(() => 0)
    return report
  }

  private async handleEvent(entry: StreamEntry, report: DrainReport): Promise<void> {
    report.events++
    const parsed = parseMessageText('ci:events', entry.message ?? '')
    if (!parsed.ok) {
      report.rejected++
      await this.publisher.reject('ci:events', parsed.reason, parsed.field, { type: '(event)', queue: entry.stream, entry_id: entry.id })
    } else {
      for (const cmd of commandsForEvent(parsed.message, this.deps.config())) await this.publisher.publishCommand(cmd)
    }
    await this.publisher.events.ack(entry)
  }

  private async handleCommand(entry: StreamEntry, report: DrainReport, t: CoordinatorTimings): Promise<void> {
    const where = { queue: entry.stream, entry_id: entry.id }
    const rejectAndAck = async (reason: string, field: string, about: { type: string; repo?: string; pr_number?: number; idempotency_key?: string; source?: string }) => {
      report.rejected++
      await this.publisher.reject('ci:commands', reason, field, { ...about, ...where })
      await this.publisher.queues.ack(entry)
    }
    if (entry.message === null) return rejectAndAck('message: the entry has no "message" field (XADD <queue> * message <json>)', 'message', { type: '(invalid)' })
    const parsed = parseMessageText('ci:commands', entry.message)
    if (!parsed.ok) return rejectAndAck(parsed.reason, parsed.field, { type: '(invalid)' })
    const cmd = parsed.message
    const about = { type: cmd.type, repo: cmd.repo, source: cmd.source, ...(cmd.pr_number ? { pr_number: cmd.pr_number } : {}), ...(cmd.idempotency_key ? { idempotency_key: cmd.idempotency_key } : {}) }
    const queueType = COMMAND_TYPES.find((q) => this.deps.keys.queue(q) === entry.stream)
    if (cmd.type !== queueType) return rejectAndAck(`type: a ${cmd.type} command does not belong on ${entry.stream}`, 'type', about)
    const allowed = allowCommand(this.deps.config(), cmd)
    if (!allowed.ok) return rejectAndAck(allowed.reason, allowed.field, about)

    const key = cmd.idempotency_key ?? `${entry.stream}:${entry.id}`
    const shown: CiCommand = { ...cmd, repo: allowed.fullName }
    const claim = await this.publisher.ledger.claim(key, this.owner, t.leaseMs)
    if (claim.status === 'busy') {
      report.busy++
      return // still pending: reclaimed again later, executed once its owner's lease runs out
    }
    if (claim.status !== 'claimed') {
      report.duplicates++
      await this.publisher.result(shown, key, 'duplicate', `already ${claim.status}: not executed again`, where)
      return this.publisher.queues.ack(entry)
    }
    const notifyUrl = this.deps.notifyUrl()
    try {
      const ctx: HandlerContext = { github: this.deps.github, target: allowed, notifyUrl }
      const outcome = await withTimeout(this.dispatch(cmd, ctx), Math.max(100, Math.floor(t.leaseMs * 0.9)), `${cmd.type} command`)
      await this.publisher.ledger.finish(key, outcome.result === 'executed' ? 'done' : 'refused', outcome.detail)
      report[outcome.result === 'executed' ? 'executed' : 'refused']++
      await this.publisher.result(shown, key, outcome.result, outcome.detail, where)
      await this.publisher.queues.ack(entry)
    } catch (err) {
      const message = redact(err instanceof Error ? err.message : String(err), notifyUrl, process.env.GITHUB_TOKEN).slice(0, 500)
      if (isTransient(err) && claim.attempt < t.maxAttempts) {
        report.retrying++
        await this.publisher.ledger.release(key, this.owner)
        await this.publisher.result(shown, key, 'retrying', `attempt ${claim.attempt} of ${t.maxAttempts} failed: ${message}`, where)
        return // left pending: another delivery after reclaimAfterMs
      }
      report.failed++
      await this.publisher.ledger.finish(key, 'failed', message)
      await this.publisher.result(shown, key, 'failed', `${claim.attempt > 1 ? `after ${claim.attempt} attempts: ` : ''}${message}`, where)
      await this.publisher.queues.ack(entry)
    }
  }

  private dispatch(cmd: CiCommand, ctx: HandlerContext): Promise<Outcome> {
    switch (cmd.type) {
      case 'rerun':
        return handleRerun(cmd, ctx)
      case 'label':
        return handleLabel(cmd, ctx)
      case 'merge':
        return handleMerge(cmd, ctx)
      case 'notify':
        return handleNotify(cmd, ctx)
    }
  }
}
