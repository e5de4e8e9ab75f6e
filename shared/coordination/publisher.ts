import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { CicdConfig } from '../config/schema'
import { allowCommand } from './allow-list'
import { AuditLog, type AuditRecord } from './audit-log'
import { Channels } from './channels'
import { commandQueues, eventLog } from './queues'
import { IdempotencyLedger } from './idempotency'
import type { CoordinationKeys } from './keys'
import { parseMessage, type ChannelName, type CiCommand, type CiEvent, type CiStatus, type MessageByChannel, type StatusInput } from './messages'
import type { StreamGroup } from './stream-group'

export interface CoordinationDeps {
  redis: Redis
  keys: CoordinationKeys
  /** The config in force (read again for every command: the allow-list may change). */
  config: () => CicdConfig
  /** Who publishes this process' own status messages (`ci_watcher`, `ci_coordinator`, `cli`, `api`). */
  source: string
  /** This process, as heartbeats and the audit log name it. */
  instance: string
}

/** `announce: false`: queue or log it, but do not PUBLISH it (the pub/sub bridge: it was heard there already). */
export interface PublishOptions {
  announce?: boolean
}

export type Published =
  | { ok: true; channel: 'ci:commands'; queue: string; id: string; idempotency_key: string; duplicate: boolean; message: CiCommand }
  | { ok: true; channel: 'ci:events'; receivers: number; id: string | null; duplicate: boolean; message: CiEvent }
  | { ok: true; channel: 'ci:status'; receivers: number; message: CiStatus }
  /** 400: invalid (the field is named); 403: not on the repository's allow-list. */
  | { ok: false; status: 400 | 403; field: string; reason: string }

