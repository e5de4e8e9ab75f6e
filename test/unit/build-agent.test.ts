import { describe, expect, it } from 'vitest'
import { analyseBuild, type BuildAnalysisInput } from '../../agents/build/analyse'
import { baselineBuild, median } from '../../agents/build/baseline'
import { decideBuild, type BuildDecision, type BuildPolicy } from '../../agents/build/index'
import { buildDecisionSchema } from '../../agents/build/schema'

const SINGLE = 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n'
const MULTI = 'FROM node:20 AS build\nRUN npm ci\n\n# runtime\nfrom node:20-slim\nCOPY --from=build /app /app\n  FROM scratch AS final\n'

function input(over: Partial<BuildAnalysisInput> = {}): BuildAnalysisInput {
  return { changed: ['src/index.ts'], dockerfile: 'Dockerfile', dockerfileText: SINGLE, domains: {}, historyMs: [], ...over }
}

function policy(over: Partial<BuildPolicy> = {}): BuildPolicy {
  return { autoBuild: true, cache: true, hasDockerfile: true, dockerAvailable: true, executor: 'auto', commands: ['npm run build'], explicit: false, ...over }
}

/** Runs the agent and checks the envelope every decision must satisfy. */
async function decide(i: Partial<BuildAnalysisInput> = {}, p: Partial<BuildPolicy> = {}): Promise<BuildDecision> {
  const out = await decideBuild(input(i), policy(p))
  expect(out.agent).toBe('build')
  expect(out.source).toBe('heuristic')
  expect(buildDecisionSchema.safeParse(out.decision).success).toBe(true)
  expect(out.reasons).toEqual(out.decision.reasons)
  expect(out.reasons.length).toBeGreaterThan(0)
  expect(out.latencyMs).toBeGreaterThanOrEqual(0)
  expect(out.tokens).toBeUndefined()
  return out.decision
}

describe('decideBuild: mode', () => {
  it('a Dockerfile and a Docker engine build an image with the cache', async () => {
    const d = await decide()
    expect(d).toMatchObject({ shouldBuild: true, mode: 'docker', strategy: 'cache', dockerfileChanged: false, manifestsChanged: [] })
    expect(d.reasons[0]).toBe('Dockerfile found: build a Docker image')
  })

  it('executor "docker" builds the image even when no engine answered (the stage reports it)', async () => {
    const d = await decide({}, { dockerAvailable: false, executor: 'docker' })
    expect(d.mode).toBe('docker')
  })

  it('executor "local" ignores the Dockerfile and runs the commands', async () => {
    const d = await decide({ changed: ['Dockerfile'] }, { executor: 'local' })
    expect(d.mode).toBe('commands')
    expect(d.shouldBuild).toBe(true)
    expect(d.reasons).toContain('executor is "local": the Dockerfile is not used')
    expect(d.reasons).toContain('run 1 build command(s)')
    expect(d.strategy).toBe('cache') // a changed Dockerfile does not matter to command builds
    expect(d.dockerfileChanged).toBe(true)
  })

  it('no Docker engine falls back to the build commands', async () => {
    const d = await decide({}, { dockerAvailable: false, commands: ['make', 'make dist'] })
    expect(d.mode).toBe('commands')
    expect(d.shouldBuild).toBe(true)
    expect(d.reasons).toContain('no Docker engine answers: running the configured build commands instead')
    expect(d.reasons).toContain('run 2 build command(s)')
  })

  it('no Dockerfile: the commands', async () => {
    const d = await decide({ dockerfileText: null }, { hasDockerfile: false })
    expect(d.mode).toBe('commands')
  })

  it('nothing to run: mode none, no build', async () => {
    const d = await decide({ dockerfileText: null }, { hasDockerfile: false, commands: [] })
    expect(d).toMatchObject({ shouldBuild: false, mode: 'none' })
    expect(d.reasons).toContain('nothing to build: no Dockerfile and no build commands')
    const noEngine = await decide({}, { dockerAvailable: false, commands: [] })
    expect(noEngine).toMatchObject({ shouldBuild: false, mode: 'none' })
    const explicit = await decide({ dockerfileText: null }, { hasDockerfile: false, commands: [], explicit: true })
    expect(explicit.shouldBuild).toBe(false)
  })
})

