import { heuristicDecision, type AgentDecision } from '../runtime/envelope.js'
import { analyseBuild, type BuildAnalysisInput } from './analyse.js'
import { baselineBuild, type BuildPolicy } from './baseline.js'
import { buildDecisionSchema, type BuildDecision } from './schema.js'

export type { BuildDecision } from './schema.js'
export type { BuildPolicy } from './baseline.js'

/** BuildAgent: facts → baseline → validated decision. (The model refinement plugs in here.) */
export async function decideBuild(input: BuildAnalysisInput, policy: BuildPolicy): Promise<AgentDecision<BuildDecision>> {
  return heuristicDecision('build', () => buildDecisionSchema.parse(baselineBuild(analyseBuild(input), policy)), (d) => d.reasons)
}
