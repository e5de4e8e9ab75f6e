import type { LlmConfig } from '../../shared/config/schema'
import type { ModelRuntime } from './decide'
import { OpenAICompatibleClient, probeModelEndpoint } from './openai-compatible-client'
import type { Slots } from './slots'

/**
 * The model runtime from cicd.yml's `defaults.llm` (and OLLAMA_BASE_URL): `off` → none; `auto` →
 * a client when the endpoint answers the probe, else none, saying why; `on` → a client without
 * probing (failures fall back per decision). `slots`: where calls wait for their turn (default:
 * `concurrency` in this process).
 */
export async function createModelRuntime(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env, probeTimeoutMs = 1000, slots?: Slots, probeEndpoint: Probe = probeModelEndpoint): Promise<ModelRuntime> {
  if (llm.enabled === 'off') return { client: null, status: 'off', reason: 'defaults.llm.enabled is off: baseline decisions' }
  const client = OpenAICompatibleClient.fromConfig(llm, env, slots)
  if (llm.enabled === 'on') return { client }
  const probe = await probeEndpoint(client.endpoint, probeTimeoutMs)
  return probe.ok ? { client } : { client: null, status: 'unavailable', reason: `${probe.reason}: baseline decisions` }
}

export type ProbeResult = { ok: true } | { ok: false; reason: string }
type Probe = (endpoint: string, timeoutMs: number) => Promise<ProbeResult>

/**
 * Where processes share what the probe of an endpoint found (Motia runs each step in its own
 * child process: without it, each would probe once). Errors count as "nothing known".
 */
export interface ProbeCache {
  get(endpoint: string): Promise<ProbeResult | null>
  set(endpoint: string, result: ProbeResult, ttlMs: number): Promise<void>
}

/** The probe, through `cache`: a result another process found within `ttlMs` is used as it is. */
export function cachedProbe(cache: ProbeCache, ttlMs: number, probe: Probe = probeModelEndpoint): Probe {
  return async (endpoint, timeoutMs) => {
    const known = await cache.get(endpoint).catch(() => null)
    if (known) return known
    const found = await probe(endpoint, timeoutMs)
    await cache.set(endpoint, found, ttlMs).catch(() => undefined)
    return found
  }
}

export interface ModelRuntimeCacheOptions {
  /** The slots for a runtime's client, given the endpoint (e.g. a Redis semaphore per endpoint). */
  slotsFor?: (llm: LlmConfig, endpoint: string) => Slots
  /** An endpoint that did not answer the probe is probed again after this long (ms, default 60000). */
  retryUnavailableMs?: number
  probeTimeoutMs?: number
  /** Shares probe results between processes for `retryUnavailableMs`. */
  probeCache?: ProbeCache
}

/**
 * One model runtime per process: one client (and so one limiter), probed once. Only a failed probe
 * is repeated, at most once per `retryUnavailableMs`, so a down Ollama costs no decision a probe;
 * a change of `defaults.llm` (or OLLAMA_BASE_URL) builds a new runtime.
 */
export class ModelRuntimeCache {
  private entry: { key: string; at: number; runtime: Promise<ModelRuntime>; settled?: ModelRuntime } | undefined

  constructor(private readonly opts: ModelRuntimeCacheOptions = {}) {}

  get(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env, now = Date.now()): Promise<ModelRuntime> {
    const key = JSON.stringify([llm, env.OLLAMA_BASE_URL ?? ''])
    const e = this.entry
    const stale = !e || e.key !== key || (e.settled?.client === null && e.settled.status === 'unavailable' && now - e.at > (this.opts.retryUnavailableMs ?? 60_000))
    if (!stale) return e.runtime
    const endpoint = OpenAICompatibleClient.baseURLOf(llm, env)
    const slots = this.opts.slotsFor?.(llm, endpoint)
    const retry = this.opts.retryUnavailableMs ?? 60_000
    const probe = this.opts.probeCache ? cachedProbe(this.opts.probeCache, retry) : probeModelEndpoint
    const entry: NonNullable<typeof this.entry> = { key, at: now, runtime: createModelRuntime(llm, env, this.opts.probeTimeoutMs, slots, probe) }
    void entry.runtime.then((r) => (entry.settled = r))
    this.entry = entry
    return entry.runtime
  }
}
