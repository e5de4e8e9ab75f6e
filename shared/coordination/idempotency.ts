import type { Redis } from 'ioredis'
import type { CoordinationKeys } from './keys'

export type FinalState = 'done' | 'refused' | 'failed'

export type Claim =
  | { status: 'claimed'; attempt: number }
  /** Already handled (by anyone, on any instance): acknowledge, do not execute again. */
  | { status: FinalState; detail: string }
  /** Being executed right now by `owner`, whose lease has not run out: leave it pending. */
  | { status: 'busy'; owner: string }

/**
 * One atomic step (a Lua script, Redis' own clock) decides whether this delivery of a command
 * may execute it: a finished command is never executed again; a running one is left to its owner
 * while its lease lasts; after that (its process died mid-command) the next claimant takes over.
 * KEYS: the command's record. ARGV: owner, lease ms, record ttl ms.
 */
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'done' or state == 'refused' or state == 'failed' then
  return {state, redis.call('HGET', KEYS[1], 'detail') or '', 0}
end
if state == 'running' and tonumber(redis.call('HGET', KEYS[1], 'lease_until') or '0') > now then
  return {'busy', redis.call('HGET', KEYS[1], 'owner') or '', 0}
end
local attempt = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'state', 'running', 'owner', ARGV[1], 'lease_until', string.format('%.0f', now + tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {'claimed', '', attempt}
`

/** A transient failure: the owner gives the command back for a later delivery (attempts are kept). */
const RELEASE = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == 'running' then
  redis.call('HSET', KEYS[1], 'state', 'retry')
  redis.call('HDEL', KEYS[1], 'lease_until')
  return 1
end
return 0
`

export class IdempotencyLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CoordinationKeys,
    private readonly ttlMs = 7 * 24 * 3_600_000,
  ) {}

  async claim(key: string, owner: string, leaseMs: number): Promise<Claim> {
    const [status, detail, attempt] = (await this.redis.eval(CLAIM, 1, this.keys.command(key), owner, Math.max(1, Math.round(leaseMs)), this.ttlMs)) as [string, string, number]
    if (status === 'claimed') return { status, attempt: Number(attempt) }
    if (status === 'busy') return { status, owner: detail }
    return { status: status as FinalState, detail }
  }

  async finish(key: string, state: FinalState, detail: string): Promise<void> {
    const k = this.keys.command(key)
    await this.redis.multi().hset(k, 'state', state, 'detail', detail.slice(0, 1000), 'finished_at', new Date().toISOString()).hdel(k, 'lease_until').pexpire(k, this.ttlMs).exec()
  }

  async release(key: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.command(key), owner)
  }

  /** The recorded final state of a command, if it has one. */
  async final(key: string): Promise<{ state: FinalState; detail: string } | null> {
    const [state, detail] = await this.redis.hmget(this.keys.command(key), 'state', 'detail')
    return state === 'done' || state === 'refused' || state === 'failed' ? { state, detail: detail ?? '' } : null
  }
}
