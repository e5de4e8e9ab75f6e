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
export async function createModelRuntime(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env, probeTimeoutMs = 1000, slots?: Slots): Promise<ModelRuntime> {
  if (llm.enabled === 'off') return { client: null, status: 'off', reason: 'defaults.llm.enabled is off: baseline decisions' }
  const client = OpenAICompatibleClient.fromConfig(llm, env, slots)
  if (llm.enabled === 'on') return { client }
  const probe = await probeModelEndpoint(client.endpoint, probeTimeoutMs)
  return probe.ok ? { client } : { client: null, status: 'unavailable', reason: `${probe.reason}: baseline decisions` }
}

export interface ModelRuntimeCacheOptions {
  /** The slots for a runtime's client, given the endpoint (e.g. a Redis semaphore per endpoint). */
  slotsFor?: (llm: LlmConfig, endpoint: string) => Slots
  /** An endpoint that did not answer the probe is probed again after this long (ms, default 60000). */
  retryUnavailableMs?: number
  probeTimeoutMs?: number
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
    const entry: NonNullable<typeof this.entry> = { key, at: now, runtime: createModelRuntime(llm, env, this.opts.probeTimeoutMs, slots) }
    void entry.runtime.then((r) => (entry.settled = r))
    this.entry = entry
    return entry.runtime
  }
}
