import type { LlmConfig } from '../../shared/config/schema'
import type { ModelRuntime } from './decide'
import { OpenAICompatibleClient, probeModelEndpoint } from './openai-compatible-client'

/**
 * The model runtime for this process from cicd.yml's `defaults.llm` (and OLLAMA_BASE_URL):
 * `off` → none; `auto` → a client when the endpoint answers the probe, else none, saying why;
 * `on` → a client without probing (failures fall back per decision).
 */
export async function createModelRuntime(llm: LlmConfig, env: NodeJS.ProcessEnv = process.env, probeTimeoutMs = 1000): Promise<ModelRuntime> {
  if (llm.enabled === 'off') return { client: null, status: 'off', reason: 'defaults.llm.enabled is off: baseline decisions' }
  const client = OpenAICompatibleClient.fromConfig(llm, env)
  if (llm.enabled === 'on') return { client }
  const probe = await probeModelEndpoint(client.endpoint, probeTimeoutMs)
  return probe.ok ? { client } : { client: null, status: 'unavailable', reason: `${probe.reason}: baseline decisions` }
}
