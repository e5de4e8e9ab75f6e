import { randomUUID } from 'node:crypto'
import os from 'node:os'
import type { Redis } from 'ioredis'

export interface RedisSemaphoreOptions {
  /** The sorted set of holders (member: holder id, score: lease expiry, Redis's clock in ms). */
  key: string
  /** Holders at once, across every process that uses the key. */
  limit: number
  /**
   * A lease lasts the caller's remaining budget plus this (ms, default 1000): a holder that dies
   * without releasing frees its slot that long after its budget ran out.
   */
  leaseMarginMs?: number
  /** Polling interval while waiting for a slot (ms, default 50, jittered). */
  pollMs?: number
}

// KEYS: holders. ARGV: holder id, limit, lease ms. Expired leases are dropped first, so a holder
// that crashed frees its slot when its lease ends. The clock is Redis's: instances agree on it.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], lease) end
return 1`

const RELEASE = `return redis.call('ZREM', KEYS[1], ARGV[1])`

/**
 * A counting semaphore on Redis for processes on one or many machines (atomic Lua scripts over a
 * sorted set of holders with lease expiry). `acquire` waits within the caller's budget; the lease
 * ends by itself, so a killed holder cannot keep a slot. Errors (Redis down) are thrown: the caller
 * decides what to fall back to.
 */
export class RedisSemaphore {
  readonly scope = 'redis'
  readonly limit: number
  private readonly key: string
  private readonly margin: number
  private readonly pollMs: number

  constructor(
    private readonly redis: Redis,
    opts: RedisSemaphoreOptions,
  ) {
    this.key = opts.key
    this.limit = opts.limit
    this.margin = opts.leaseMarginMs ?? 1000
    this.pollMs = opts.pollMs ?? 50
  }

  /**
   * Whether the client is connected, waiting at most `waitMs` while it connects (a fresh process's
   * first call); at once false when it is closed.
   */
  async ready(waitMs: number): Promise<boolean> {
    const status = this.redis.status
    if (status === 'ready') return true
    if (status === 'end' || status === 'close' || waitMs <= 0) return false
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer)
        this.redis.off('ready', onReady)
        resolve(ok)
      }
      const onReady = () => done(true)
      const timer = setTimeout(() => done(this.redis.status === 'ready'), waitMs)
      this.redis.once('ready', onReady)
    })
  }

  /** Waits at most `budgetMs` for a slot; null when none came free in time. */
  async acquire(budgetMs: number): Promise<{ release(): Promise<void> } | null> {
    const id = `${os.hostname()}:${process.pid}:${randomUUID()}`
    const deadline = performance.now() + budgetMs
    for (;;) {
      const left = deadline - performance.now()
      if (left <= 0) return null
      const got = await this.redis.eval(ACQUIRE, 1, this.key, id, String(this.limit), String(Math.ceil(left + this.margin)))
      if (got === 1) return this.lease(id)
      const wait = Math.min(left, this.pollMs * (0.5 + Math.random()))
      await new Promise((r) => setTimeout(r, wait))
    }
  }

  /** Holders now (expired leases excluded). */
  async holders(): Promise<number> {
    const [t] = await this.redis.time()
    return this.redis.zcount(this.key, `(${Number(t) * 1000}`, '+inf')
  }

  private lease(id: string) {
    let held = true
    return {
      release: async () => {
        if (!held) return
        held = false
        // a lost release is bounded by the lease
        await this.redis.eval(RELEASE, 1, this.key, id).catch(() => undefined)
      },
    }
  }
}
