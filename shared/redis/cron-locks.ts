import { randomUUID } from 'node:crypto'
import os from 'node:os'
import type { Redis } from 'ioredis'

/** Motia's cron lock shapes (its CronAdapter interface), restated so shared/ stays Motia-free. */
export interface CronLock {
  jobName: string
  lockId: string
  acquiredAt: number
  expiresAt: number
  instanceId: string
}
export type CronLockInfo = Omit<CronLock, 'lockId'>

export interface RedisCronLocksOptions {
  /** Names this instance in the locks (default: host and pid). */
  instanceId?: string
  /**
   * A job that started less than this long ago anywhere does not start again (ms, default 2000):
   * every instance's clock fires the same cron tick, a few milliseconds (or, under load, a few
   * hundred) apart. Keep it below the shortest cron interval.
   */
  minGapMs?: number
  keyPrefix?: string
  /**
   * The longest a running lock is held (ms, default 60000). Motia asks for 5 minutes and never
   * renews, so a job whose instance crashed would not run anywhere for 5 minutes; our cron jobs
   * take seconds.
   */
  maxLockMs?: number
}

// KEYS: running lock, last start. ARGV: lock JSON, ttl ms, min gap ms. The clock is Redis's, so
// instances on other machines agree on it.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if now - last < tonumber(ARGV[3]) then return 0 end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('SET', KEYS[2], tostring(now), 'PX', 86400000)
return 1`

// KEYS: running lock. ARGV: lock id, instance id (, renewed lock JSON, ttl ms).
const MINE = `local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local l = cjson.decode(v)
if l.lockId ~= ARGV[1] or l.instanceId ~= ARGV[2] then return 0 end
`
const RELEASE = `${MINE}return redis.call('DEL', KEYS[1])`
const RENEW = `${MINE}redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1`

/**
 * Cron locks for several instances on one Redis (Motia's CronAdapter): one execution of a job per
 * tick across all instances. Motia's own Redis cron adapter only excludes overlapping runs, so a
 * run shorter than the instances' clock skew ran once per instance; here a start also records the
 * time (Redis's clock) and a second start within `minGapMs` is refused. Uses ioredis, which
 * reconnects by itself after a Redis outage.
 */
export class RedisCronLocks {
  private readonly instanceId: string
  private readonly minGapMs: number
  private readonly prefix: string
  private readonly maxLockMs: number

  constructor(
    private readonly redis: Redis,
    opts: RedisCronLocksOptions = {},
  ) {
    this.instanceId = opts.instanceId ?? `${os.hostname()}:${process.pid}`
    this.minGapMs = opts.minGapMs ?? 2000
    this.prefix = opts.keyPrefix ?? 'motia:cron:'
    this.maxLockMs = opts.maxLockMs ?? 60_000
  }

  private lockKey(job: string): string {
    return `${this.prefix}lock:${job}`
  }

  async acquireLock(jobName: string, requestedTtl: number): Promise<CronLock | null> {
    const ttl = Math.min(requestedTtl, this.maxLockMs)
    const now = Date.now()
    const lock: CronLock = { jobName, lockId: randomUUID(), acquiredAt: now, expiresAt: now + ttl, instanceId: this.instanceId }
    const ok = await this.redis.eval(ACQUIRE, 2, this.lockKey(jobName), `${this.prefix}last:${jobName}`, JSON.stringify(lock), String(ttl), String(this.minGapMs))
    return ok === 1 ? lock : null
  }

  async releaseLock(lock: CronLock): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.lockKey(lock.jobName), lock.lockId, lock.instanceId).catch(() => undefined)
  }

  async renewLock(lock: CronLock, ttl: number): Promise<boolean> {
    const renewed = { ...lock, expiresAt: Date.now() + ttl }
    const ok = await this.redis.eval(RENEW, 1, this.lockKey(lock.jobName), lock.lockId, lock.instanceId, JSON.stringify(renewed), String(ttl)).catch(() => 0)
    return ok === 1
  }

  async isHealthy(): Promise<boolean> {
    return (await this.redis.ping().catch(() => '')) === 'PONG'
  }

  async getActiveLocks(): Promise<CronLockInfo[]> {
    const out: CronLockInfo[] = []
    for (const key of await this.scan(`${this.prefix}lock:*`)) {
      const v = await this.redis.get(key)
      if (!v) continue
      try {
        const l = JSON.parse(v) as CronLock
        out.push({ jobName: l.jobName, instanceId: l.instanceId, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt })
      } catch {
        /* not ours */
      }
    }
    return out
  }

  /** Drops this instance's running locks (a stopping instance's jobs may start elsewhere at once). */
  async shutdown(): Promise<void> {
    try {
      for (const key of await this.scan(`${this.prefix}lock:*`)) {
        const v = await this.redis.get(key)
        if (v && (JSON.parse(v) as CronLock).instanceId === this.instanceId) await this.redis.del(key)
      }
    } catch {
      /* Redis is gone: the locks expire by themselves */
    }
  }

  private async scan(match: string): Promise<string[]> {
    const keys: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 100)
      cursor = next
      keys.push(...batch)
    } while (cursor !== '0')
    return keys
  }
}
