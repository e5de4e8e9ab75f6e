import type { Redis } from 'ioredis'
import type { CoordinationKeys } from './keys'

const TTL_MS = 30 * 86_400_000

/** Sets the pull request's last published state; 1 when it changed (only then is it published). */
const CHANGED = `
if redis.call('HGET', KEYS[1], 'last') == ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'last', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`

/**
 * The rerun decision for a pull request, atomic on Redis' clock (so instances agree):
 *   - this failure (`observation`: the failing check runs' ids) was already rerun → already
 *   - the pull request used up its reruns → capped
 *   - a new failure → scheduled after backoff × 2^reruns (at most max backoff)
 *   - the scheduled time has not come → waiting; it has → go (and the rerun is counted)
 * KEYS: the pull request's hash. ARGV: observation, max reruns, backoff ms, max backoff ms, ttl ms.
 */
const RERUN_GATE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('HGET', KEYS[1], 'rerun_done_obs') == ARGV[1] then return {'already', 0} end
local reruns = tonumber(redis.call('HGET', KEYS[1], 'reruns') or '0')
if reruns >= tonumber(ARGV[2]) then return {'capped', reruns} end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if redis.call('HGET', KEYS[1], 'rerun_obs') ~= ARGV[1] then
  local delay = math.min(tonumber(ARGV[3]) * math.pow(2, reruns), tonumber(ARGV[4]))
  redis.call('HSET', KEYS[1], 'rerun_obs', ARGV[1], 'rerun_due', string.format('%.0f', now + delay))
  return {'scheduled', math.floor(delay)}
end
local due = tonumber(redis.call('HGET', KEYS[1], 'rerun_due') or '0')
if now < due then return {'waiting', due - now} end
redis.call('HSET', KEYS[1], 'reruns', reruns + 1, 'rerun_done_obs', ARGV[1])
redis.call('HDEL', KEYS[1], 'rerun_obs', 'rerun_due')
return {'go', reruns + 1}
`

export type RerunGate =
  | { decision: 'go'; rerun: number }
  | { decision: 'scheduled' | 'waiting'; inMs: number }
  | { decision: 'capped'; reruns: number }
  | { decision: 'already' }

/** The CI watcher's memory in Redis, shared by every instance that runs it. */
export class WatcherState {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CoordinationKeys,
  ) {}

  /** At most one poll per interval across all instances: true for the one that may poll now. */
  async takeTick(intervalMs: number, owner: string): Promise<boolean> {
    return (await this.redis.set(this.keys.watcherTick, owner, 'PX', Math.max(1, Math.round(intervalMs)), 'NX')) === 'OK'
  }

  async changed(repo: string, pr: number, state: string): Promise<boolean> {
    return (await this.redis.eval(CHANGED, 1, this.keys.watcherPull(repo, pr), state, TTL_MS)) === 1
  }

  async rerunGate(repo: string, pr: number, observation: string, maxReruns: number, backoffMs: number, maxBackoffMs: number): Promise<RerunGate> {
    const [decision, n] = (await this.redis.eval(RERUN_GATE, 1, this.keys.watcherPull(repo, pr), observation, maxReruns, Math.round(backoffMs), Math.round(maxBackoffMs), TTL_MS)) as [string, number]
    if (decision === 'go') return { decision, rerun: n }
    if (decision === 'scheduled' || decision === 'waiting') return { decision, inMs: n }
    if (decision === 'capped') return { decision, reruns: n }
    return { decision: 'already' }
  }

  async learnFlaky(repo: string, names: readonly string[]): Promise<void> {
    if (!names.length) return
    await this.redis.multi().sadd(this.keys.watcherFlaky(repo), ...names).pexpire(this.keys.watcherFlaky(repo), TTL_MS).exec()
  }

  async knownFlaky(repo: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(this.keys.watcherFlaky(repo)))
  }

  /** True once per pull request head: the smoke request is not repeated on every poll. */
  async smokeOnce(repo: string, pr: number, sha: string): Promise<boolean> {
    return (await this.redis.set(this.keys.watcherSmoke(repo, pr, sha), '1', 'PX', TTL_MS, 'NX')) === 'OK'
  }

  /** Whether the head commit's message was already read for `[run-smoke]` (read once per head). */
  async messageRead(repo: string, pr: number, sha: string): Promise<boolean> {
    return (await this.redis.hget(this.keys.watcherPull(repo, pr), 'message_sha')) === sha
  }

  async markMessageRead(repo: string, pr: number, sha: string): Promise<void> {
    const key = this.keys.watcherPull(repo, pr)
    await this.redis.multi().hset(key, 'message_sha', sha).pexpire(key, TTL_MS).exec()
  }
}
