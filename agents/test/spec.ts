import type { AgentSpec } from '../runtime/decide'
import type { TestDecision } from './schema'
import { testDecisionSchema } from './schema'

export interface TestAgentFacts {
  changedFiles: string[] | null
  /** Every test file the repository has, with its category. */
  known: Array<{ file: string; category: TestDecision['selected'][number]['category'] }>
  select: 'all' | 'affected'
}

/**
 * TestAgent for the model runtime. The model may add tests, reorder categories and tune
 * parallelism; it can never drop a test the baseline selected, select a file that is not a
 * test of this repository, or narrow `all`.
 */
export const testAgentSpec: AgentSpec<TestAgentFacts, TestDecision> = {
  agent: 'test',
  schema: testDecisionSchema,
  instructions:
    'You are the TestAgent of a CI/CD server. Given the changed files and the repository\'s test files (the BASELINE\'s selected and skipped ones, and FACTS otherTests when given), choose which tests to run (when unsure, run more), the order of categories (fast feedback first) and the parallelism.',
  // Every test file is in the baseline, selected or skipped, with its category: only the ones it
  // does not list are sent again (none when the baseline comes from `baselineTests`).
  facts: (f, baseline) => {
    const listed = new Set([...baseline.selected, ...baseline.skipped].map((t) => t.file))
    const otherTests = f.known.filter((t) => !listed.has(t.file)).slice(0, 500)
    return { changedFiles: f.changedFiles?.slice(0, 300) ?? 'unknown', ...(otherTests.length ? { otherTests } : {}), select: f.select }
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
