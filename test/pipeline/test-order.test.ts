/**
 * The TestAgent's order and parallelism reach the test commands: `{tests}` lists the selection in
 * the decision's category order and `{parallelism}` is its parallelism. A real git repository,
 * the local executor, node:test running the files; the model is the scripted OpenAI-compatible
 * server on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelRuntime } from '../../agents/runtime/decide'
import { OpenAICompatibleClient } from '../../agents/runtime/openai-compatible-client'
import type { TestDecision } from '../../agents/test/schema'
import { cicdConfigSchema } from '../../shared/config/schema'
import { createQueuedRun } from '../../shared/ingress/start-run'
import { runBuildStage } from '../../shared/pipeline/build-stage'
import { createPipelineEnv } from '../../shared/pipeline/env'
import { runTestStage, testCommand } from '../../shared/pipeline/test-stage'
import { newRunId } from '../../shared/runs/ids'
import { MemoryState, RunStore } from '../../shared/runs/store'
import { TempRepo } from '../helpers/git-repo'
import { ScriptedOpenAIServer } from '../helpers/openai-server'

const UNIT = 'test/math.test.mjs'
const INTEGRATION = 'test/integration/math.integration.test.mjs'
const E2E = 'e2e/math.e2e.test.mjs'
const testFile = (name: string) => `import test from 'node:test'\nimport assert from 'node:assert/strict'\nimport { add } from '${name.startsWith('test/integration') ? '../..' : '..'}/src/math.mjs'\ntest('${name}', () => assert.equal(add(2, 2), 4))\n`

let tmp: string
let repo: TempRepo
let before: string
let head: string
const server = new ScriptedOpenAIServer()

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-test-order-'))
  repo = new TempRepo()
  before = repo.commit({
    'package.json': JSON.stringify({ name: 'ordered', version: '1.0.0', type: 'module' }),
    'src/math.mjs': 'export const add = (a, b) => a + b\n',
    [E2E]: testFile(E2E),
    [INTEGRATION]: testFile(INTEGRATION),
    [UNIT]: testFile(UNIT),
  })
  head = repo.commit({ 'src/math.mjs': 'export const add = (a, b) => b + a\n' }, 'math: commute')
  await server.start()
})
afterAll(async () => {
  repo.remove()
  rmSync(tmp, { recursive: true, force: true })
  await server.stop()
})

/** Runs build and test of `head` (after `before`), commands as given, with the model runtime given. */
async function testStage(commands: string[], model?: ModelRuntime) {
  const config = cicdConfigSchema.parse({
    defaults: { workspace_root: path.join(tmp, 'ws'), executor: 'local', llm: { enabled: 'off' } },
    repositories: [{ name: 'ordered', path: repo.dir, test: { commands, select: 'affected' } }],
  })
  const env = await createPipelineEnv({ config, runs: new RunStore(new MemoryState()), ...(model ? { model: Promise.resolve(model) } : {}) })
  const r = config.repositories[0]
  if (!r) throw new Error('no repo')
  const runId = newRunId()
  const received = await createQueuedRun(env.runs, { runId, traceId: 't', repo: r, commit: head, trigger: 'push', before })
  const build = await runBuildStage(env, received)
  const result = await runTestStage(env, build.completed)
  const run = await env.runs.get(runId)
  const stage = run?.stages.find((s) => s.name === 'test')
  const decision = run?.decisions.find((d) => d.agent === 'test')
  return { result, log: stage?.log ?? '', decision: decision?.decision as TestDecision | undefined, source: decision?.source }
}

/** The argument lines `echo` printed (the command itself is logged as `$ …`). */
const argsLine = (log: string) => log.split('\n').find((l) => l.startsWith('ARGS ')) ?? ''

describe('{tests} and {parallelism} in test commands (real git repo, local executor)', () => {
  it("runs the baseline's selection in its category order (unit, integration, e2e) with its parallelism", async () => {
    const { result, log, decision } = await testStage(['echo ARGS --maxWorkers={parallelism} {tests}', 'node --test --test-concurrency={parallelism} {tests}'])
    expect(result.completed.success, log).toBe(true)
    expect(decision?.mode).toBe('affected')
    expect(decision?.order).toEqual(['unit', 'integration', 'e2e'])
    // the selection itself is in path order (e2e/ first): the command follows the decision's order
    expect(decision?.selected.map((s) => s.file)).toEqual([E2E, INTEGRATION, UNIT])
    expect(argsLine(log)).toBe(`ARGS --maxWorkers=${decision?.parallelism} ${UNIT} ${INTEGRATION} ${E2E}`)
    expect(log).toContain(`$ node --test --test-concurrency=${decision?.parallelism} ${UNIT} ${INTEGRATION} ${E2E}`)
    expect(log).toMatch(/# pass 3/)
  })

  it("applies the model's order and parallelism when the guardrails keep them (scripted OpenAI-compatible server)", async () => {
    const selected = [E2E, INTEGRATION, UNIT].map((file) => ({ file, category: file === E2E ? 'e2e' : file === UNIT ? 'unit' : 'integration', reasons: ['imports src/math.mjs'] }))
    const answer: TestDecision = { mode: 'affected', selected: selected as TestDecision['selected'], skipped: [], order: ['e2e', 'integration', 'unit'], parallelism: 5, estimatedDurationMs: null, reasons: ['e2e first: the change is user-visible'] }
    server.otherwise = { content: JSON.stringify(answer) } // the BuildAgent asks too: it rejects a test decision and keeps its baseline
    const model: ModelRuntime = { client: new OpenAICompatibleClient({ baseURL: server.baseURL, model: 'qwen2.5:7b-instruct', timeoutMs: 30_000, concurrency: 1 }) }
    const { result, log, decision, source } = await testStage(['echo ARGS --maxWorkers={parallelism} {tests}'], model)
    expect(result.completed.success, log).toBe(true)
    expect(source).toBe('llm')
    expect(decision).toMatchObject({ order: ['e2e', 'integration', 'unit'], parallelism: 5 })
    expect(argsLine(log)).toBe(`ARGS --maxWorkers=5 ${E2E} ${INTEGRATION} ${UNIT}`)
  }, 90_000)

  it('leaves {tests} empty when every test runs, and fills {parallelism} in any command', () => {
    const d = { mode: 'all' as const, selected: [{ file: 'b.test.ts', category: 'unit' as const, reasons: [] }], order: ['unit' as const], parallelism: 3 }
    expect(testCommand('npx vitest run --maxWorkers={parallelism} {tests}', d)).toBe('npx vitest run --maxWorkers=3')
    expect(testCommand('make test -j{parallelism}', d)).toBe('make test -j3')
    expect(testCommand("run {tests}", { ...d, mode: 'affected', selected: [{ file: "it's.test.ts", category: 'unit', reasons: [] }] })).toBe(`run 'it'\\''s.test.ts'`)
  })
})
