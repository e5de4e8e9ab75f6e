/**
 * Cleaning of a raw GitHub Actions job log for the Healer: colours and timestamps go, `##[...]` markers become a line
 * kind, post-job cleanup is dropped, and the log is cut into steps so the classifier can look at the step that failed.
 * Pure string work: no I/O, no dependency on the runtime.
 */

export type LineKind =
  | 'output'
  | 'group' // `##[group]Title`: text is the title
  | 'endgroup'
  | 'error' // `##[error]msg` or `::error ...::msg`: text is the message
  | 'warning'
  | 'notice'
  | 'debug'
  | 'command' // `[command]/usr/bin/git ...` or `##[command]...`: an echo of what ran, never evidence

export interface LogLine {
  kind: LineKind
  text: string
}

export interface LogStep {
  /** The step's title as the log shows it (`Run cargo test`, `Run actions/checkout@v4`, or `Set up job`). */
  title: string
  /** Index of the step's first line (its `##[group]Run ...` line). */
  start: number
  /** First line after the header group (`with:`/`shell:`/`env:` and the echoed script). */
  bodyStart: number
  /** One past the step's last line. */
  end: number
}

export type FailingHow = 'step-name' | 'first-error' | 'last-step' | 'whole-log'

export interface CleanedLog {
  lines: LogLine[]
  steps: LogStep[]
  /** The step that failed and how it was found. */
  failing: LogStep & { how: FailingHow }
  /** Lines dropped as post-job cleanup (their `##[error]` lines are kept, appended at the end). */
  cleanupDropped: number
  /** Bytes cut from the head of the log to respect the size bound. */
  truncatedBytes: number
}

export const DEFAULT_MAX_LOG_BYTES = 2 * 1024 * 1024

