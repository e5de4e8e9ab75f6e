import type { Redis } from 'ioredis'
import type { EnvironmentName } from '../config/deploy'
import type { EnvironmentState } from './model'

const KEY = 'cicd:deploy:env'

/** Environment state in Redis (survives restarts; shared by every process of the server). */
export class EnvironmentStore {
  constructor(private readonly redis: Redis) {}

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

  /**
   * One deploy, monitor or rollback at a time per environment, across processes. Returns a
   * release function, or the holder's description when someone else holds it.
   */
  async lock(repo: string, env: EnvironmentName, holder: string, ttlMs = 15 * 60_000): Promise<{ release: () => Promise<void> } | { heldBy: string }> {
    const key = `cicd:deploy:lock:${repo}:${env}`
    const token = `${holder}#${process.pid}#${Math.random().toString(36).slice(2)}`
    const ok = await this.redis.set(key, token, 'PX', ttlMs, 'NX')
    if (ok !== 'OK') return { heldBy: ((await this.redis.get(key)) ?? 'someone').split('#')[0] ?? 'someone' }
    return {
      release: async () => {
        await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, key, token)
      },
    }
  }
}