describe('decideBuild: strategy', () => {
  it('a changed Dockerfile rebuilds without the cache', async () => {
    const d = await decide({ changed: ['Dockerfile', 'src/a.ts'] })
    expect(d).toMatchObject({ mode: 'docker', strategy: 'no-cache', dockerfileChanged: true })
    expect(d.reasons).toContain('Dockerfile changed: rebuild every layer')
  })

  it('a changed .dockerignore or a Dockerfile elsewhere counts as the Dockerfile', async () => {
    expect((await decide({ changed: ['.dockerignore'] })).strategy).toBe('no-cache')
    const sub = await decide({ dockerfile: 'docker/Dockerfile.prod', changed: ['docker/Dockerfile.prod'] })
    expect(sub).toMatchObject({ strategy: 'no-cache', dockerfileChanged: true })
    expect(sub.reasons[0]).toBe('docker/Dockerfile.prod found: build a Docker image')
    // another file named Dockerfile is not the one in use
    expect((await decide({ dockerfile: 'docker/Dockerfile.prod', changed: ['Dockerfile'] })).dockerfileChanged).toBe(false)
  })

  it('a multi-stage Dockerfile is a cached multi-stage build', async () => {
    const d = await decide({ dockerfileText: MULTI })
    expect(d.strategy).toBe('multi-stage')
    expect(d.reasons).toContain('3-stage Dockerfile: cached multi-stage build')
  })

  it('a changed multi-stage Dockerfile is still no-cache', async () => {
    expect((await decide({ dockerfileText: MULTI, changed: ['Dockerfile'] })).strategy).toBe('no-cache')
  })

  it('FROM in a comment or a word is not a stage', () => {
    const facts = analyseBuild(input({ dockerfileText: '# FROM old\nFROM alpine\nRUN echo FROM here\nLABEL x=FROMAGE\n' }))
    expect(facts.dockerfileStages).toBe(1)
  })

  it('cache: false is no-cache whatever else holds', async () => {
    for (const i of [{}, { dockerfileText: MULTI }, { changed: ['package.json'] }]) {
      const d = await decide(i, { cache: false })
      expect(d.strategy).toBe('no-cache')
      expect(d.reasons).toContain('build.cache is false')
    }
    expect((await decide({ dockerfileText: null }, { cache: false, hasDockerfile: false })).strategy).toBe('no-cache')
  })

  it('multi-stage only applies to Docker builds', async () => {
    expect((await decide({ dockerfileText: MULTI }, { executor: 'local' })).strategy).toBe('cache')
  })
})

describe('decideBuild: whether to build', () => {
  it('a docs-only push does not build', async () => {
    const d = await decide({ changed: ['README.md', 'docs/guide/setup.png', 'CHANGELOG.rst', 'LICENSE', 'sub/.gitignore', 'notes/a.mdx'] })
    expect(d.shouldBuild).toBe(false)
    expect(d.mode).toBe('docker')
    expect(d.reasons).toContain('only documentation changed (6 file(s)): no build needed')
  })

  it('a docs-only change still builds when the run is explicit (manual or CLI)', async () => {
    const d = await decide({ changed: ['README.md'] }, { explicit: true })
    expect(d.shouldBuild).toBe(true)
  })

  it('docs plus one source file builds', async () => {
    expect((await decide({ changed: ['README.md', 'src/a.ts'] })).shouldBuild).toBe(true)
  })

  it('an unknown change set (no files) builds', async () => {
    const d = await decide({ changed: [] })
    expect(d.shouldBuild).toBe(true)
    expect(d.scope).toEqual(['*'])
  })

  it('auto_build: false does not build a push but does build an explicit run', async () => {
    const push = await decide({}, { autoBuild: false })
    expect(push.shouldBuild).toBe(false)
    expect(push.reasons).toContain('build.auto_build is false: pushes do not build')
    expect((await decide({}, { autoBuild: false, explicit: true })).shouldBuild).toBe(true)
  })
})