// CSI (colours, cursor), OSC (hyperlinks, titles) and two-byte escapes.
const ANSI_RE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g
// SGR sequences whose ESC byte was lost in a copy-paste (`[1m[92m   Compiling[0m`).
const ORPHAN_SGR_RE = /\[(?:\d{1,3};)*\d{1,3}m/g
const TIMESTAMP_RE = /^\uFEFF?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/

export function stripAnsi(s: string): string {
  const out = s.replace(ANSI_RE, '')
  // only when the line carries a reset (`[0m`): `[2m0s elapsed]` in plain text must survive
  return out.includes('[0m') ? out.replace(ORPHAN_SGR_RE, '') : out
}

export function stripTimestamp(line: string): string {
  return line.replace(TIMESTAMP_RE, '')
}

/** Keeps at most `maxBytes` of UTF-8 from the end of `raw`, starting at a line boundary. */
export function tailBytes(raw: string, maxBytes: number): { text: string; dropped: number } {
  if (raw.length <= maxBytes / 4) return { text: raw, dropped: 0 } // cheap: even 4-byte chars fit
  const buf = Buffer.from(raw, 'utf8')
  if (buf.length <= maxBytes) return { text: raw, dropped: 0 }
  let start = buf.length - maxBytes
  const nl = buf.indexOf(0x0a, start)
  if (nl >= 0 && nl + 1 < buf.length) start = nl + 1
  else while (start < buf.length && ((buf[start] ?? 0) & 0xc0) === 0x80) start++ // one long line: cut at a character boundary
  return { text: buf.subarray(start).toString('utf8'), dropped: start }
}

function parseLine(raw: string): LogLine {
  let s = raw
  if (s.includes('\r')) {
    // progress output rewrites the line: keep what was shown last
    const parts = s.split('\r').filter((p) => p.trim() !== '')
    s = parts.length ? (parts[parts.length - 1] ?? '') : ''
  }
  s = stripAnsi(stripTimestamp(s))
  const marker = /^##\[(group|endgroup|error|warning|notice|debug|command|section)\](.*)$/.exec(s)
  if (marker) {
    const tag = marker[1] ?? ''
    const rest = marker[2] ?? ''
    if (tag === 'section') return { kind: 'output', text: rest }
    return { kind: tag as LineKind, text: rest }
  }
  const wf = /^::(error|warning|notice|debug|group|endgroup)(?: [^:]*)?::(.*)$/.exec(s)
  if (wf) return { kind: (wf[1] ?? 'output') as LineKind, text: wf[2] ?? '' }
  if (s.startsWith('[command]')) return { kind: 'command', text: s.slice('[command]'.length) }
  return { kind: 'output', text: s }
}

const CLEANUP_RE = /^(?:Post job cleanup\.|Cleaning up orphan processes|Terminate orphan process: )/

function norm(s: string): string {
  return s.replace(/\s+/g, ' ').trim().toLowerCase()
}

function stepTitleMatches(title: string, step: string): boolean {
  const a = norm(title.replace(/^Run /, ''))
  const b = norm(step.replace(/^Run /, ''))
  if (!a || !b) return false
  if (a === b) return true
  // GitHub truncates long first lines; names may carry expressions rendered differently
  const min = Math.min(a.length, b.length)
  return min >= 12 && (a.startsWith(b) || b.startsWith(a))
}

/**
 * Cleans a raw job log. `step` (the failed step's name, `Run <first line>` for run steps) picks the failing step when
 * the log has a matching step header; otherwise the step holding the first `##[error]` is taken, else the last step.
 */
export function cleanLog(raw: string, opts: { step?: string; maxBytes?: number } = {}): CleanedLog {
  const { text, dropped } = tailBytes(raw, opts.maxBytes ?? DEFAULT_MAX_LOG_BYTES)
  const parsed = text.split('\n').map(parseLine)
  while (parsed.length && parsed[parsed.length - 1]?.kind === 'output' && parsed[parsed.length - 1]?.text.trim() === '') parsed.pop()

  // Post-job cleanup: from the first cleanup marker that follows the first error (or the first one when no error).
  const firstErrRaw = parsed.findIndex((l) => l.kind === 'error')
  let cleanupAt = -1
  for (let i = 0; i < parsed.length; i++) {
    const l = parsed[i]
    if (l && l.kind === 'output' && CLEANUP_RE.test(l.text) && (firstErrRaw < 0 || i > firstErrRaw)) {
      cleanupAt = i
      break
    }
  }
  let lines = parsed
  let cleanupDropped = 0
  if (cleanupAt >= 0) {
    const tail = parsed.slice(cleanupAt)
    lines = parsed.slice(0, cleanupAt).concat(tail.filter((l) => l.kind === 'error'))
    cleanupDropped = tail.length - (lines.length - cleanupAt)
  }

  // Steps start at `##[group]Run ...`; what precedes the first one is "Set up job".
  const starts: number[] = []
  lines.forEach((l, i) => {
    if (l.kind === 'group' && l.text.startsWith('Run ')) starts.push(i)
  })
  const steps: LogStep[] = []
  if (starts.length === 0 || (starts[0] ?? 0) > 0) {
    const end = starts[0] ?? lines.length
    steps.push({ title: starts.length ? 'Set up job' : '(whole log)', start: 0, bodyStart: 0, end })
  }
  starts.forEach((s, k) => {
    const end = starts[k + 1] ?? lines.length
    let bodyStart = s + 1
    for (let i = s + 1; i < Math.min(end, s + 400); i++) {
      const l = lines[i]
      if (l?.kind === 'endgroup') {
        bodyStart = i + 1
        break
      }
      if (l?.kind === 'group' || l?.kind === 'error') break
    }
    steps.push({ title: lines[s]?.text ?? '', start: s, bodyStart, end })
  })

  const firstErr = lines.findIndex((l) => l.kind === 'error')
  const holding = (i: number) => steps.find((st) => i >= st.start && i < st.end)
  let failing: (LogStep & { how: FailingHow }) | undefined
  if (opts.step) {
    const named = steps.filter((st) => st.title !== 'Set up job' && st.title !== '(whole log)' && stepTitleMatches(st.title, opts.step ?? ''))
    const withErr = named.find((st) => lines.slice(st.start, st.end).some((l) => l.kind === 'error'))
    const pick = withErr ?? (firstErr < 0 ? named[named.length - 1] : named.find((st) => st === steps[steps.length - 1]))
    if (pick) failing = { ...pick, how: 'step-name' }
  }
  if (!failing && firstErr >= 0) {
    const st = holding(firstErr)
    if (st) failing = { ...st, how: 'first-error' }
  }
  if (!failing) {
    const last = steps[steps.length - 1]
    failing = last ? { ...last, how: steps.length > 1 ? 'last-step' : 'whole-log' } : { title: '(empty log)', start: 0, bodyStart: 0, end: 0, how: 'whole-log' }
  }
  return { lines, steps, failing, cleanupDropped, truncatedBytes: dropped }
}

/** The failing step as plain text (header group excluded), for display. */
export function failingStepText(log: CleanedLog): string {
  return log.lines
    .slice(log.failing.bodyStart, log.failing.end)
    .map((l) => (l.kind === 'error' ? `error: ${l.text}` : l.kind === 'warning' ? `warning: ${l.text}` : l.text))
    .join('\n')
}
