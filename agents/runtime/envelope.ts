import type { AgentName } from '../../shared/config/schema'

/** What happened with the model for one decision. */
export interface ModelNote {
  /** used: the model's answer passed as is; clamped: used after guardrails changed it;
   *  rejected: asked, but its answer could not be used; unavailable / off: not asked. */
  status: 'used' | 'clamped' | 'rejected' | 'unavailable' | 'off'
  model?: string
  detail?: string
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
  latencyMs: number
  tokens?: { prompt: number; completion: number }
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
