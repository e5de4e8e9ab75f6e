import { registerRedisClient, unreadyRedisClients } from './availability'

/** The part of a node-redis client (Motia's own) that keeping it open needs. */
export interface ReopenableClient {
  readonly isOpen: boolean
  readonly isReady: boolean
  connect(): Promise<unknown>
  on(event: 'error' | 'ready', listener: (err?: Error) => void): unknown
}

export interface KeepOpenOptions {
  /** How often a closed client is reopened (ms). */
  everyMs?: number
  log?: (msg: string) => void
}

/**
 * Motia 0.17 opens one node-redis client for its state, cron locks, streams and logs; it has no
 * 'error' listener (an outage crashes the server: "Unhandled 'error' event") and gives up after
 * 10 reconnect attempts (about 6 s), after which every state call fails until a restart. This
 * listens for its errors (one line per outage, never the URL) and reopens it when it gave up, so
 * an instance comes back by itself once Redis does. Returns a function that stops the keeper.
 */
export function keepRedisClientOpen(name: string, client: ReopenableClient, opts: KeepOpenOptions = {}): () => void {
  const log = opts.log ?? ((m: string) => console.warn(m))
  let down = false
  let reopening = false
  client.on('error', (err) => {
    if (down) return
    down = true
    log(`[cicd] ${name}: Redis connection lost (${err?.message ?? 'error'}); retrying until it answers`)
  })
  client.on('ready', () => {
    if (!down) return
    down = false
    log(`[cicd] ${name}: Redis connection back`)
  })
  const timer = setInterval(() => {
    if (client.isOpen || reopening) return
    reopening = true
    client
      .connect()
      .catch(() => undefined) // its own retries gave up again: next tick tries once more
      .finally(() => (reopening = false))
  }, opts.everyMs ?? 1000)
  timer.unref()
  const unregister = registerRedisClient(name, () => client.isReady)
  return () => {
    clearInterval(timer)
    unregister()
  }
}

/**
 * An 'error' listener for Redis clients that retry by themselves (BullMQ's): one line with the
 * message (no stack, never the URL's password) at most every `everyMs`, instead of a stack trace
 * per worker per reconnect attempt.
 */
export function outageLogger(name: string, everyMs = 60_000, log: (msg: string) => void = (m) => console.warn(m)): (err: Error) => void {
  let last = 0
  let quiet = 0
  return (err: Error) => {
    const now = Date.now()
    if (now - last < everyMs) {
      quiet++
      return
    }
    const cause = err.cause instanceof Error ? err.cause.message : undefined
    log(`[cicd] ${name}: ${cause ?? err.message}${quiet ? ` (${quiet} more errors since the last line)` : ''}; retrying`)
    last = now
    quiet = 0
  }
}

const REDIS_ERRORS = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'SocketClosedUnexpectedlyError',
  'ConnectionTimeoutError',
  'SocketTimeoutError',
  'ReconnectStrategyError',
  'MaxRetriesPerRequestError',
])
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'])

/** Whether an error means "Redis cannot be reached now" (node-redis, ioredis, or the socket under them). */
export function isRedisConnectionError(err: unknown, redisPort: number): boolean {
  if (!(err instanceof Error)) return false
  if (REDIS_ERRORS.has(err.constructor.name) || REDIS_ERRORS.has(err.name)) return true
  if (/^(Connection is closed\.|The client is (closed|offline)|Socket closed unexpectedly)/.test(err.message)) return true
  const e = err as Error & { code?: unknown; port?: unknown }
  // a socket error of the Redis port, or any while a Redis client of this process is down
  return typeof e.code === 'string' && NET_CODES.has(e.code) && (e.port === redisPort || unreadyRedisClients().length > 0)
}

const INSTALLED = Symbol.for('cicd.redis.tolerate-outages')

/**
 * Motia 0.17 writes every log line and trace to Redis without waiting for the answer; during an
 * outage each of those writes is an unhandled rejection, and Node stops the server on the first.
 * This lets rejections that only say "Redis is unreachable" pass (one line a minute says so);
 * any other unhandled rejection still stops the process, as before. Installed once per process.
 */
export function tolerateRedisOutages(redisPort: number, log: (msg: string) => void = (m) => console.warn(m)): void {
  const holder = globalThis as unknown as Record<symbol, boolean | undefined>
  if (holder[INSTALLED]) return
  holder[INSTALLED] = true
  const quiet = outageLogger('unanswered Redis writes (logs, traces)', 60_000, log)
  process.on('unhandledRejection', (reason) => {
    if (isRedisConnectionError(reason, redisPort)) return quiet(reason as Error)
    throw reason
  })
}
