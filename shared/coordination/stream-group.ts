import type { Redis } from 'ioredis'

/** An entry of a Redis stream as a consumer gets it: which stream, its id, its `message` field. */
export interface StreamEntry {
  stream: string
  id: string
  /** The `message` field (JSON text); null when the entry has none (an agent wrote other fields). */
  message: string | null
}

type RawEntry = [string, string[]]

function toEntry(stream: string, raw: RawEntry): StreamEntry {
  const [id, fields] = raw
  const i = fields.indexOf('message')
  return { stream, id, message: i >= 0 && i % 2 === 0 ? (fields[i + 1] ?? null) : null }
}

/**
 * Durable delivery over Redis streams with one consumer group (XADD / XREADGROUP / XACK, and
 * XAUTOCLAIM for entries whose consumer died): at least once, to exactly one consumer at a time.
 * The group is created at offset 0 by whoever comes first (producer or consumer), so entries
 * written before any consumer existed are delivered, not skipped.
 */
export class StreamGroup {
  private readonly ensured = new Set<string>()

  constructor(
    private readonly redis: Redis,
    readonly streams: readonly string[],
    readonly group: string,
    private readonly maxLen = 100_000,
  ) {}

  async ensure(stream: string): Promise<void> {
    if (this.ensured.has(stream)) return
    try {
      await this.redis.xgroup('CREATE', stream, this.group, '0', 'MKSTREAM')
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err
    }
    this.ensured.add(stream)
  }

  async ensureAll(): Promise<void> {
    for (const s of this.streams) await this.ensure(s)
  }

  /** Runs `fn`; when a stream or its group vanished (deleted, flushed), creates them again and retries once. */
  private async withGroups<T>(fn: () => Promise<T>): Promise<T> {
    await this.ensureAll()
    try {
      return await fn()
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOGROUP'))) throw err
      this.ensured.clear()
      await this.ensureAll()
      return fn()
    }
  }

  /** Appends `message` (JSON text); the entry id. */
  async add(stream: string, message: string): Promise<string> {
    await this.ensure(stream)
    return (await this.redis.xadd(stream, 'MAXLEN', '~', this.maxLen, '*', 'message', message)) ?? ''
  }

  /**
   * Entries never delivered to this group, now owned by `consumer` until acknowledged. `blockMs`
   * waits for new ones: only on a connection of its own (a blocked connection serves no one else).
   */
  async readNew(consumer: string, count: number, blockMs?: number, via: Redis = this.redis): Promise<StreamEntry[]> {
    const block = blockMs !== undefined ? ['BLOCK', blockMs] : []
    const reply = (await this.withGroups(() => via.call('XREADGROUP', 'GROUP', this.group, consumer, 'COUNT', count, ...block, 'STREAMS', ...this.streams, ...this.streams.map(() => '>')))) as Array<[string, RawEntry[]]> | null
    return (reply ?? []).flatMap(([stream, entries]) => entries.map((e) => toEntry(stream, e)))
  }

  /**
   * Entries delivered to some consumer but not acknowledged for `minIdleMs` (it died, or is stuck),
   * now owned by `consumer`. Entries trimmed away meanwhile are acknowledged and dropped.
   */
  async reclaim(consumer: string, minIdleMs: number, count: number): Promise<StreamEntry[]> {
    const out: StreamEntry[] = []
    for (const stream of this.streams) {
      const reply = (await this.withGroups(() => this.redis.call('XAUTOCLAIM', stream, this.group, consumer, minIdleMs, '0-0', 'COUNT', count))) as [string, Array<RawEntry | null>, string[]?]
      const [, entries, deleted = []] = reply
      for (const e of entries) if (e) out.push(toEntry(stream, e))
      if (deleted.length) await this.redis.xack(stream, this.group, ...deleted)
    }
    return out
  }

  async ack(entry: Pick<StreamEntry, 'stream' | 'id'>): Promise<void> {
    await this.redis.xack(entry.stream, this.group, entry.id)
  }

  /** Entries delivered but not yet acknowledged, per stream. */
  async pending(): Promise<Record<string, number>> {
    await this.ensureAll()
    const out: Record<string, number> = {}
    for (const s of this.streams) {
      const reply = (await this.redis.xpending(s, this.group)) as [number, ...unknown[]]
      out[s] = Number(reply[0] ?? 0)
    }
    return out
  }

  /** Entries not yet delivered to the group, per stream (Redis 7's `lag`). */
  async waiting(): Promise<Record<string, number>> {
    await this.ensureAll()
    const out: Record<string, number> = {}
    for (const s of this.streams) {
      const groups = (await this.redis.call('XINFO', 'GROUPS', s)) as unknown[][]
      for (const g of groups) {
        const info = new Map<string, unknown>()
        for (let i = 0; i + 1 < g.length; i += 2) info.set(String(g[i]), g[i + 1])
        if (info.get('name') === this.group) out[s] = Number(info.get('lag') ?? 0)
      }
    }
    return out
  }

  /** Forgets consumers with nothing pending that were idle for `idleMs` (a process per tick leaves many). */
  async pruneConsumers(idleMs: number): Promise<number> {
    let pruned = 0
    for (const s of this.streams) {
      const consumers = (await this.redis.call('XINFO', 'CONSUMERS', s, this.group).catch(() => [])) as unknown[][]
      for (const c of consumers) {
        const info = new Map<string, unknown>()
        for (let i = 0; i + 1 < c.length; i += 2) info.set(String(c[i]), c[i + 1])
        if (Number(info.get('pending')) === 0 && Number(info.get('idle')) > idleMs) {
          await this.redis.xgroup('DELCONSUMER', s, this.group, String(info.get('name')))
          pruned++
        }
      }
    }
    return pruned
  }
}
