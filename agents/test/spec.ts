import type { PromptSpec } from '../runtime/prompt'
import { coded, codedReasons } from '../runtime/prompt-reasons'
import type { TestDecision } from './schema'
import { testDecisionSchema } from './schema'
import { NOT_AFFECTED, type TestCause } from './select'

type Category = TestDecision['selected'][number]['category']

export interface TestAgentFacts {
  changedFiles: string[] | null
  /** Every test file the repository has, with its category. */
  known: Array<{ file: string; category: Category }>
  select: 'all' | 'affected'
  /**
   * The selection behind the baseline, as data (`testAgentContext` gives it): why each selected
   * test runs, and which of the baseline's reasons only restate that. The prompt shows these
   * instead of the sentences; without them it shows the sentences.
   */
  selection?: {
    causes: ReadonlyMap<string, readonly TestCause[]>
    restated: readonly string[]
  }
}

/** Import chains shown per test; more are counted (`{moreImports:n}` in `also`). */
const MAX_PROMPT_CHAINS = 30

/** What else makes a selected test run, besides imports. */
type Also = 'changed' | 'e2e' | 'all' | { name: string } | { moreImports: number } | string

/**
 * A selected test as the model reads it. `imports`: the import chains from the test to a
 * changed file; `also`: the other causes. Every row has the same keys (a table).
 */
interface SelectedRow {
  file: string
  category: Category
  imports?: string[][]
  also?: Also[]
  /** Only for a test whose causes are unknown (the baseline's sentences). */
  reasons?: string[]
}

/** Chains in path order, so that chains sharing their first paths stand together. */
function byPath(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string
    const y = b[i] as string
    if (x !== y) return x < y ? -1 : 1
  }
  return a.length - b.length
}

function selectedRow(file: string, category: Category, causes: readonly TestCause[]): SelectedRow {
  const chains: string[][] = []
  const also: Also[] = []
  for (const c of causes) {
    if (c.kind === 'imports') chains.push([...c.chain])
    else if (c.kind === 'name') also.push({ name: c.source })
    else if (c.kind === 'other') also.push(c.text)
    else also.push(c.kind)
  }
  chains.sort(byPath)
  if (chains.length > MAX_PROMPT_CHAINS) also.unshift({ moreImports: chains.length - MAX_PROMPT_CHAINS })
  return { file, category, imports: chains.slice(0, MAX_PROMPT_CHAINS), ...(also.length ? { also } : {}) }
}

/**
 * TestAgent for the model runtime. The model may add tests, reorder categories and tune
 * parallelism; it can never drop a test the baseline selected, select a file that is not a
 * test of this repository, or narrow `all`.
 */
export const testAgentSpec: PromptSpec<TestAgentFacts, TestDecision> = {
  agent: 'test',
  schema: testDecisionSchema,
  instructions:
    "You are the TestAgent of a CI/CD server. Given the changed files and the repository's test files (the BASELINE's selected and skipped ones, and FACTS otherTests when given), choose which tests to run (when unsure, run more), the order of categories (fast feedback first) and the parallelism. " +
    'BASELINE says why each selected test runs: imports = import chains (the test imports the first path, which imports the next, down to a changed file); also = changed (the test file itself changed), e2e (an e2e test, run on any code change), all (every test runs), name (a changed file paired with the test by file name). A skipped test without a reason is reached by no changed file. Write your reasons as plain sentences.',
  // Every test file is in the baseline, selected or skipped, with its category: only the ones it
  // does not list are sent again (none when the baseline comes from `baselineTests`).
  facts: (f, baseline) => {
    const listed = new Set([...baseline.selected, ...baseline.skipped].map((t) => t.file))
    const otherTests = f.known.filter((t) => !listed.has(t.file)).slice(0, 500)
    return { changedFiles: f.changedFiles?.slice(0, 300) ?? 'unknown', ...(otherTests.length ? { otherTests } : {}), select: f.select }
  },
  // The reasons' sentences render the selection's causes: the model gets the causes themselves.
  baselineForPrompt: (b, f) => {
    const causes = f.selection?.causes
    const restated = new Set(f.selection?.restated ?? [])
    const changed = new Set(f.changedFiles ?? [])
    const reasons = codedReasons(
      b.reasons.filter((r) => !restated.has(r)),
      [
        {
          re: /^ignored documentation changes: (.+)$/,
          code: (m) => {
            const docs = (m[1] ?? '').split(', ')
            return docs.every((d) => changed.has(d)) ? coded('ignoredDocs', docs) : m[0]
          },
        },
      ],
    )
    return {
      mode: b.mode,
      selected: b.selected.map((t): SelectedRow => {
        const c = causes?.get(t.file)
        return c?.length ? selectedRow(t.file, t.category, c) : { file: t.file, category: t.category, reasons: t.reasons }
      }),
      skipped: b.skipped.map((t) => (t.reason === NOT_AFFECTED ? { file: t.file, category: t.category } : t)),
      order: b.order,
      parallelism: b.parallelism,
      estimatedDurationMs: b.estimatedDurationMs,
      ...(reasons.length ? { reasons } : {}),
    }
  },
  guard: (candidate, baseline, facts) => {
    const clamped: string[] = []
    const known = new Map(facts.known.map((t) => [t.file, t.category]))
    const picked = new Map<string, TestDecision['selected'][number]>()
    for (const s of baseline.selected) picked.set(s.file, s)
    for (const s of candidate.selected) {
      const category = known.get(s.file)
      if (category === undefined) {
        clamped.push(`dropped ${s.file}: not a test file of this repository`)
        continue
      }
      if (!picked.has(s.file)) picked.set(s.file, { file: s.file, category, reasons: s.reasons.length ? s.reasons : ['selected by the model'] })
    }
    const dropped = baseline.selected.filter((s) => !candidate.selected.some((c) => c.file === s.file))
    if (dropped.length) clamped.push(`kept ${dropped.length} test(s) the baseline selected (tests are never dropped)`)
    const selected = [...picked.values()]
    const mode: TestDecision['mode'] = baseline.mode === 'all' ? 'all' : selected.length === 0 ? 'none' : baseline.mode === 'none' && selected.length ? 'affected' : baseline.mode
    if (candidate.mode !== mode) clamped.push(`mode ${mode} (the model asked for ${candidate.mode})`)
    const skipped = facts.known.filter((t) => !picked.has(t.file)).map((t) => ({ file: t.file, category: t.category, reason: baseline.skipped.find((s) => s.file === t.file)?.reason ?? 'not affected by the change' }))
    const cats = new Set(selected.map((s) => s.category))
    const order = [...new Set([...candidate.order.filter((c) => cats.has(c)), ...(['unit', 'integration', 'e2e'] as const).filter((c) => cats.has(c))])]
    return {
      decision: { ...candidate, mode, selected, skipped, order, reasons: candidate.reasons.length ? candidate.reasons : baseline.reasons },
      clamped,
    }
  },
  reasonsOf: (d) => d.reasons,
}

export { testDecisionSchema }
