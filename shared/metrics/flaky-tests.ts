import { z } from 'zod'
import type { RunRecord, StageRecord } from '../runs/model'

/** A test that both failed and passed on the same code. */
export interface FlakyTest {
  repo: string
  /** "suite › name", as the JUnit reports name it. */
  test: string
  /** Runs that showed it flaky. */
  occurrences: number
  /** When the newest of those runs was created. */
  lastSeen: string
  /**
   * `rerun`: the test runner passed it on a rerun within one run (Surefire's flakyFailure);
   * `same-commit`: it failed in one run and another run of the same commit, running all tests or
   * the same selection of test files, passed them all.
   */
  evidence: Array<'rerun' | 'same-commit'>
}

interface TestTotals {
  total: number
  failed: number
  errors: number
}

const testStage = (r: RunRecord): StageRecord | undefined => r.stages.find((s) => s.name === 'test')
const totalsOf = (s: StageRecord): TestTotals | undefined => s.summary?.totals as TestTotals | undefined
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

/**
 * Did `pass`'s test stage run (at least) what `fail`'s did, and pass every test? Yes when it ran
 * them all, or the very same selection of test files (the same `selectedHash`).
 */
function passedTheSameTests(pass: StageRecord, fail: StageRecord): boolean {
  const t = totalsOf(pass)
  if (pass.status !== 'succeeded' || !t || !(t.total > 0) || !(t.failed === 0 && t.errors === 0)) return false
  if (pass.summary?.mode === 'all') return true
  const same = pass.summary?.selectedHash
  return typeof same === 'string' && same === fail.summary?.selectedHash
}

/**
 * Flaky tests by the runs' own evidence, most frequent first. Smoke runs run other tests and
 * are left out of the same-commit comparison.
 */
export function flakyTests(runs: readonly RunRecord[]): FlakyTest[] {
  const found = new Map<string, FlakyTest>()
  const note = (run: RunRecord, test: string, evidence: 'rerun' | 'same-commit') => {
    const id = `${run.repo}\0${test}`
    const f = found.get(id) ?? { repo: run.repo, test, occurrences: 0, lastSeen: run.createdAt, evidence: [] }
    f.occurrences++
    if (run.createdAt > f.lastSeen) f.lastSeen = run.createdAt
    if (!f.evidence.includes(evidence)) f.evidence.push(evidence)
    found.set(id, f)
  }
  const byCommit = new Map<string, RunRecord[]>()
  for (const run of runs) {
    const stage = testStage(run)
    if (!stage) continue
    for (const test of new Set(strings(stage.summary?.flaky))) note(run, test, 'rerun')
    if (run.trigger === 'smoke') continue
    const key = `${run.repo}\0${run.commit}`
    byCommit.set(key, [...(byCommit.get(key) ?? []), run])
  }
  for (const same of byCommit.values()) {
    if (same.length < 2) continue
    for (const run of same) {
      const stage = testStage(run)
      if (!stage || stage.status !== 'failed') continue
      const failing = new Set(strings(stage.summary?.failing))
      if (failing.size === 0) continue
      const passedElsewhere = same.some((other) => {
        const s = other === run ? undefined : testStage(other)
        return s !== undefined && passedTheSameTests(s, stage)
      })
      if (!passedElsewhere) continue
      for (const test of failing) note(run, test, 'same-commit')
    }
  }
  return [...found.values()].sort((a, b) => b.occurrences - a.occurrences || b.lastSeen.localeCompare(a.lastSeen) || a.test.localeCompare(b.test))
}

const one = (v: unknown) => (Array.isArray(v) ? v[0] : v)

/** GET /api/cicd/flaky-tests query: `repo`, `limit` (1..500, default 50). */
export const flakyQuerySchema = z.object({
  repo: z.preprocess(one, z.string().min(1).optional()),
  limit: z.preprocess(one, z.coerce.number().int().min(1).max(500).default(50)),
})
export type FlakyQuery = z.infer<typeof flakyQuerySchema>

/** The answer: flaky tests of the recorded runs (of `repo`), most frequent first, and how many runs were read. */
export function flakyReport(runs: readonly RunRecord[], q: FlakyQuery): { total: number; runsRead: number; tests: FlakyTest[] } {
  const mine = q.repo ? runs.filter((r) => r.repo === q.repo) : runs
  const all = flakyTests(mine)
  return { total: all.length, runsRead: mine.length, tests: all.slice(0, q.limit) }
}
