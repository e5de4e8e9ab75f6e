import type { Redis } from 'ioredis'

/** Seed 001's answer: a new remediation, one already exists for this failure, or skipped. */
export type DedupStatus = 'new' | 'existing' | 'skipped'

export interface RemediationClaim {
  repo: string
  /** The workflow run id and its attempt: a re-run (higher attempt) is a new failure. */
  runId: string | number
  attempt: number
  branch: string
  /** The name the remediation will carry in answers and sinks (seed 001's `healer-ci-rex-abc12345`). */
  name: string
  /** Where the remediation is stored: unique per failure (run id and attempt); the name when absent. */
  id?: string
  /** The branch its fix goes to when that is not `branch` (`fix_branch: new`): failures there are the fix's. */
  fixBranch?: string
  /** No second remediation on the same branch within this window (seed 001: 10 minutes). */
  branchWindowMs: number
  /** How long a remediation counts as active when nobody reports its end (`healer.active_ttl`). */
  activeTtlMs: number
}

export interface ClaimResult {
  status: DedupStatus
  /** The remediation that owns this failure (the new one, or the one that already exists): its name… */
  name: string
  /** …and its storage key. */
  id: string
  reason: string
}

export interface BranchOwner {
  id: string
  name: string
}

type Coords = Pick<RemediationClaim, 'repo' | 'runId' | 'attempt' | 'branch'> & { fixBranch?: string | undefined }

/** Owners are kept as `id name` (a plain name: written before ids existed, or id = name). */
const encode = (id: string, name: string) => (id === name ? name : `${id} ${name}`)
function decode(v: string): BranchOwner {
  const i = v.indexOf(' ')
  return i < 0 ? { id: v, name: v } : { id: v.slice(0, i), name: v.slice(i + 1) }
}

/**
 * Checks and records in one atomic step (a Lua script), so concurrent deliveries to any number
 * of processes sharing the Redis yield exactly one `new`:
 *   1. by workflow run id + attempt → `existing` (the same failure, delivered again);
 *   2. by an active remediation on the branch → `skipped`;
 *   3. by a remediation on the branch within the window → `skipped`.
 * KEYS: run key, branch-active key, branch-recent key, fix-branch alias key (may equal the active
 * key: then not written). ARGV: owner, active ttl ms, window ms.
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
if KEYS[4] ~= KEYS[2] then redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[2]) end
return {'new', ARGV[1], 'first remediation for this failure'}
`

/** Deletes those of KEYS still owned by the remediation whose id is ARGV[1]. */
const OWNED = `
local n = 0
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if v and (v == ARGV[1] or string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. ' ') then
    redis.call('DEL', k)
    n = n + 1
  end
end
return n
`

/** Holds KEYS for ARGV[3] ms more for the owner ARGV[2] (id ARGV[1]): kept when it owns them, taken back when they were freed, left alone when another remediation holds them. */
const RENEW = `
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if not v or v == ARGV[1] or string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then redis.call('SET', k, ARGV[2], 'PX', ARGV[3]) end
end
return 1
`

export class RemediationLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'cicd:healer:',
  ) {}

  private branchKey(repo: string, branch: string): string {
    return `${this.prefix}active:${repo}:${branch}`
  }

  private fixKey(repo: string, branch: string): string {
    return `${this.prefix}fix-branch:${repo}:${branch}`
  }

  private keys(c: Coords): [string, string, string, string] {
    const b = `${c.repo}:${c.branch}`
    const active = this.branchKey(c.repo, c.branch)
    return [`${this.prefix}run:${c.repo}:${c.runId}:${c.attempt}`, active, `${this.prefix}recent:${b}`, c.fixBranch && c.fixBranch !== c.branch ? this.fixKey(c.repo, c.fixBranch) : active]
  }

  async claim(c: RemediationClaim): Promise<ClaimResult> {
    const id = c.id ?? c.name
    const [status, owner, reason] = (await this.redis.eval(CLAIM, 4, ...this.keys(c), encode(id, c.name), c.activeTtlMs, c.branchWindowMs)) as [DedupStatus, string, string]
    return { status, ...decode(owner), reason }
  }

  /**
   * The remediation active on a branch: the failing branch it was opened for, or the branch its
   * fix goes to. Undefined when there is none (ended, or its active TTL passed).
   */
  async activeOn(repo: string, branch: string): Promise<BranchOwner | undefined> {
    const [active, fix] = await this.redis.mget(this.branchKey(repo, branch), this.fixKey(repo, branch))
    const v = active ?? fix
    return v ? decode(v) : undefined
  }

  /**
   * Claims one failure as evidence against a remediation's fix, once: the first caller for this
   * (remediation, commit, run attempt) gets true. GitHub reports one failed run several times
   * (each failed job's `workflow_job` and `check_run`, the `check_suite`); they count once.
   */
  async claimFailedFix(id: string, sha: string, attempt: number, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}failed-fix:${id}:${sha}#${attempt}`, '1', 'PX', ttlMs, 'NX')) === 'OK'
  }

  /**
   * A new delivery of the remediation (an escalation, a person's re-routing): it holds its branch
   * for another `activeTtlMs`, unless another remediation holds it now.
   */
  async renew(c: Coords & { name: string }, id: string, activeTtlMs: number): Promise<void> {
    const [, active, , fix] = this.keys(c)
    await this.redis.eval(RENEW, active === fix ? 1 : 2, ...(active === fix ? [active] : [active, fix]), id, encode(id, c.name), activeTtlMs)
  }

  /** The remediation ended (fixed, handed to a person, finally failed): the branch is free again once the window passes. */
  async finish(c: Coords, id: string): Promise<void> {
    const [, active, , fix] = this.keys(c)
    // only the owner clears the active marker
    await this.redis.eval(OWNED, active === fix ? 1 : 2, ...(active === fix ? [active] : [active, fix]), id)
  }
}
