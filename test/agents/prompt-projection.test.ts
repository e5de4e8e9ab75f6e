/**
 * What the model reads of a baseline (`baselineForPrompt`): the structure its sentences render
 * (import chains, rule codes with their numbers, references to log lines), never less than the
 * sentences said; and the decision the guard returns keeps the sentences people read.
 * The LLM-path cases use the scripted OpenAI-compatible server on loopback (real HTTP).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyseBuild, type BuildAnalysisInput } from '../../agents/build/analyse'
import { baselineBuild, type BuildPolicy } from '../../agents/build/baseline'
import { buildAgentSpec } from '../../agents/build/spec'
import { baselineDeploy } from '../../agents/deploy/baseline'
import { decideDeploy, type DeployFacts } from '../../agents/deploy/index'
import { deployAgentSpec } from '../../agents/deploy/spec'
import { classifyFailure } from '../../agents/healer/classify'
import { decideHealer } from '../../agents/healer/decide'
import { healerDecisionSchema, type HealerFacts } from '../../agents/healer/schema'
import { evidenceRef, healerAgentSpec } from '../../agents/healer/spec'
import { baselineMonitor } from '../../agents/monitor/baseline'
import { decideMonitor, thresholdsSchema, type HealthCheck } from '../../agents/monitor/index'
import { monitorAgentSpec } from '../../agents/monitor/spec'
import type { ModelRuntime } from '../../agents/runtime/decide'
import { decide } from '../../agents/runtime/decide'
import { OpenAICompatibleClient } from '../../agents/runtime/openai-compatible-client'
import { promptParts, renderPrompt, renderPromptAs } from '../../agents/runtime/prompt'
import { codedReasons, scoresOf } from '../../agents/runtime/prompt-reasons'
import type { TestDecision } from '../../agents/test/schema'
import { NOT_AFFECTED, type TestCause } from '../../agents/test/select'
import { testAgentSpec, type TestAgentFacts } from '../../agents/test/spec'
import type { JsonValue } from '../../shared/sns/json'
import { ScriptedOpenAIServer } from '../helpers/openai-server'

const server = new ScriptedOpenAIServer()
let runtime: ModelRuntime
beforeAll(async () => {
  await server.start()
  runtime = { client: new OpenAICompatibleClient({ baseURL: server.baseURL, model: 'qwen2.5:7b-instruct', timeoutMs: 6000, concurrency: 2, transportRetries: 1 }) }
})
afterAll(() => server.stop())

const userPrompt = () => server.requests.at(-1)?.body.messages?.find((m) => m.role === 'user')?.content ?? ''
/** A reason the model reads as a code: a word without spaces, or `{code: value}`. */
const isCode = (r: JsonValue) => (typeof r === 'string' ? !/\s/.test(r) : r !== null && typeof r === 'object' && !Array.isArray(r) && Object.keys(r).length === 1)
const reasonsShown = (b: JsonValue): JsonValue[] => {
  const r = (b as { reasons?: JsonValue[] }).reasons
  return r ?? []
}

describe('codedReasons', () => {
  it('codes what a rule reads, leaves out restatements, keeps any other sentence as it is', () => {
    const rules = [
      { re: /^(\d+) test\(s\) passed$/, code: (m: RegExpExecArray) => ({ testsPassed: Number(m[1]) }) },
      { re: /^strategy .+ from cicd\.yml$/, code: () => null },
    ]
    expect(codedReasons(['39 test(s) passed', 'strategy canary from cicd.yml', 'a new sentence'], rules)).toEqual([{ testsPassed: 39 }, 'a new sentence'])
    expect(scoresOf('rust 5.0, frontend 0.0, infra +0.75')).toEqual({ rust: 5, frontend: 0, infra: 0.75 })
    expect(scoresOf('rust 5.0 and more')).toBeNull()
  })
})

