import { Redis } from 'ioredis'

/** The Redis the product uses: `REDIS_URL`, else Motia's `MOTIA_REDIS_HOST`/`MOTIA_REDIS_PORT`. */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REDIS_URL) return env.REDIS_URL
  return `redis://${env.MOTIA_REDIS_HOST ?? '127.0.0.1'}:${env.MOTIA_REDIS_PORT ?? '6379'}`
}

/** Parses a redis:// URL into host/port/password/db (for Motia's config). */
export function redisConnectionFromUrl(url: string): { host: string; port: number; password?: string; username?: string; db?: number } {
  const u = new URL(url)
  if (u.protocol !== 'redis:') throw new Error(`REDIS_URL must start with redis:// (got ${u.protocol})`)
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
  }
}

let shared: Redis | undefined

/** One lazily connected client per process; commands fail fast (no offline queue) when Redis is down. */
export function sharedRedis(env: NodeJS.ProcessEnv = process.env): Redis {
  shared ??= new Redis(redisUrlFromEnv(env), { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 })
  shared.on('error', () => undefined) // reported through /health and request errors, not as crashes
  return shared
}
