import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Which Redis clients of this process are ready. Kept on globalThis: Motia loads motia.config.ts
 * and the in-process API steps through separate module loaders, and both must see one registry.
 */
type Registry = Map<string, () => boolean>
const KEY = Symbol.for('cicd.redis.clients')
const holder = globalThis as unknown as Record<symbol, Registry | undefined>
function registry(): Registry {
  return (holder[KEY] ??= new Map())
}

/** Registers a client's readiness under a name; returns the function that removes it. */
export function registerRedisClient(name: string, isReady: () => boolean): () => void {
  registry().set(name, isReady)
  return () => {
    if (registry().get(name) === isReady) registry().delete(name)
  }
}

/** Names of registered clients that are not ready now. */
export function unreadyRedisClients(): string[] {
  return [...registry()].filter(([, ready]) => !ready()).map(([name]) => name)
}

/** Waits up to `waitMs` for every registered client to be ready; returns those still not ready. */
export async function waitRedisReady(waitMs: number): Promise<string[]> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const down = unreadyRedisClients()
    if (!down.length || Date.now() >= deadline) return down
    await new Promise((r) => setTimeout(r, 50))
  }
}

export interface RedisGateOptions {
  /** Which request paths need Redis (default: /api/…, /emit and /metrics). */
  guards?: (path: string) => boolean
  /** How long a request waits for a reconnecting client before the 503 (ms). */
  waitMs?: number
  /** Called once per request, before the check (e.g. to create the lazily made clients). */
  before?: () => void
}

const defaultGuards = (p: string) => p.startsWith('/api/') || p === '/emit' || p === '/metrics'

/**
 * Express-style middleware: while Redis is unreachable, requests that need it get a clear 503
 * JSON (`redis_unavailable`, with Retry-After) at once instead of hanging or a bare 500; /health
 * is not guarded (it says what is down). Nothing is queued or half-done: GitHub can redeliver.
 */
export function redisGate(opts: RedisGateOptions = {}) {
  const guards = opts.guards ?? defaultGuards
  const waitMs = opts.waitMs ?? 1500
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const p = (req.url ?? '/').split('?')[0] ?? '/'
    if (!guards(p)) return next()
    opts.before?.()
    if (!unreadyRedisClients().length) return next()
    void waitRedisReady(waitMs).then((down) => {
      if (!down.length) return next()
      res.statusCode = 503
      res.setHeader('content-type', 'application/json')
      res.setHeader('retry-after', '5')
      res.end(
        JSON.stringify({
          error: 'redis_unavailable',
          message: `Redis does not answer (${down.join(', ')}): this instance can neither read nor queue anything now. Nothing was done; retry later (the instance reconnects by itself).`,
        }),
      )
    })
  }
}
