import type { Redis } from 'ioredis'

/** Seed 001's answer: a new remediation, one already exists for this failure, or skipped. */
export type DedupStatus = 'new' | 'existing' | 'skipped'

export interface RemediationClaim {
  repo: string
  /** The workflow run id and its attempt: a re-run (higher attempt) is a new failure. */
  runId: string | number
  attempt: number
  branch: string
  /** The name the remediation will carry (e.g. `healer-ci-rex-abc12345`). */
  name: string
  /** No second remediation on the same branch within this window (seed 001: 10 minutes). */
  branchWindowMs: number
  /** How long a remediation counts as active when nobody reports its end. */
  activeTtlMs: number
}

export interface ClaimResult {
  status: DedupStatus
  /** The remediation that owns this failure (the new one, or the one that already exists). */
  name: string
  reason: string
}

/**
 * Checks and records in one atomic step (a Lua script), so concurrent deliveries to any number
 * of processes sharing the Redis yield exactly one `new`:
 *   1. by workflow run id + attempt → `existing` (the same failure, delivered again);
 *   2. by an active remediation on the branch → `skipped`;
 *   3. by a remediation on the branch within the window → `skipped`.
 * KEYS: run key, branch-active key, branch-recent key. ARGV: name, active ttl ms, window ms.
 */
const CLAIM = `
local owner = redis.call('GET', KEYS[1])
if owner then return {'existing', owner, 'this workflow run attempt is already being remediated'} end
local active = redis.call('GET', KEYS[2])
if active then return {'skipped', active, 'a remediation is already active on this branch'} end
local recent = redis.call('GET', KEYS[3])
if recent then return {'skipped', recent, 'a remediation ran on this branch within the window'} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', math.max(tonumber(ARGV[2]), tonumber(ARGV[3])) * 10)
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
return {'new', ARGV[1], 'first remediation for this failure'}
`

export class RemediationLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'cicd:healer:',
  ) {}

  private keys(c: Pick<RemediationClaim, 'repo' | 'runId' | 'attempt' | 'branch'>): [string, string, string] {
    const b = `${c.repo}:${c.branch}`
    return [`${this.prefix}run:${c.repo}:${c.runId}:${c.attempt}`, `${this.prefix}active:${b}`, `${this.prefix}recent:${b}`]
  }

  async claim(c: RemediationClaim): Promise<ClaimResult> {
    const [status, name, reason] = (await this.redis.eval(CLAIM, 3, ...this.keys(c), c.name, c.activeTtlMs, c.branchWindowMs)) as [DedupStatus, string, string]
    return { status, name, reason }
  }

  /** The remediation ended (fixed, failed, escalated): the branch is free again once the window passes. */
  async finish(c: Pick<RemediationClaim, 'repo' | 'runId' | 'attempt' | 'branch'>, name: string): Promise<void> {
    const [, active] = this.keys(c)
    // only the owner clears the active marker
    await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, active, name)
  }
}
