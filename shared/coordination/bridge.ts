import { createHash } from 'node:crypto'
import { subscribe, type Heard, type Subscription } from './channels'
import type { Publisher } from './publisher'

export type BridgeOutcome =
  /** Ours (our publisher claimed its id), or another instance took it first: nothing to do. */
  | { result: 'seen' }
  /** Taken into the durable queues: a command queued, an event logged for the coordinator. */
  | { result: 'bridged'; channel: 'ci:events' | 'ci:commands' }
  /** Invalid or not allowed: the reason went to ci:status and the audit log. */
  | { result: 'rejected'; channel: 'ci:events' | 'ci:commands'; reason: string }

const ID = /^[A-Za-z0-9_.:@#-]{1,100}$/

/**
 * The key a message heard on a channel is remembered by: its `id` when it has a valid one (our
 * publisher's messages always do, and it claims them before the PUBLISH), else a hash of its exact
 * text on that channel.
 */
export function heardKey(channel: string, raw: string, value: unknown): string {
  const id = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined
  if (typeof id === 'string' && ID.test(id)) return `id:${id}`
  return `sha:${createHash('sha256').update(channel).update('\n').update(raw).digest('hex').slice(0, 40)}`
}

/**
 * Seed 000's agents may simply `PUBLISH ci:events …` or `PUBLISH ci:commands …`. Pub/sub reaches
 * whoever listens at that moment, so every instance listens, and the first to claim a message
 * (SET NX on its key, with a TTL, on Redis) moves it into the durable queues exactly as the
 * publisher would — validated, allow-listed, audited — without publishing it again. The others,
 * and every instance for a message our own publisher sent, find the key taken and do nothing.
 * ci:status is for observers only and is not bridged.
 */
export class PubSubBridge {
  constructor(private readonly publisher: Publisher) {}

  private ttlMs(): number {
    return Math.max(1000, Math.round(this.publisher.deps.config().coordination.bridge.dedupe_ttl))
  }

  async ingest(channel: 'ci:events' | 'ci:commands', raw: string): Promise<BridgeOutcome> {
    let value: unknown
    let notJson: string | undefined
    try {
      value = JSON.parse(raw)
    } catch (err) {
      notJson = err instanceof Error ? err.message : String(err)
    }
    const { redis, keys } = this.publisher.deps
    const claimed = await redis.set(keys.heard(heardKey(channel, raw, value)), this.publisher.deps.instance, 'PX', this.ttlMs(), 'NX')
    if (claimed !== 'OK') return { result: 'seen' }
    if (notJson !== undefined) {
      const reason = `(message): not JSON (${notJson.slice(0, 200)})`
      await this.publisher.reject(channel, reason, '(message)', { type: '(invalid)', queue: `${channel} (PUBLISH)` })
      return { result: 'rejected', channel, reason }
    }
    const r = channel === 'ci:commands' ? await this.publisher.publishCommand(value, { announce: false }) : await this.publisher.publishEvent(value, undefined, { announce: false })
    return r.ok ? { result: 'bridged', channel } : { result: 'rejected', channel, reason: r.reason }
  }

  /** Listens on ci:events and ci:commands until closed; `onOutcome` sees what became of each message. */
  async start(onOutcome: (o: BridgeOutcome, heard: Heard) => void = () => undefined, onError: (err: unknown) => void = () => undefined): Promise<Subscription> {
    const { redis, keys } = this.publisher.deps
    return subscribe(redis, keys, ['ci:events', 'ci:commands'], (heard) => {
      const channel = heard.channel
      if (channel === 'ci:status') return
      this.ingest(channel, heard.raw).then((o) => onOutcome(o, heard), onError)
    })
  }
}
