import { decide, type ModelRuntime } from '../runtime/decide'
import type { AgentDecision } from '../runtime/envelope'
import { classifyFailure } from './classify'
import { healerDecisionSchema, type HealerDecision, type HealerFacts } from './schema'
import { healerAgentSpec } from './spec'

/** HealerAgent: category, specialist, failure type, confidence and evidence for a failed job. */
export function decideHealer(facts: HealerFacts, runtime?: ModelRuntime): Promise<AgentDecision<HealerDecision>> {
  return decide(healerAgentSpec, facts, healerDecisionSchema.parse(classifyFailure(facts)), runtime)
}
