import { renderPrompt } from './prompt'
import { promptTokenCounter } from './prompt-tokens'
import type { AgentDecision, DecisionTokens, ModelNote } from './envelope'
import type { ModelClient, ModelResult } from './model-client'
import type { AgentSpec, Guarded } from './spec'

export type { AgentSpec, Guarded } from './spec'
export { renderPrompt, UNTRUSTED_RULE } from './prompt'

/** The model side of the runtime for one process: a client, or why there is none. */
export type ModelRuntime = { client: ModelClient } | { client: null; status: 'off' | 'unavailable'; reason: string }

/** What the note says of the call itself: the model, its own latency, the wait for a slot. */
function callNote(res: ModelResult<unknown>): Pick<ModelNote, 'model' | 'latencyMs' | 'waitMs'> {
  return { model: res.model, latencyMs: res.latencyMs, ...(res.waitMs > 0 ? { waitMs: res.waitMs } : {}) }
}

/**
 * The agent contract: the baseline always exists; the model may refine it; guardrails clamp
 * what it returns; a model that fails, times out, or answers outside the schema leaves the
 * baseline in place with the reason recorded. Never throws for a bad model. Every decision that
 * asked the model records prompt tokens: the server's count, or (no answer) the prompt's own
 * o200k_base count, marked `estimated`.
 */
export async function decide<F, D>(spec: AgentSpec<F, D>, facts: F, baseline: D, runtime: ModelRuntime | undefined): Promise<AgentDecision<D>> {
  const t0 = performance.now()
  const elapsed = () => Math.round((performance.now() - t0) * 100) / 100
  const heuristic = (extra: Partial<AgentDecision<D>>): AgentDecision<D> => ({
    agent: spec.agent,
    decision: baseline,
    source: 'heuristic',
    reasons: spec.reasonsOf(baseline),
    latencyMs: elapsed(),
    ...extra,
  })
  if (!runtime) return heuristic({ llm: { status: 'off', detail: 'no model configured' } })
  if (!runtime.client) return heuristic({ llm: { status: runtime.status, detail: runtime.reason } })

  const { system, prompt } = await renderPrompt(spec, facts, baseline)
  const res = await runtime.client.generate({ agent: spec.agent, schema: spec.modelSchema ?? spec.schema, system, prompt })
  if (!res.ok) {
    const why = `${res.kind}: ${res.message}`
    const tokens: DecisionTokens = res.usage ?? (await estimatedTokens(system, prompt))
    return heuristic({ rejected: why, llm: { status: 'rejected', ...callNote(res), detail: why }, tokens })
  }
  let guarded: Guarded<D>
  try {
    guarded = spec.guard(res.object, baseline, facts)
    spec.schema.parse(guarded.decision)
  } catch (err) {
    const why = `guardrail: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`
    return heuristic({ rejected: why, tokens: res.usage, llm: { status: 'rejected', ...callNote(res), detail: why } })
  }
  return {
    agent: spec.agent,
    decision: guarded.decision,
    source: 'llm',
    reasons: [...spec.reasonsOf(guarded.decision), ...guarded.clamped.map((c) => `guardrail: ${c}`)],
    latencyMs: elapsed(),
    tokens: res.usage,
    llm: { status: guarded.clamped.length ? 'clamped' : 'used', ...callNote(res), ...(guarded.clamped.length ? { detail: guarded.clamped.join('; ') } : {}) },
  }
}

/** The prompt's tokens counted here (o200k_base; the model's own tokenizer and chat template differ a little). */
async function estimatedTokens(system: string, prompt: string): Promise<DecisionTokens> {
  const count = await promptTokenCounter()
  return { prompt: count(system) + count(prompt), completion: 0, estimated: true }
}
