import { decide, type ModelRuntime } from '../runtime/decide'
import type { AgentDecision } from '../runtime/envelope'
import { baselineDeploy } from './baseline'
import { deployDecisionSchema, type DeployDecision, type DeployFacts } from './schema'
import { deployAgentSpec } from './spec'

export type { DeployDecision, DeployFacts } from './schema'

/** DeployAgent: strategy, risk, approval, rollback and health checks for one deployment. */
export function decideDeploy(facts: DeployFacts, runtime?: ModelRuntime): Promise<AgentDecision<DeployDecision>> {
  return decide(deployAgentSpec, facts, deployDecisionSchema.parse(baselineDeploy(facts)), runtime)
}
