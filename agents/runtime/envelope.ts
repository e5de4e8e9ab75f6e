import type { AgentName } from '../../shared/config/schema'

/** What happened with the model for one decision. */
export interface ModelNote {
  /** used: the model's answer passed as is; clamped: used after guardrails changed it;
   *  rejected: asked, but its answer could not be used; unavailable / off: not asked. */
  status: 'used' | 'clamped' | 'rejected' | 'unavailable' | 'off'
  model?: string
  detail?: string
  /** The model call's own time (ms), retries included, without the wait for a slot. */
  latencyMs?: number
  /** How long the call waited for a slot (`defaults.llm.concurrency`), when it did (ms). */
  waitMs?: number
}

/**
 * Tokens of one decision's model call. `estimated`: the server reported none (the call timed out
 * or failed), so `prompt` is the prompt's o200k_base count here and `completion` is 0.
 */
export interface DecisionTokens {
  prompt: number
  completion: number
  estimated?: true
}

/**
 * What every agent returns: the decision itself plus where it came from and why
 * (design.md's agent contract).
 */
export interface AgentDecision<T> {
  agent: AgentName
  decision: T
  source: 'llm' | 'heuristic'
  reasons: string[]
  /** The whole decision (baseline, prompt, model call, guardrails), ms. */
  latencyMs: number
  tokens?: DecisionTokens
  /** Why a model answer was not used, when one was asked for. */
  rejected?: string
  llm?: ModelNote
}

/** Times a synchronous or async baseline and wraps it in the envelope. */
export async function heuristicDecision<T>(
  agent: AgentDecision<T>['agent'],
  compute: () => T | Promise<T>,
  reasonsOf: (d: T) => string[],
): Promise<AgentDecision<T>> {
  const t0 = performance.now()
  const decision = await compute()
  return { agent, decision, source: 'heuristic', reasons: reasonsOf(decision), latencyMs: Math.round((performance.now() - t0) * 100) / 100 }
}
