import type { CheckRun } from './github-checks'
import { cleanText } from './untrusted-text'

const PASSED = new Set(['success', 'neutral', 'skipped'])
const FAILED = new Set(['failure', 'timed_out', 'startup_failure', 'action_required', 'error'])

export const isPassed = (r: CheckRun) => r.status === 'completed' && PASSED.has(r.conclusion ?? '')
export const isFailed = (r: CheckRun) => r.status === 'completed' && FAILED.has(r.conclusion ?? '')

const same = (a: CheckRun, b: CheckRun) => a.name === b.name && (a.kind ?? 'check_run') === (b.kind ?? 'check_run')

/**
 * The newest run of each check name (a rerun gets a new, higher id), check runs and commit
 * statuses apart (their ids are not comparable): a name both report appears twice.
 */
export function latestByName(runs: readonly CheckRun[]): CheckRun[] {
  const latest = new Map<string, CheckRun>()
  for (const r of runs) {
    const key = `${r.kind ?? 'check_run'}:${r.name}`
    const prev = latest.get(key)
    if (!prev || r.id > prev.id) latest.set(key, r)
  }
  return [...latest.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.kind ?? '').localeCompare(b.kind ?? ''))
}

export interface CheckSummary {
  /** `failure` as soon as one check failed; `pending` while any runs; `none`: nothing reported yet. */
  state: 'failure' | 'success' | 'pending' | 'none'
  failing: CheckRun[]
  pending: CheckRun[]
  /** Check names that failed and then passed on a rerun of the same commit: flaky by evidence. */
  flakyEvidence: string[]
}

/** A pull request's checks on its head commit, from every run (`filter=all`) of each check. */
export function summarizeChecks(all: readonly CheckRun[]): CheckSummary {
  const latest = latestByName(all)
  const failing = latest.filter(isFailed)
  const pending = latest.filter((r) => r.status !== 'completed')
  const flakyEvidence = latest.filter((r) => isPassed(r) && all.some((o) => same(o, r) && o.id < r.id && isFailed(o))).map((r) => r.name)
  const state = failing.length ? 'failure' : pending.length ? 'pending' : latest.length ? 'success' : 'none'
  return { state, failing, pending, flakyEvidence }
}

export type RequiredVerdict = { ok: true; passed: string[] } | { ok: false; reason: string }

/**
 * Whether every required check passed: the configured names, or (none configured) every check
 * reported — check runs and commit statuses (their context) alike. A required check that has not
 * reported, still runs, or ended otherwise blocks (reported both ways, both must pass).
 */
export function requiredChecksVerdict(runs: readonly CheckRun[], required: readonly string[]): RequiredVerdict {
  const latest = latestByName(runs)
  const names = required.length ? [...required] : [...new Set(latest.map((r) => r.name))]
  if (names.length === 0) return { ok: false, reason: 'no check has reported' }
  const problems: string[] = []
  for (const name of names) {
    const found = latest.filter((x) => x.name === name)
    const shown = cleanText(name, 100) // check names come from workflow files a pull request may change
    if (!found.length) problems.push(`${shown} (not reported)`)
    for (const r of found) {
      if (r.status !== 'completed') problems.push(`${shown} (${cleanText(r.status, 40)})`)
      else if (!isPassed(r)) problems.push(`${shown} (${cleanText(r.conclusion ?? 'no conclusion', 40)})`)
    }
  }
  return problems.length ? { ok: false, reason: `required checks did not pass: ${problems.join(', ')}` } : { ok: true, passed: names }
}
