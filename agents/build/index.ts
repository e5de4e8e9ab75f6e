import { decide, type ModelRuntime } from '../runtime/decide'
import type { AgentDecision } from '../runtime/envelope'
import { analyseBuild, type BuildAnalysisInput } from './analyse'
import { baselineBuild, type BuildPolicy } from './baseline'
import { buildDecisionSchema, type BuildDecision } from './schema'
import { buildAgentSpec } from './spec'

export type { BuildDecision } from './schema'
export type { BuildPolicy } from './baseline'

/** BuildAgent: facts → baseline → (model, guarded) → validated decision. */
export async function decideBuild(
  input: BuildAnalysisInput & { message?: string },
  policy: BuildPolicy,
  runtime?: ModelRuntime,
): Promise<AgentDecision<BuildDecision>> {
  const facts = analyseBuild(input)
  const baseline = buildDecisionSchema.parse(baselineBuild(facts, policy))
  return decide(buildAgentSpec, { facts, policy, ...(input.message ? { message: input.message } : {}) }, baseline, runtime)
}