describe('decideBuild: manifests, estimate and scope', () => {
  it('names changed dependency manifests at any depth', async () => {
    const d = await decide({ changed: ['package.json', 'services/api/Cargo.lock', 'src/package.json.bak', 'go.sum', 'web/yarn.lock'] }, { hasDockerfile: false })
    expect(d.manifestsChanged).toEqual(['package.json', 'services/api/Cargo.lock', 'go.sum', 'web/yarn.lock'])
    expect(d.strategy).toBe('cache')
    expect(d.reasons.some((r) => r.startsWith('dependency manifests changed (package.json, services/api/Cargo.lock, go.sum, web/yarn.lock)'))).toBe(true)
  })

  it('without history there is no estimate', async () => {
    const d = await decide({ historyMs: [] })
    expect(d.estimatedDurationMs).toBeNull()
    expect(d.reasons).toContain('no earlier builds of this repo: no estimate')
  })

  it('estimates from the median of the last ten builds', async () => {
    expect((await decide({ historyMs: [30_000, 10_000, 20_000] })).estimatedDurationMs).toBe(20_000)
    expect((await decide({ historyMs: [10_000, 40_000] })).estimatedDurationMs).toBe(25_000)
    // newest first: only the first ten count, the old slow builds are ignored
    const d = await decide({ historyMs: [...Array.from({ length: 10 }, () => 5_000), 900_000, 900_000, 900_000] })
    expect(d.estimatedDurationMs).toBe(5_000)
    expect(d.reasons).toContain('about 5 s (median of the last 10 builds)')
  })

  it('the scope is the touched domains', async () => {
    const domains = { core: ['src/**'], tests: ['test/**'], docs: ['**/*.md'] }
    const d = await decide({ changed: ['src/a.ts', 'src/b/c.ts'], domains })
    expect(d.scope).toEqual(['core'])
    expect(d.reasons).toContain('touches domains: core')
    expect((await decide({ changed: ['src/a.ts', 'test/a.test.ts', 'src/README.md'], domains })).scope).toEqual(['core', 'tests', 'docs'])
  })

  it('the scope includes * when a file is outside every domain', async () => {
    const domains = { core: ['src/**'], docs: ['**/*.md'] }
    const d = await decide({ changed: ['src/a.ts', 'package.json'], domains })
    expect(d.scope).toEqual(['*', 'core'])
    expect(d.reasons.some((r) => r.startsWith('touches domains'))).toBe(false)
    expect((await decide({ changed: ['Makefile'], domains })).scope).toEqual(['*'])
  })

  it('no domains configured: *', async () => {
    expect((await decide({ changed: ['src/a.ts'], domains: {} })).scope).toEqual(['*'])
  })
})

describe('median', () => {
  it('is the middle value, or the rounded mean of the two middle values', () => {
    expect(median([])).toBeNull()
    expect(median([7])).toBe(7)
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(3) // (2+3)/2 = 2.5 → 3
    expect(median([1, 2])).toBe(2) // 1.5 → 2
    expect(median([10, 10, 1_000])).toBe(10)
  })

  it('does not reorder its input', () => {
    const values = [5, 1, 4]
    median(values)
    expect(values).toEqual([5, 1, 4])
  })
})

describe('baselineBuild directly', () => {
  it('always gives at least one reason and a schema-valid decision', () => {
    const variants: Array<[Partial<BuildAnalysisInput>, Partial<BuildPolicy>]> = [
      [{}, {}],
      [{ changed: [] }, { hasDockerfile: false, commands: [] }],
      [{ changed: ['README.md'] }, { autoBuild: false }],
      [{ dockerfileText: MULTI, historyMs: [1, 2, 3] }, { cache: false, executor: 'docker', dockerAvailable: false }],
    ]
    for (const [i, p] of variants) {
      const d = baselineBuild(analyseBuild(input(i)), policy(p))
      expect(buildDecisionSchema.parse(d)).toEqual(d)
    }
  })
})
