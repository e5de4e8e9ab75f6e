import type { PromptSpec } from '../runtime/prompt'
import { coded, codedReasons, num, type ReasonRule } from '../runtime/prompt-reasons'
import type { BuildFacts } from './analyse'
import type { BuildPolicy } from './baseline'
import { buildDecisionSchema, type BuildDecision } from './schema'

export interface BuildAgentFacts {
  facts: BuildFacts
  policy: BuildPolicy
  /** The head commit's message: untrusted. */
  message?: string
}

/** The baseline's reasons (baseline.ts) as codes with their numbers. */
const REASONS: ReasonRule[] = [
  { re: /^.+ found: build a Docker image$/, code: () => 'dockerfile-found' },
  { re: /^executor is "local": the Dockerfile is not used$/, code: () => 'executor-local' },
  { re: /^no Docker engine answers: running the configured build commands instead$/, code: () => 'no-docker-engine' },
  { re: /^run (\d+) build command\(s\)$/, code: (m) => coded('buildCommands', num(m[1])) },
  { re: /^nothing to build: no Dockerfile and no build commands$/, code: () => 'nothing-to-build' },
  { re: /^build\.auto_build is false: pushes do not build$/, code: () => 'auto-build-off' },
  { re: /^only documentation changed \(\d+ file\(s\)\): no build needed$/, code: () => 'docs-only' },
  { re: /^build\.cache is false$/, code: () => 'cache-off' },
  { re: /^.+ changed: rebuild every layer$/, code: () => 'dockerfile-changed' },
  { re: /^(\d+)-stage Dockerfile: cached multi-stage build$/, code: (m) => coded('dockerfileStages', num(m[1])) },
  { re: /^dependency manifests changed \(.*\): their layers rebuild, the rest stays cached$/, code: () => 'manifests-changed' },
  { re: /^no Dockerfile or dependency change: use the cache$/, code: () => 'nothing-changed' },
  { re: /^no earlier builds of this repo: no estimate$/, code: () => 'no-history' },
  { re: /^about \d+ s \(median of the last (\d+) builds\)$/, code: (m) => coded('medianOfBuilds', num(m[1])) },
  // the scope is in the baseline
  { re: /^touches domains: .*$/, code: () => null },
]

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

/** BuildAgent for the model runtime: the model may refine the strategy and estimate, nothing else. */
export const buildAgentSpec: PromptSpec<BuildAgentFacts, BuildDecision> = {
  agent: 'build',
  schema: buildDecisionSchema,
  instructions:
    "You are the BuildAgent of a CI/CD server. Given the changed files and the repository policy, choose the build strategy (cache, no-cache or multi-stage) and estimate the duration in milliseconds. BASELINE's reasons are the rules it applied, with their numbers; write yours as plain sentences.",
  // dockerfileChanged, manifestsChanged and scope are facts the baseline carries as they are:
  // sent again only where they differ; changedCount only when the list is cut
  facts: ({ facts, policy }, b) => ({
    changed: facts.changed.slice(0, 200),
    ...(facts.changed.length > 200 ? { changedCount: facts.changed.length } : {}),
    dockerfile: facts.dockerfile,
    ...(facts.dockerfileChanged !== b.dockerfileChanged ? { dockerfileChanged: facts.dockerfileChanged } : {}),
    dockerfileStages: facts.dockerfileStages,
    ...(same(facts.manifestsChanged, b.manifestsChanged) ? {} : { manifestsChanged: facts.manifestsChanged }),
    docsOnly: facts.docsOnly,
    ...(same(facts.scope, b.scope) ? {} : { scope: facts.scope }),
    recentBuildsMs: facts.historyMs.slice(0, 10),
    policy,
  }),
  baselineForPrompt: (b) => {
    const reasons = codedReasons(b.reasons, REASONS)
    const { reasons: _sentences, ...rest } = b
    return { ...rest, ...(reasons.length ? { reasons } : {}) }
  },
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