describe('TestAgent: why each test runs, as data', () => {
  const causes = new Map<string, TestCause[]>([
    [
      'test/e2e/checkout.test.ts',
      [
        { kind: 'imports', chain: ['test/helpers/server.ts', 'src/config.ts'] },
        { kind: 'imports', chain: ['test/helpers/server.ts', 'src/app.ts', 'src/lib/money.ts'] },
        { kind: 'imports', chain: ['test/helpers/server.ts', 'src/app.ts'] },
        { kind: 'e2e' },
      ],
    ],
    ['test/money.test.ts', [{ kind: 'imports', chain: ['src/lib/money.ts'] }, { kind: 'changed' }]],
    ['test/orders.test.ts', [{ kind: 'name', source: 'src/orders.ts' }, { kind: 'other', text: 'same Go package directory as x' }]],
  ])
  const baseline: TestDecision = {
    mode: 'affected',
    selected: [
      { file: 'test/e2e/checkout.test.ts', category: 'e2e', reasons: ['imports src/config.ts via test/helpers/server.ts', '… and 3 more'] },
      { file: 'test/money.test.ts', category: 'unit', reasons: ['imports src/lib/money.ts directly', 'changed test file'] },
      { file: 'test/orders.test.ts', category: 'unit', reasons: ['naming convention: src/orders.ts ↔ test/orders.test.ts', 'same Go package directory as x'] },
      { file: 'test/added.test.ts', category: 'unit', reasons: ['test.select is "all"'] },
    ],
    skipped: [
      { file: 'test/a.test.ts', category: 'unit', reason: NOT_AFFECTED },
      { file: 'test/b.test.ts', category: 'unit', reason: 'docs-only change' },
    ],
    order: ['unit', 'e2e'],
    parallelism: 2,
    estimatedDurationMs: 1000,
    reasons: ['src/app.ts: changed, reaches 1 test', 'test/money.test.ts: changed test file', 'ignored documentation changes: README.md, docs/a.md'],
  }
  const known = [...baseline.selected, ...baseline.skipped].map((t) => ({ file: t.file, category: t.category }))
  const facts: TestAgentFacts = {
    changedFiles: ['README.md', 'docs/a.md', 'src/app.ts', 'src/config.ts', 'src/lib/money.ts', 'src/orders.ts', 'test/money.test.ts'],
    known,
    select: 'affected',
    selection: { causes, restated: ['src/app.ts: changed, reaches 1 test', 'test/money.test.ts: changed test file'] },
  }

  it('shows import chains as path lists (sorted, so shared starts stand together), other causes as codes, every chain uncapped', () => {
    const shown = promptParts(testAgentSpec, facts, baseline).baseline
    expect(shown).toEqual({
      mode: 'affected',
      selected: [
        {
          file: 'test/e2e/checkout.test.ts',
          category: 'e2e',
          imports: [
            ['test/helpers/server.ts', 'src/app.ts'],
            ['test/helpers/server.ts', 'src/app.ts', 'src/lib/money.ts'],
            ['test/helpers/server.ts', 'src/config.ts'],
          ],
          also: ['e2e'],
        },
        { file: 'test/money.test.ts', category: 'unit', imports: [['src/lib/money.ts']], also: ['changed'] },
        { file: 'test/orders.test.ts', category: 'unit', imports: [], also: [{ name: 'src/orders.ts' }, 'same Go package directory as x'] },
        // no causes known: the sentences
        { file: 'test/added.test.ts', category: 'unit', reasons: ['test.select is "all"'] },
      ],
      // the usual reason is said once, in the instructions
      skipped: [
        { file: 'test/a.test.ts', category: 'unit' },
        { file: 'test/b.test.ts', category: 'unit', reason: 'docs-only change' },
      ],
      order: ['unit', 'e2e'],
      parallelism: 2,
      estimatedDurationMs: 1000,
      // the notes that count what the rows show are left out
      reasons: [{ ignoredDocs: ['README.md', 'docs/a.md'] }],
    })
  })

  it('without the selection (a baseline from elsewhere) the model reads the sentences', () => {
    const shown = promptParts(testAgentSpec, { ...facts, selection: undefined }, baseline).baseline as { selected: Array<{ reasons?: string[] }>; reasons: JsonValue[] }
    expect(shown.selected.map((s) => s.reasons)).toEqual(baseline.selected.map((s) => s.reasons))
    expect(shown.reasons).toEqual(['src/app.ts: changed, reaches 1 test', 'test/money.test.ts: changed test file', { ignoredDocs: ['README.md', 'docs/a.md'] }])
  })

  it('in sns, rows sharing their chains are one table with dittos; the decision keeps its sentences for the selected tests', async () => {
    const sns = renderPromptAs(testAgentSpec, facts, baseline, 'sns')
    expect(sns.prompt).toContain(
      'selected:[{file|category|reasons|imports|also}\ntest/e2e/checkout.test.ts|e2e||[[test/helpers/server.ts,src/app.ts],[^2,./lib/money.ts],[^,src/config.ts]]|[e2e]\n../money.test.ts|unit||[[src/lib/money.ts]]|[changed]\n',
    )
    expect(sns.system).toContain('imports = import chains')
    const rendered = await renderPrompt(testAgentSpec, facts, baseline) // sns, or JSON when that is smaller
    server.answer({
      content: JSON.stringify({ ...baseline, selected: [{ file: 'test/a.test.ts', category: 'unit', reasons: ['shares a fixture'] }], reasons: ['money changed; a shares its fixture'] }),
    })
    const d = await decide(testAgentSpec, facts, baseline, runtime)
    expect(d.source, d.rejected).toBe('llm')
    expect(userPrompt()).toBe(rendered.prompt)
    expect(d.decision.selected.slice(0, 4)).toEqual(baseline.selected) // kept, with their sentences
    expect(d.decision.selected[4]).toEqual({ file: 'test/a.test.ts', category: 'unit', reasons: ['shares a fixture'] })
  })
})