function describeInput(input: unknown): { type: string; repo?: string; pr_number?: number; idempotency_key?: string; source?: string } {
  const o = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {}
  const str = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max && /^[\w.:@/#+=-]+$/.test(v) ? v : undefined)
  return {
    type: str(o.type, 40) ?? '(invalid)',
    ...(str(o.repo, 200) ? { repo: str(o.repo, 200) } : {}),
    ...(typeof o.pr_number === 'number' && Number.isInteger(o.pr_number) ? { pr_number: o.pr_number } : {}),
    ...(str(o.idempotency_key, 200) ? { idempotency_key: str(o.idempotency_key, 200) } : {}),
    ...(str(o.source, 64) ? { source: str(o.source, 64) } : {}),
  }
}

/**
 * Publishing on seed 000's channels, for every producer (the watcher, the coordinator's rules,
 * the CLI, the HTTP API). Everything is validated first; an invalid message or a command not
 * allowed for its repository goes nowhere but to `ci:status` and the audit log, with the reason.
 *   ci:commands → the command's durable queue (ci:rerun, ci:label, ci:merge, ci:notify), then
 *                 PUBLISH for observers; audited as `queued`.
 *   ci:events   → the event log the coordinator reads (durable), then PUBLISH.
 *   ci:status   → PUBLISH (heartbeats are also kept in ci:agents).
 */
export class Publisher {
  readonly channels: Channels
  readonly audit: AuditLog
  readonly queues: StreamGroup
  readonly events: StreamGroup
  readonly ledger: IdempotencyLedger

  constructor(readonly deps: CoordinationDeps) {
    this.channels = new Channels(deps.redis, deps.keys)
    this.audit = new AuditLog(deps.redis, deps.keys)
    this.queues = commandQueues(deps.redis, deps.keys)
    this.events = eventLog(deps.redis, deps.keys)
    this.ledger = new IdempotencyLedger(deps.redis, deps.keys)
  }

  publish(channel: ChannelName, input: unknown): Promise<Published> {
    if (channel === 'ci:commands') return this.publishCommand(input)
    if (channel === 'ci:events') return this.publishEvent(input)
    return this.publishStatus(input)
  }

  /**
   * PUBLISH for observers, with an id of ours claimed first (ci:heard:<id>) so that the pub/sub
   * bridge of every instance knows the message is already in the durable queues.
   */
  private async announce<C extends 'ci:events' | 'ci:commands'>(channel: C, message: MessageByChannel[C]): Promise<number> {
    const ttl = Math.max(1, Math.round(this.deps.config().coordination.bridge.dedupe_ttl))
    const id = message.id ?? randomUUID()
    const [, heard] = (await this.deps.redis.multi().set(this.deps.keys.heard(`id:${id}`), 'ours', 'PX', ttl).publish(this.deps.keys.channel(channel), JSON.stringify({ ...message, id })).exec()) ?? []
    return Number(heard?.[1] ?? 0)
  }

  async publishCommand(input: unknown, opts: PublishOptions = {}): Promise<Published> {
    const parsed = parseMessage('ci:commands', input)
    if (!parsed.ok) {
      await this.reject('ci:commands', parsed.reason, parsed.field, describeInput(input))
      return { ok: false, status: 400, field: parsed.field, reason: parsed.reason }
    }
    const cmd = parsed.message
    const allowed = allowCommand(this.deps.config(), cmd)
    if (!allowed.ok) {
      await this.reject('ci:commands', allowed.reason, allowed.field, describeInput(cmd))
      return { ok: false, status: 403, field: allowed.field, reason: allowed.reason }
    }
    const key = cmd.idempotency_key ?? `${cmd.type}:${randomUUID()}`
    const message: CiCommand = { ...cmd, id: randomUUID(), idempotency_key: key }
    const queue = this.deps.keys.queue(cmd.type)
    const about = { command_type: cmd.type, channel: 'ci:commands', repo: allowed.fullName, ...(cmd.pr_number ? { pr_number: cmd.pr_number } : {}), source: cmd.source, ...(cmd.requested_by ? { requested_by: cmd.requested_by } : {}), idempotency_key: key, queue }
    const final = await this.ledger.final(key)
    if (final) {
      await this.record({ ...about, result: 'duplicate', reason: `already ${final.state}: not queued again` })
      return { ok: true, channel: 'ci:commands', queue, id: '', idempotency_key: key, duplicate: true, message }
    }
    const id = await this.queues.add(queue, JSON.stringify(message))
    await this.record({ ...about, entry_id: id, result: 'queued' })
    if (opts.announce !== false) await this.announce('ci:commands', message)
    return { ok: true, channel: 'ci:commands', queue, id, idempotency_key: key, duplicate: false, message }
  }

  /** `once`: a key that makes a repeated publication (a redelivered pipeline event) a no-op. */
  async publishEvent(input: unknown, once?: string, opts: PublishOptions = {}): Promise<Published> {
    const parsed = parseMessage('ci:events', input)
    if (!parsed.ok) {
      await this.reject('ci:events', parsed.reason, parsed.field, describeInput(input))
      return { ok: false, status: 400, field: parsed.field, reason: parsed.reason }
    }
    if (once && !(await this.deps.redis.set(this.deps.keys.eventOnce(once), '1', 'EX', 7 * 86_400, 'NX')))
      return { ok: true, channel: 'ci:events', receivers: 0, id: null, duplicate: true, message: parsed.message }
    const message: CiEvent = { ...parsed.message, id: randomUUID() }
    const id = await this.events.add(this.deps.keys.eventLog, JSON.stringify(message))
    const receivers = opts.announce === false ? 0 : await this.announce('ci:events', message)
    return { ok: true, channel: 'ci:events', receivers, id, duplicate: false, message }
  }

  async publishStatus(input: unknown): Promise<Published> {
    const parsed = parseMessage('ci:status', input)
    if (!parsed.ok) {
      await this.reject('ci:status', parsed.reason, parsed.field, describeInput(input))
      return { ok: false, status: 400, field: parsed.field, reason: parsed.reason }
    }
    const s = parsed.message
    if (s.type === 'heartbeat') await this.deps.redis.hset(this.deps.keys.agents, `${s.agent}@${s.instance}`, JSON.stringify({ state: s.state, detail: s.detail, at: s.timestamp }))
    const receivers = await this.channels.publish('ci:status', s)
    return { ok: true, channel: 'ci:status', receivers, message: s }
  }

  /** This process' state on ci:status (and in ci:agents, for `GET /api/cicd/commands`). */
  async heartbeat(agent: string, state: string, detail?: string): Promise<void> {
    await this.publishStatus({ type: 'heartbeat', source: this.deps.source, agent, instance: this.deps.instance, state, ...(detail ? { detail: detail.slice(0, 500) } : {}) })
  }

  /** A message that will not be executed: the reason to ci:status and the audit log. */
  async reject(channel: string, reason: string, field: string, about: ReturnType<typeof describeInput> & { queue?: string; entry_id?: string }): Promise<void> {
    const { type, source, ...rest } = about
    await this.record({ command_type: type, channel, ...rest, ...(source ? { source } : {}), result: 'rejected', reason })
    const status: StatusInput = { type: 'message_rejected', source: this.deps.source, channel: about.queue ?? channel, reason: reason.slice(0, 1000), field: field.slice(0, 200), message_type: type, ...rest }
    const parsed = parseMessage('ci:status', status)
    if (parsed.ok) await this.channels.publish('ci:status', parsed.message) // never through publishStatus: no loop
  }

  /** A command's outcome on ci:status and in the audit log. */
  async result(cmd: CiCommand, key: string, result: 'executed' | 'refused' | 'failed' | 'duplicate' | 'retrying', detail: string, extra: Partial<AuditRecord> = {}): Promise<void> {
    await this.record({ command_type: cmd.type, channel: 'ci:commands', repo: cmd.repo, ...(cmd.pr_number ? { pr_number: cmd.pr_number } : {}), source: cmd.source, ...(cmd.requested_by ? { requested_by: cmd.requested_by } : {}), idempotency_key: key, result, reason: detail, ...extra })
    await this.publishStatus({ type: 'command_result', source: this.deps.source, command_type: cmd.type, repo: cmd.repo, ...(cmd.pr_number ? { pr_number: cmd.pr_number } : {}), idempotency_key: key, result, detail: detail.slice(0, 1000) })
  }

  /** An audit line, naming this instance. */
  async record(entry: AuditRecord): Promise<void> {
    await this.audit.record({ ...entry, instance: this.deps.instance })
  }
}
