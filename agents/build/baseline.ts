import type { BuildFacts } from './analyse'
import type { BuildDecision } from './schema'

export interface BuildPolicy {
  /** cicd.yml build.auto_build (false: builds only when asked explicitly). */
  autoBuild: boolean
  /** cicd.yml build.cache. */
  cache: boolean
  hasDockerfile: boolean
  dockerAvailable: boolean
  /** The executor the repo allows: `local` forbids Docker builds. */
  executor: 'auto' | 'local' | 'docker'
  commands: string[]
  /** Manual and CLI runs always build. */
  explicit: boolean
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : Math.round(((s[mid - 1] as number) + (s[mid] as number)) / 2)
}

/** The deterministic build decision from the facts and the repo's policy. */
export function baselineBuild(facts: BuildFacts, policy: BuildPolicy): BuildDecision {
  const reasons: string[] = []
  const useDocker = policy.hasDockerfile && policy.executor !== 'local' && (policy.dockerAvailable || policy.executor === 'docker')
  const mode: BuildDecision['mode'] = useDocker ? 'docker' : policy.commands.length > 0 ? 'commands' : 'none'
  if (useDocker) reasons.push(`${facts.dockerfile} found: build a Docker image`)
  else if (policy.hasDockerfile && policy.executor === 'local') reasons.push('executor is "local": the Dockerfile is not used')
  else if (policy.hasDockerfile) reasons.push('no Docker engine answers: running the configured build commands instead')
  if (mode === 'commands') reasons.push(`run ${policy.commands.length} build command(s)`)
  if (mode === 'none') reasons.push('nothing to build: no Dockerfile and no build commands')

  let shouldBuild = mode !== 'none'
  if (shouldBuild && !policy.autoBuild && !policy.explicit) {
    shouldBuild = false
    reasons.push('build.auto_build is false: pushes do not build')
  } else if (shouldBuild && facts.docsOnly && !policy.explicit) {
    shouldBuild = false
    reasons.push(`only documentation changed (${facts.changed.length} file(s)): no build needed`)
  }

  let strategy: BuildDecision['strategy'] = 'cache'
  if (!policy.cache) {
    strategy = 'no-cache'
    reasons.push('build.cache is false')
  } else if (mode === 'docker' && facts.dockerfileChanged) {
    strategy = 'no-cache'
    reasons.push(`${facts.dockerfile} changed: rebuild every layer`)
  } else if (mode === 'docker' && facts.dockerfileStages > 1) {
    strategy = 'multi-stage'
    reasons.push(`${facts.dockerfileStages}-stage Dockerfile: cached multi-stage build`)
  } else if (facts.manifestsChanged.length > 0) {
    reasons.push(`dependency manifests changed (${facts.manifestsChanged.join(', ')}): their layers rebuild, the rest stays cached`)
  } else reasons.push('no Dockerfile or dependency change: use the cache')

  const estimatedDurationMs = median(facts.historyMs.slice(0, 10))
  reasons.push(
    estimatedDurationMs === null ? 'no earlier builds of this repo: no estimate' : `about ${Math.round(estimatedDurationMs / 1000)} s (median of the last ${Math.min(10, facts.historyMs.length)} builds)`,
  )
  if (!facts.scope.includes('*')) reasons.push(`touches domains: ${facts.scope.join(', ')}`)

  return {
    shouldBuild,
    mode,
    strategy,
    dockerfileChanged: facts.dockerfileChanged,
    manifestsChanged: facts.manifestsChanged,
    scope: facts.scope,
    estimatedDurationMs,
    reasons,
  }
}
