import { XMLParser } from 'fast-xml-parser'

export interface TestCaseResult {
  suite: string
  name: string
  classname?: string
  file?: string
  status: 'passed' | 'failed' | 'error' | 'skipped'
  timeMs: number
  /** First line of the failure message, when failed. */
  message?: string
  /** Passed on a rerun within the same run after failing (Surefire's `<flakyFailure>` / `<flakyError>`). */
  flaky?: boolean
}

export interface JUnitSummary {
  total: number
  passed: number
  failed: number
  errors: number
  skipped: number
  timeMs: number
  cases: TestCaseResult[]
  /** "suite › name" of each failed or errored case. */
  failing: string[]
  /** "suite › name" of each case that passed only on a rerun (flaky by the runner's own evidence). */
  flaky: string[]
}

type Node = Record<string, unknown>

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped', 'flakyFailure', 'flakyError'].includes(name),
  processEntities: true,
  htmlEntities: true,
})

const asArray = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v && typeof v === 'object' ? [v as Node] : [])
/** Failure/error/skipped children: objects, or plain strings when they hold only text. */
const children = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v])
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined)
const seconds = (v: unknown): number => {
  const n = Number(str(v)?.replace(/,/g, ''))
  return Number.isFinite(n) ? Math.round(n * 1000) : 0
}

function firstMessage(nodes: unknown[]): string | undefined {
  const n = nodes[0]
  if (n === undefined) return undefined
  // a text-only <failure>…</failure> (jest-junit) comes back from the parser as a plain string
  const raw = typeof n === 'object' && n !== null ? (str((n as Node)['@message']) ?? str((n as Node)['#text']) ?? '') : (str(n) ?? '')
  const line = raw.trim().split('\n')[0] ?? ''
  return line.length > 300 ? `${line.slice(0, 300)}…` : line || undefined
}

function collectSuites(node: Node, out: Node[]): void {
  for (const s of asArray(node.testsuite)) {
    out.push(s)
    collectSuites(s, out) // nested suites (pytest, some Jest reporters)
  }
}

/** Parses one JUnit XML document (`<testsuites>` or a bare `<testsuite>`). Throws on non-XML. */
export function parseJUnit(xml: string): JUnitSummary {
  let doc: Node
  try {
    doc = parser.parse(xml, true) as Node
  } catch (err) {
    throw new Error(`not valid JUnit XML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)
  }
  const suites: Node[] = []
  const root = (doc.testsuites as Node | undefined) ?? doc
  if (typeof root === 'object' && root !== null && 'testcase' in root) suites.push(root) // Node's reporter: cases right under <testsuites>
  collectSuites(root, suites)
  if (suites.length === 0 && doc.testsuites === undefined) throw new Error('not JUnit XML: no <testsuites> or <testsuite> element')

  const cases: TestCaseResult[] = []
  for (const suite of suites) {
    const suiteName = suite === root ? '' : (str(suite['@name']) ?? '')
    for (const c of asArray(suite.testcase)) {
      const failures = children(c.failure)
      const errors = children(c.error)
      const skipped = children(c.skipped)
      const status: TestCaseResult['status'] = failures.length ? 'failed' : errors.length ? 'error' : skipped.length ? 'skipped' : 'passed'
      const message = status === 'failed' ? firstMessage(failures) : status === 'error' ? firstMessage(errors) : undefined
      const classname = str(c['@classname'])
      const file = str(c['@file'])
      const flaky = status === 'passed' && children(c.flakyFailure).length + children(c.flakyError).length > 0
      cases.push({
        suite: suiteName,
        name: str(c['@name']) ?? '(unnamed)',
        ...(classname ? { classname } : {}),
        ...(file ? { file } : {}),
        status,
        timeMs: seconds(c['@time']),
        ...(message ? { message } : {}),
        ...(flaky ? { flaky } : {}),
      })
    }
  }
  return summarize(cases)
}

const caseName = (c: TestCaseResult): string => (c.suite ? `${c.suite} › ${c.name}` : c.name)

export function summarize(cases: TestCaseResult[]): JUnitSummary {
  const count = (s: TestCaseResult['status']) => cases.filter((c) => c.status === s).length
  return {
    total: cases.length,
    passed: count('passed'),
    failed: count('failed'),
    errors: count('error'),
    skipped: count('skipped'),
    timeMs: cases.reduce((t, c) => t + c.timeMs, 0),
    cases,
    failing: cases.filter((c) => c.status === 'failed' || c.status === 'error').map(caseName),
    flaky: cases.filter((c) => c.flaky).map(caseName),
  }
}

/** Merges the summaries of several report files. */
export function mergeSummaries(parts: JUnitSummary[]): JUnitSummary {
  return summarize(parts.flatMap((p) => p.cases))
}
