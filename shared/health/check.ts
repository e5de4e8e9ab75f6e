import type { Redis } from 'ioredis'
import { loadConfig } from '../config/load'
import { ConfigError } from '../config/errors'
import { dockerFromEnv, pingDocker } from '../executors/docker/client'
import { unreadyRedisClients } from '../redis/availability'

export interface CheckResult {
  ok: boolean
  latencyMs?: number
  detail?: string
  reason?: string
}

export interface Health {
  status: 'ok' | 'degraded' | 'down'
  checks: { redis: CheckResult; docker: CheckResult; llm: CheckResult; config: CheckResult }
}

export const DEFAULT_OLLAMA_URL = 'http://localhost:11434/v1'

async function timed(fn: () => Promise<CheckResult>): Promise<CheckResult> {
  const t0 = performance.now()
  try {
    const r = await fn()
    return { ...r, latencyMs: Math.round(performance.now() - t0) }
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err), latencyMs: Math.round(performance.now() - t0) }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref())])
}

/** Redis and a valid config are required (503 without them); Docker and the LLM are optional. */
export async function checkHealth(redis: Redis, env: NodeJS.ProcessEnv = process.env): Promise<Health> {
  let ollama = env.OLLAMA_BASE_URL || DEFAULT_OLLAMA_URL
  let llmOff = false
  try {
    const llm = loadConfig(env).config.defaults.llm
    ollama = env.OLLAMA_BASE_URL || llm.base_url
    llmOff = llm.enabled === 'off'
  } catch {
    /* reported by the config check */
  }
  const [r, d, l, c] = await Promise.all([
    timed(async () => {
      const ok = (await withTimeout(redis.ping(), 1500, 'Redis').catch((err: unknown) => {
        throw new Error(`Redis does not answer: ${err instanceof Error ? err.message : String(err)} (this instance can neither read nor queue anything)`)
      })) === 'PONG'
      // Motia's own client (state, cron, streams) reconnects on its own schedule: until it is
      // back, this instance cannot serve runs even though a ping answers.
      const down = unreadyRedisClients()
      return ok && down.length ? { ok: false, reason: `Redis answers, but the ${down.join(', ')} client is still reconnecting` } : { ok }
    }),
    timed(async () => {
      const a = await pingDocker(dockerFromEnv(env), 1500)
      return a.ok ? { ok: true, ...(a.detail ? { detail: a.detail } : {}) } : { ok: false, reason: `${a.reason}; builds fall back to local commands` }
    }),
    timed(async () => {
      if (llmOff) return { ok: false, reason: 'defaults.llm.enabled is off: agents use their baseline decisions' }
      const res = await fetch(`${ollama.replace(/\/$/, '')}/models`, { signal: AbortSignal.timeout(1500) })
      return res.ok ? { ok: true, detail: ollama } : { ok: false, reason: `${ollama} answered ${res.status}; agents use their baseline decisions` }
    }).then((x) => (x.ok ? x : { ...x, reason: x.reason?.includes('baseline') ? x.reason : `no LLM at ${ollama} (${x.reason}); agents use their baseline decisions` })),
    timed(async () => {
      try {
        const { file, config } = loadConfig(env)
        return { ok: true, detail: `${file}: ${config.repositories.length} repositor${config.repositories.length === 1 ? 'y' : 'ies'}` }
      } catch (err) {
        return { ok: false, reason: err instanceof ConfigError ? err.message : String(err) }
      }
    }),
  ])
  const status = !r.ok || !c.ok ? 'down' : d.ok && l.ok ? 'ok' : 'degraded'
  return { status, checks: { redis: r, docker: d, llm: l, config: c } }
}