describe('BuildAgent: reasons as rule codes, facts the baseline carries sent once', () => {
  const SINGLE = 'FROM node:20-alpine\nRUN npm ci\n'
  const MULTI = 'FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim\nCOPY --from=build /app /app\n'
  const input = (over: Partial<BuildAnalysisInput> = {}): BuildAnalysisInput => ({
    changed: ['src/index.ts'],
    dockerfile: 'Dockerfile',
    dockerfileText: SINGLE,
    domains: { app: ['src/**'] },
    historyMs: [40_000, 50_000, 60_000],
    ...over,
  })
  const policy = (over: Partial<BuildPolicy> = {}): BuildPolicy => ({ autoBuild: true, cache: true, hasDockerfile: true, dockerAvailable: true, executor: 'auto', commands: ['npm run build'], explicit: false, ...over })
  const cases: Array<[Partial<BuildAnalysisInput>, Partial<BuildPolicy>]> = [
    [{}, {}],
    [{ dockerfileText: MULTI }, {}],
    [{ changed: ['Dockerfile'] }, {}],
    [{ changed: ['package.json'] }, {}],
    [{ historyMs: [] }, { cache: false }],
    [{}, { executor: 'local' }],
    [{}, { dockerAvailable: false }],
    [{}, { hasDockerfile: false, commands: [] }],
    [{}, { autoBuild: false }],
    [{ changed: ['README.md'] }, {}],
  ]

  it.each(cases)('every reason baseline.ts writes reads as a code (%j, %j)', (i, p) => {
    const facts = analyseBuild(input(i))
    const baseline = baselineBuild(facts, policy(p))
    const shown = promptParts(buildAgentSpec, { facts, policy: policy(p) }, baseline).baseline
    expect(reasonsShown(shown).filter((r) => !isCode(r))).toEqual([])
  })

  it('a multi-stage build with history', () => {
    const facts = analyseBuild(input({ dockerfileText: MULTI }))
    const baseline = baselineBuild(facts, policy())
    const parts = promptParts(buildAgentSpec, { facts, policy: policy() }, baseline)
    expect(parts.baseline).toEqual({ ...baseline, reasons: ['dockerfile-found', { dockerfileStages: 2 }, { medianOfBuilds: 3 }] })
    expect(baseline.reasons).toContain('touches domains: app') // the decision keeps its sentences
    expect(Object.keys(parts.facts as object)).toEqual(['changed', 'dockerfile', 'dockerfileStages', 'docsOnly', 'recentBuildsMs', 'policy'])
  })
})

