/**
 * What every agent returns: the decision itself plus where it came from and why
 * (design.md's agent contract). The model path (issue: typed agents on Ollama) fills `tokens`
 * and `rejected`; the baseline path leaves them out.
 */
export interface AgentDecision<T> {
  agent: 'build' | 'test' | 'deploy' | 'monitor' | 'healer'
  decision: T
  source: 'llm' | 'heuristic'
  reasons: string[]
  latencyMs: number
  tokens?: { prompt: number; completion: number }
  /** Why a model answer was not used, when one was asked for. */
  rejected?: string
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
