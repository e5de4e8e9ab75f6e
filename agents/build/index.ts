import { heuristicDecision, type AgentDecision } from '../runtime/envelope'
import { analyseBuild, type BuildAnalysisInput } from './analyse'
import { baselineBuild, type BuildPolicy } from './baseline'
import { buildDecisionSchema, type BuildDecision } from './schema'

export type { BuildDecision } from './schema'
export type { BuildPolicy } from './baseline'

/** BuildAgent: facts → baseline → validated decision. (The model refinement plugs in here.) */
export async function decideBuild(input: BuildAnalysisInput, policy: BuildPolicy): Promise<AgentDecision<BuildDecision>> {
  return heuristicDecision('build', () => buildDecisionSchema.parse(baselineBuild(analyseBuild(input), policy)), (d) => d.reasons)
}