describe('DeployAgent: reasons as rule codes with their numbers', () => {
  const facts = (over: Partial<DeployFacts> = {}): DeployFacts => ({
    environment: 'production',
    configured: { auto_deploy: false, strategy: 'canary' },
    tests: { total: 40, failed: 0, errors: 0 },
    change: { files: 3, additions: 30, deletions: 10 },
    currentHealthy: true,
    recentRollbacks: 0,
    ...over,
  })
  const cases: Array<Partial<DeployFacts>> = [
    {},
    { environment: 'staging', configured: { auto_deploy: true, strategy: 'rolling' } },
    { tests: null, currentHealthy: false },
    { tests: { total: 40, failed: 2, errors: 1 }, recentRollbacks: 2, change: { files: 80, additions: 900, deletions: 300 } },
  ]

  it.each(cases)('every reason baseline.ts writes reads as a code (%j)', (over) => {
    const f = facts(over)
    expect(reasonsShown(promptParts(deployAgentSpec, f, baselineDeploy(f)).baseline).filter((r) => !isCode(r))).toEqual([])
  })

  it('the model reads {size:{files,lines,risk}}; a model answer is still guarded, and reasons stay sentences without one', async () => {
    const f = facts()
    const b = baselineDeploy(f)
    expect(reasonsShown(promptParts(deployAgentSpec, f, b).baseline)).toEqual([
      { size: { files: 3, lines: 40, risk: 'low' } },
      { production: { risk: 'medium' } },
      { testsPassed: 40 },
      { approval: 'cicd.yml' },
      { strategy: 'cicd.yml' },
    ])
    server.answer({ content: JSON.stringify({ ...b, approvalRequired: false, risk: 'low', strategy: 'immediate', reasons: ['small change'] }) })
    const d = await decideDeploy(f, runtime)
    expect(userPrompt()).toContain('reasons:[{size:{files:3|lines:40|risk:low}},{production:{risk:medium}},{testsPassed:40},{approval:cicd.yml},{strategy:cicd.yml}]')
    expect(d.decision).toMatchObject({ approvalRequired: true, risk: 'medium', strategy: 'canary' })
    expect((await decideDeploy(f)).reasons).toEqual(b.reasons)
  })
})

describe('MonitorAgent: breaches and near limits name the metrics the facts show', () => {
  const t = thresholdsSchema.parse({ maxP95Ms: 300 })
  const ok: HealthCheck = { at: 't', up: true, successRate: 0.999, p95Ms: 80, p99Ms: 120, cpu: 0.2, memory: 0.3 }
  const worst: HealthCheck = { at: 't', up: false, successRate: 0.9, p95Ms: 400, p99Ms: 900, cpu: 0.95, memory: 0.95 }
  const near: HealthCheck = { ...ok, p99Ms: 450, cpu: 0.8, memory: 0.8 }

  it('every breach, near-limit note and reason of baseline.ts reads as a metric or is left out', () => {
    for (const checks of [[ok], [ok, worst, worst, worst], [near], []]) {
      const f = { thresholds: t, checks }
      const b = baselineMonitor(f)
      const shown = promptParts(monitorAgentSpec, f, b).baseline as { breaches: JsonValue[]; nearLimit: JsonValue[]; reasons?: JsonValue[] }
      expect(shown.breaches.length).toBe(b.breaches.length)
      for (const m of [...shown.breaches, ...shown.nearLimit]) expect(['up', 'successRate', 'p95Ms', 'p99Ms', 'cpu', 'memory']).toContain(m)
      expect(shown.reasons).toEqual(checks.length ? undefined : ['no checks yet'])
    }
    const f = { thresholds: t, checks: [ok, worst, worst, worst] }
    expect(promptParts(monitorAgentSpec, f, baselineMonitor(f)).baseline).toEqual({
      status: 'failing',
      consecutiveHealthy: 0,
      consecutiveFailed: 3,
      action: 'rollback',
      breaches: ['up', 'successRate', 'p99Ms', 'p95Ms', 'cpu', 'memory'],
      nearLimit: ['p99Ms', 'cpu', 'memory'],
    })
  })

  it('the decision keeps the breaches as sentences whatever the model answers', async () => {
    const f = { thresholds: t, checks: [ok, worst, worst, worst] }
    server.answer({ content: JSON.stringify({ status: 'failing', consecutiveHealthy: 0, consecutiveFailed: 3, action: 'rollback', breaches: ['p99Ms'], recommendations: ['roll back now'], reasons: ['p99 is far above its limit'] }) })
    const d = await decideMonitor(f, runtime)
    expect(d.source, d.rejected).toBe('llm')
    expect(userPrompt()).toContain('breaches:[up,successRate,p99Ms,p95Ms,cpu,memory]|nearLimit:[p99Ms,cpu,memory]')
    expect(d.decision.breaches).toEqual(baselineMonitor(f).breaches)
  })
})

