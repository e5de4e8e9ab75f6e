import type { Redis } from 'ioredis'
import type { CoordinationKeys } from './keys'
import { CHANNELS, parseMessageText, type ChannelName, type MessageByChannel, type Parsed } from './messages'

/**
 * The pub/sub side of the coordination: for observers only (dashboards, `cicd tail`, agents that
 * listen). Nothing that must happen depends on a PUBLISH being heard: commands travel through the
 * durable queues (command-queues.ts).
 */
export class Channels {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CoordinationKeys,
  ) {}

  /** Publishes a validated message; the number of subscribers that heard it. */
  async publish<C extends ChannelName>(channel: C, message: MessageByChannel[C]): Promise<number> {
    return this.redis.publish(this.keys.channel(channel), JSON.stringify(message))
  }
}

export interface Heard {
  channel: ChannelName
  /** The message as JSON text, control characters escaped (safe to print). */
  json: string
  /** Exactly what was published (untrusted; never print it as is). */
  raw: string
  parsed: Parsed<MessageByChannel[ChannelName]>
}

export interface Subscription {
  close(): Promise<void>
}

/** Makes anything heard printable: JSON is re-serialised (escaping control characters), other text quoted. */
function printable(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw))
  } catch {
    return JSON.stringify(raw)
  }
}

/**
 * Listens on `channels` through a connection of its own (a subscribed connection can do nothing
 * else); `onMessage` gets each message as it arrives, with its validation.
 */
export async function subscribe(redis: Redis, keys: CoordinationKeys, channels: readonly ChannelName[], onMessage: (heard: Heard) => void): Promise<Subscription> {
  const sub = redis.duplicate({ maxRetriesPerRequest: null, retryStrategy: (n: number) => Math.min(n * 200, 2000) })
  sub.on('error', () => undefined) // reconnects by itself; the caller sees silence, not a crash
  const byKey = new Map(CHANNELS.map((c) => [keys.channel(c), c] as const))
  sub.on('message', (key: string, raw: string) => {
    const channel = byKey.get(key)
    if (channel) onMessage({ channel, json: printable(raw), raw, parsed: parseMessageText(channel, raw) })
  })
  await sub.subscribe(...channels.map((c) => keys.channel(c)))
  return {
    close: async () => {
      await sub.unsubscribe().catch(() => undefined)
      sub.disconnect()
    },
  }
}
