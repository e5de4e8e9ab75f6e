import os from 'node:os'
import { decide, type ModelRuntime } from '../runtime/decide'
import type { AgentDecision } from '../runtime/envelope'
import { median } from '../build/baseline'
import { selectTests } from './select'
import { testDecisionSchema, type TestDecision } from './schema'
import { testAgentSpec, type TestAgentFacts } from './spec'

export type { TestDecision } from './schema'

export interface TestAgentInput {
  rootDir: string
  /** Repo-relative changed paths; null when unknown (selects everything). */
  changedFiles: string[] | null
  /** cicd.yml test.select: `all` keeps every test whatever the change. */
  select: 'all' | 'affected'
  testGlobs: string[]
  selectAllOn: string[]
  /** Durations (ms) of recent test stages of this repo, newest first. */
  historyMs: number[]
  /** Cores the tests may use (default: this host's `os.availableParallelism()`); the parallelism never exceeds it. */
  cores?: number
}

const ORDER: TestDecision['order'] = ['unit', 'integration', 'e2e']

/** The baseline and the facts the TestAgent decides from (the facts carry the selection's causes as data). */
export interface TestAgentContext {
  baseline: TestDecision
  facts: TestAgentFacts
}

/** The deterministic selection: the import graph and naming conventions; when unsure, more. */
export async function baselineTests(input: TestAgentInput): Promise<TestDecision> {
  return (await testAgentContext(input)).baseline
}

/** The baseline and, for the model, the facts: every test with its category, and why each selected one runs. */
export async function testAgentContext(input: TestAgentInput): Promise<TestAgentContext> {
  const sel = await selectTests({
    rootDir: input.rootDir,
    changedFiles: input.changedFiles ?? [],
    ...(input.testGlobs.length ? { testGlobs: input.testGlobs } : {}),
    ...(input.selectAllOn.length ? { selectAllPatterns: input.selectAllOn } : {}),
  })
  const reasons = [...sel.reasons]
  let mode: TestDecision['mode'] = sel.mode
  let selected = sel.selected
  let skipped = sel.skipped
  if (input.changedFiles === null) reasons.unshift('changed files unknown: run every test')
  if (input.select === 'all' && mode !== 'all') {
    reasons.unshift('test.select is "all": every test runs whatever the change')
    selected = [...selected, ...skipped.map((s) => ({ file: s.file, category: s.category, reasons: ['test.select is "all"'], causes: [{ kind: 'other' as const, text: 'test.select is "all"' }] }))]
    skipped = []
    mode = 'all'
  } else if (mode === 'affected' && selected.length === 0) mode = 'none'
  const cats = new Set(selected.map((s) => s.category))
  const est = median(input.historyMs.slice(0, 10))
  const baseline = testDecisionSchema.parse({
    mode,
    selected,
    skipped,
    order: ORDER.filter((c) => cats.has(c)),
    parallelism: Math.max(1, Math.min(selected.length || 1, input.cores ?? os.availableParallelism(), 64)),
    estimatedDurationMs: est === null ? null : mode === 'all' || selected.length + skipped.length === 0 ? est : Math.round((est * selected.length) / (selected.length + skipped.length)),
    reasons: reasons.length ? reasons : ['run every test'],
  })
  const known = [...baseline.selected, ...baseline.skipped].map((t) => ({ file: t.file, category: t.category }))
  const selection = { causes: new Map(selected.map((t) => [t.file, t.causes])), restated: sel.restated }
  return { baseline, facts: { changedFiles: input.changedFiles, known, select: input.select, selection } }
}

/** TestAgent: which tests to run for this change, in which order, and why. */
export async function decideTests(input: TestAgentInput, runtime?: ModelRuntime): Promise<AgentDecision<TestDecision>> {
  const { baseline, facts } = await testAgentContext(input)
  return decide(testAgentSpec, facts, baseline, runtime)
}
