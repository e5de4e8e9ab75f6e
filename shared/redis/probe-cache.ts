import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { ProbeCache, ProbeResult } from '../../agents/runtime/runtime'

/** Longest a process waits for Redis before probing the endpoint itself. */
const REDIS_WAIT_MS = 300

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('redis did not answer')), ms).unref())])
}

/** The key of an endpoint's probe: a hash, so credentials in a base URL never become a Redis key. */
export function probeCacheKey(endpoint: string): string {
  return `cicd:llm:probe:${createHash('sha256').update(endpoint).digest('hex').slice(0, 32)}`
}

/** The model endpoint's last probe, shared on Redis by every process and instance (a key with a TTL). */
export class RedisProbeCache implements ProbeCache {
  /** `redis`: the client, or how to get it when first needed. */
  constructor(private readonly redis: Redis | (() => Redis)) {}

  private client(): Redis {
    return typeof this.redis === 'function' ? this.redis() : this.redis
  }

  async get(endpoint: string): Promise<ProbeResult | null> {
    const raw = await within(this.client().get(probeCacheKey(endpoint)), REDIS_WAIT_MS)
    if (!raw) return null
    const v = JSON.parse(raw) as Partial<ProbeResult> & { reason?: unknown }
    if (v.ok === true) return { ok: true }
    if (v.ok === false && typeof v.reason === 'string') return { ok: false, reason: v.reason }
    return null
  }

  async set(endpoint: string, result: ProbeResult, ttlMs: number): Promise<void> {
    await within(this.client().set(probeCacheKey(endpoint), JSON.stringify(result), 'PX', Math.max(1, Math.round(ttlMs))), REDIS_WAIT_MS)
  }
}
