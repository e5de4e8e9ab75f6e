import type { AgentSpec } from '../runtime/decide'
import type { BuildFacts } from './analyse'
import type { BuildPolicy } from './baseline'
import { buildDecisionSchema, type BuildDecision } from './schema'

export interface BuildAgentFacts {
  facts: BuildFacts
  policy: BuildPolicy
  /** The head commit's message: untrusted. */
  message?: string
}

/** BuildAgent for the model runtime: the model may refine the strategy and estimate, nothing else. */
export const buildAgentSpec: AgentSpec<BuildAgentFacts, BuildDecision> = {
  agent: 'build',
  schema: buildDecisionSchema,
  instructions:
    'You are the BuildAgent of a CI/CD server. Given the changed files and the repository policy, choose the build strategy (cache, no-cache or multi-stage) and estimate the duration in milliseconds.',
  facts: ({ facts, policy }) => ({
    changed: facts.changed.slice(0, 200),
    changedCount: facts.changed.length,
    dockerfile: facts.dockerfile,
    dockerfileChanged: facts.dockerfileChanged,
    dockerfileStages: facts.dockerfileStages,
    manifestsChanged: facts.manifestsChanged,
    docsOnly: facts.docsOnly,
    scope: facts.scope,
    recentBuildsMs: facts.historyMs.slice(0, 10),
    policy,
  }),
  untrusted: (f) => f.message,
  guard: (candidate, baseline, { policy }) => {
    const clamped: string[] = []
    const d: BuildDecision = { ...candidate, reasons: candidate.reasons.length ? candidate.reasons : baseline.reasons }
    // facts are facts: what changed and whether a build runs are not the model's to decide
    if (d.shouldBuild !== baseline.shouldBuild) clamped.push(`shouldBuild stays ${baseline.shouldBuild} (the policy decides whether a push builds)`)
    if (d.mode !== baseline.mode) clamped.push(`mode stays ${baseline.mode} (set by the Dockerfile, the engine and the executor)`)
    d.shouldBuild = baseline.shouldBuild
    d.mode = baseline.mode
    d.dockerfileChanged = baseline.dockerfileChanged
    d.manifestsChanged = baseline.manifestsChanged
    d.scope = baseline.scope
    if (!policy.cache && d.strategy !== 'no-cache') {
      clamped.push('strategy no-cache: build.cache is false in cicd.yml')
      d.strategy = 'no-cache'
    }
    if (d.strategy === 'multi-stage' && d.mode !== 'docker') {
      clamped.push(`strategy ${baseline.strategy}: multi-stage needs a Docker build`)
      d.strategy = baseline.strategy
    }
    return { decision: d, clamped }
  },
  reasonsOf: (d) => d.reasons,
}
