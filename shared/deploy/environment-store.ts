import type { Redis } from 'ioredis'
import type { EnvironmentName } from '../config/deploy'
import type { EnvironmentState } from './model'

const KEY = 'cicd:deploy:env'

/** Environment state in Redis (survives restarts; shared by every process of the server). */
export class EnvironmentStore {
  /** lockTtlMs: how soon a dead holder's lock frees the environment (default 30 s). */
  constructor(
    private readonly redis: Redis,
    private readonly opts: { lockTtlMs?: number } = {},
  ) {}

  private key(repo: string, env: EnvironmentName): string {
    return `${KEY}:${repo}:${env}`
  }

  async get(repo: string, env: EnvironmentName): Promise<EnvironmentState | null> {
    const raw = await this.redis.get(this.key(repo, env))
    return raw ? (JSON.parse(raw) as EnvironmentState) : null
  }

  async save(state: EnvironmentState): Promise<void> {
    state.updatedAt = new Date().toISOString()
    await this.redis.set(this.key(state.repo, state.environment), JSON.stringify(state))
  }

  async list(): Promise<EnvironmentState[]> {
    const keys: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${KEY}:*`, 'COUNT', 200)
      cursor = next
      keys.push(...batch)
    } while (cursor !== '0')
    if (!keys.length) return []
    const values = await this.redis.mget(...keys)
    return values.filter((v): v is string => typeof v === 'string').map((v) => JSON.parse(v) as EnvironmentState)
  }

  async remove(repo: string, env: EnvironmentName): Promise<void> {
    await this.redis.del(this.key(repo, env))
  }

  /** Who holds the environment's lock now (null: nobody). */
  async holder(repo: string, env: EnvironmentName): Promise<string | null> {
    const v = await this.redis.get(`cicd:deploy:lock:${repo}:${env}`)
    return v ? (v.split('#')[0] ?? 'someone') : null
  }

  /**
   * One deploy, monitor or rollback at a time per environment, across processes. Returns a
   * release function, or the holder's description when someone else holds it. The lock lives
   * `ttlMs` and is refreshed every third of it while held: a holder that dies (kill -9, a lost
   * machine) frees the environment within `ttlMs`, however long a deploy takes.
   */
  async lock(repo: string, env: EnvironmentName, holder: string, ttlMs = this.opts.lockTtlMs ?? 30_000): Promise<{ release: () => Promise<void> } | { heldBy: string }> {
    const key = `cicd:deploy:lock:${repo}:${env}`
    const token = `${holder}#${process.pid}#${Math.random().toString(36).slice(2)}`
    const ok = await this.redis.set(key, token, 'PX', ttlMs, 'NX')
    if (ok !== 'OK') return { heldBy: ((await this.redis.get(key)) ?? 'someone').split('#')[0] ?? 'someone' }
    const refresh = setInterval(() => {
      this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end", 1, key, token, String(ttlMs)).catch(() => undefined)
    }, Math.max(100, Math.floor(ttlMs / 3)))
    refresh.unref()
    return {
      release: async () => {
        clearInterval(refresh)
        await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, key, token)
      },
    }
  }
}
