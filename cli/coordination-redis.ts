import { Redis } from 'ioredis'
import { loadConfig } from '../shared/config/load'
import { redisWhere } from '../shared/redis/client'

/**
 * The Redis the coordination commands use: REDIS_URL, else cicd.yml's `defaults.redis_url`, else
 * Motia's MOTIA_REDIS_HOST/PORT, else the one `npm start` runs (127.0.0.1:6390, or CICD_REDIS_PORT).
 */
export function cliRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REDIS_URL) return env.REDIS_URL
  const configured = configuredRedisUrl(env)
  if (configured) return configured
  if (env.MOTIA_REDIS_HOST || env.MOTIA_REDIS_PORT) return `redis://${env.MOTIA_REDIS_HOST ?? '127.0.0.1'}:${env.MOTIA_REDIS_PORT ?? '6379'}`
  return `redis://127.0.0.1:${env.CICD_REDIS_PORT ?? '6390'}`
}

function configuredRedisUrl(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return loadConfig(env).config.defaults.redis_url
  } catch {
    return undefined // an unreadable config is reported by the commands that need it
  }
}


/** A connection that fails fast with a clear message when nobody answers. */
export async function connectRedis(env: NodeJS.ProcessEnv = process.env): Promise<Redis> {
  const url = cliRedisUrl(env)
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: (n) => (n > 20 ? null : Math.min(n * 200, 2000)) })
  let last: Error | undefined
  redis.on('error', (err: Error) => (last = err))
  try {
    await redis.connect()
    await redis.ping()
  } catch (err) {
    redis.disconnect()
    const why = (last ?? err) instanceof Error ? ((last ?? err) as Error).message : String(err)
    throw new Error(`cannot reach Redis at ${redisWhere(url)} (${why.replace(url, redisWhere(url))}); set REDIS_URL`)
  }
  return redis
}
