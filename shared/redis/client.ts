import { Redis } from 'ioredis'
import { registerRedisClient } from './availability'

/** The Redis the product uses: `REDIS_URL`, else Motia's `MOTIA_REDIS_HOST`/`MOTIA_REDIS_PORT`. */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REDIS_URL) return env.REDIS_URL
  return `redis://${env.MOTIA_REDIS_HOST ?? '127.0.0.1'}:${env.MOTIA_REDIS_PORT ?? '6379'}`
}

/** Where Redis is, for messages: host and port only (a URL may hold a password). */
export function redisWhere(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || 6379}${u.pathname.length > 1 ? u.pathname : ''}`
  } catch {
    return '(unparsable REDIS_URL)'
  }
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

/**
 * One client per process. Commands sent while it connects wait for the connection (the first
 * webhook after a start must not fail); when Redis is down they fail after one reconnect attempt.
 */
export function sharedRedis(env: NodeJS.ProcessEnv = process.env): Redis {
  if (shared) return shared
  const client = new Redis(redisUrlFromEnv(env), { maxRetriesPerRequest: 1, connectTimeout: 2000 })
  client.on('error', () => undefined) // reported through /health and request errors, not as crashes
  registerRedisClient('cicd', () => client.status === 'ready')
  shared = client
  return client
}