describe('HealerAgent on the CI-failure corpus: reasons as codes, evidence by reference', () => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const dir = path.join(here, '..', 'fixtures', 'ci-failures')
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Array<{ id: string; file: string; workflow_name: string; job_name: string; failed_step?: string; changed_files?: string[] }>
  const factsOf = (e: (typeof manifest)[number]): HealerFacts => ({
    log: readFileSync(path.join(dir, e.file), 'utf8'),
    workflow: e.workflow_name,
    job: e.job_name,
    ...(e.failed_step ? { step: e.failed_step } : {}),
    ...(e.changed_files ? { changedFiles: e.changed_files } : {}),
  })

  it('every reason is a code but the matched rules; every evidence reference maps back to the baseline line', () => {
    let refs = 0
    for (const e of manifest) {
      const f = factsOf(e)
      const b = healerDecisionSchema.parse(classifyFailure(f))
      const shown = promptParts(healerAgentSpec, f, b).baseline as { evidence: string[]; reasons: JsonValue[] }
      const sentences = shown.reasons.filter((r) => !isCode(r))
      for (const s of sentences) expect(s, e.id).toMatch(/^(rust|frontend|infra|github): /)
      expect(shown.evidence.length).toBe(b.evidence.length)
      // a model that keeps BASELINE's evidence as it reads it gets the baseline's lines back
      const g = healerAgentSpec.guard({ ...b, evidence: shown.evidence }, b, f)
      expect(g.decision.evidence, e.id).toEqual(b.evidence)
      expect(g.clamped, e.id).toEqual([])
      refs += shown.evidence.filter((x, i) => x !== b.evidence[i]).length
    }
    expect(refs).toBeGreaterThan(10)
  })

  it('a reference is the start of a line that ends an excerpt line, unique, and long enough to read', () => {
    const lines = ['  Compiling app v0.1.0', 'error: failed to select a version for the requirement `axum = "^0.9.0"`', 'error: failed to build']
    expect(evidenceRef('error: failed to select a version for the requirement `axum = "^0.9.0"`', lines)).toBe('error: failed to select a…')
    expect(evidenceRef('error: failed to build', lines)).toBe('error: failed to build') // short: as it is
    expect(evidenceRef('not in the excerpt at all, a long line of evidence text', lines)).toBe('not in the excerpt at all, a long line of evidence text')
  })

  it('through the model: a reference in the answer becomes the line; text that is not in the log is still dropped', async () => {
    const e = manifest.find((x) => x.id === 'ci-0006') ?? manifest[0]
    if (!e) throw new Error('empty corpus')
    const f = factsOf(e)
    const b = healerDecisionSchema.parse(classifyFailure(f))
    const shown = promptParts(healerAgentSpec, f, b).baseline as { evidence: string[] }
    expect(shown.evidence.some((x) => x.endsWith('…'))).toBe(true)
    server.answer({ content: JSON.stringify({ ...b, evidence: [...shown.evidence, 'error: all good, merge it…'], reasons: ['axum 0.9 is not released'] }) })
    const d = await decideHealer(f, runtime)
    expect(d.source, d.rejected).toBe('llm')
    expect(d.decision.evidence).toEqual(b.evidence)
    expect(d.reasons.join('\n')).toContain('dropped 1 evidence line(s) that are not in the log')
    expect(userPrompt()).toContain(`evidence:[${shown.evidence.join(',')}]`)
  })
})
