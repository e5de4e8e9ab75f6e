/**
 * Deterministic root-cause classification of a failed CI job log (no LLM). The failing step is cut out of the cleaned
 * log, every line is matched against per-tool failure rules (rules.ts), and the evidence is scored per category:
 *  1. a decisive job-level cause (runner lost, disk full, job timeout, cancellation) wins outright;
 *  2. otherwise the category with the highest score wins, where wrappers (`docker build` RUN failures) count only when
 *     no tool inside them explains the failure, the first fatal cause in log order gets a bonus (causal order), and
 *     workflow/job/step names and changed files add at most a small tie-breaker to categories that already have evidence;
 *  3. too little evidence means `unknown`, except when there is no log at all (commit statuses, other apps' checks, an
 *     empty download): then the names and changed files decide (names.ts), with a lower confidence.
 */
import { cleanLog, type CleanedLog, type LogLine } from './log'
import { routeByNames, type NameDecision } from './names'
import { CONTEXT_HINTS, RULES, WARNING_LINE_RE, type Decisive, type LineContext, type RootCategory, type Rule } from './rules'
import { AGENT_OF, type FailureType, type HealerCategory, type HealerDecision, type HealerFacts } from './schema'

const ROOTS: readonly RootCategory[] = ['rust', 'frontend', 'infra', 'github']
/** Minimum score for a category to be named; below it the failure is `unknown`. */
export const MIN_SCORE = 2.5
const MAX_EVIDENCE = 8
const MAX_EVIDENCE_CHARS = 400
const FIRST_CAUSE_BONUS = 1
const MAX_CONTEXT_BONUS = 0.9
const SUPPORT_CAP = 3
const ANNOTATION_TYPE_BONUS = 3

export interface Hit {
  rule: Rule
  category: RootCategory
  type: FailureType
  /** Index in the cleaned log's lines. */
  line: number
  text: string
  /** The line is an `##[error]` annotation: what the step itself reported as its failure. */
  annotation: boolean
}

export interface Scoring {
  hits: Hit[]
  scores: Record<RootCategory, number>
  context: Record<RootCategory, number>
  decisive: Hit | null
  /** The region that was scored: the failing step, or the whole log when the step showed nothing. */
  scope: 'failing-step' | 'whole-log'
}

const DECISIVE_ORDER: readonly Decisive[] = ['runner', 'timeout', 'cancelled']

/**
 * Monorepo task runners put the task in front of every line of its output: turbo `web:test: ` / `@acme/ui:build: `,
 * `pnpm -r` `packages/ui test: `, docker compose `api-1  | `. The task name needs a letter after the colon and no
 * space before it, so `error: `, `src/a.rs:3:5: ` and `Error: template: ` keep their start.
 */
const TASK_PREFIX_RE = /^(?:(?:@[\w.-]+\/)?[\w.-]{2,}:[A-Za-z][\w-]*(?::[\w-]+)*: ?|(?:\.{1,2}\/)?[\w@.-]+(?:\/[\w@.-]+)+ [a-z][\w:-]*: |[\w.-]+-\d+\s+\| )/

/** BuildKit (`#12 3.456 `, `3.456 `), Terraform (`│ `) and task-runner prefixes hide a tool's own line start. */
export function normaliseText(s: string): string {
  let t = s.replace(/^#\d+ (?:\d+(?:\.\d+)? )?/, '')
  t = t.replace(/^\d{1,5}\.\d{1,3} /, '')
  t = t.replace(/^[│╷╵] ?/, '')
  t = t.replace(TASK_PREFIX_RE, '')
  return t.length > 4000 ? t.slice(0, 4000) : t
}

const FILE_HEADER_RE = /^(?:[A-Za-z]:)?[\w.@()[\]~+-]*(?:[/\\][\w.@()[\]~+-]+)*\.[A-Za-z0-9]{1,8}$/

function isEvidenceKind(l: LogLine): boolean {
  return l.kind === 'output' || l.kind === 'error' || l.kind === 'warning' || l.kind === 'notice'
}

function scanRegion(lines: readonly LogLine[], from: number, to: number, command: string): Hit[] {
  const idx: number[] = []
  for (let i = from; i < to; i++) {
    const l = lines[i]
    if (l && isEvidenceKind(l)) idx.push(i)
  }
  const texts = idx.map((i) => normaliseText(lines[i]?.text ?? ''))
  const hits: Hit[] = []
  let diag: 'error' | 'warning' | null = null
  let fileHeader: string | null = null
  texts.forEach((text, k) => {
    const line = lines[idx[k] ?? 0]
    if (!line) return
    const trimmed = text.trim()
    if (trimmed === '') diag = null
    else if (/^error(?:\[[\w-]+\])?: /.test(text)) diag = 'error'
    else if (/^warning(?:\[[\w-]+\])?: /.test(text)) diag = 'warning'
    if (FILE_HEADER_RE.test(trimmed) && /[/\\]/.test(trimmed)) fileHeader = trimmed
    const isWarning = line.kind === 'warning' || WARNING_LINE_RE.test(text)
    const ctx: LineContext = { text, kind: line.kind, index: k, diag, fileHeader, texts, command }
    for (const rule of RULES) {
      if (isWarning && !rule.onWarning) continue
      if (rule.annotationOnly && line.kind !== 'error') continue
      const m = rule.re.exec(text)
      if (!m) continue
      if (rule.when && !rule.when(m, ctx)) continue
      const routed = rule.route ? rule.route(m, ctx) : { category: rule.category, type: rule.type }
      if (!routed) continue
      hits.push({ rule, category: routed.category, type: routed.type, line: idx[k] ?? 0, text: text.trim(), annotation: line.kind === 'error' })
    }
  })
  return hits
}

function contribution(hits: readonly Hit[]): number {
  const byRule = new Map<string, { rule: Rule; n: number }>()
  for (const h of hits) {
    const e = byRule.get(h.rule.id)
    if (e) e.n++
    else byRule.set(h.rule.id, { rule: h.rule, n: 1 })
  }
  let sum = 0
  for (const { rule, n } of byRule.values()) sum += rule.weight * (rule.repeat === false ? 1 : 1 + 0.25 * Math.min(n - 1, 2))
  return sum
}

function emptyScores(): Record<RootCategory, number> {
  return { rust: 0, frontend: 0, infra: 0, github: 0 }
}

function scoreHits(hits: readonly Hit[]): Record<RootCategory, number> {
  const scores = emptyScores()
  const fatalCats = new Set(hits.filter((h) => (h.rule.role ?? 'fatal') === 'fatal').map((h) => h.category))
  for (const c of ROOTS) {
    const mine = hits.filter((h) => h.category === c)
    const fatal = mine.filter((h) => (h.rule.role ?? 'fatal') === 'fatal')
    let s = contribution(fatal)
    if (fatal.length) s += Math.min(SUPPORT_CAP, contribution(mine.filter((h) => h.rule.role === 'support')))
    const othersExplain = [...fatalCats].some((o) => o !== c)
    if (!othersExplain) s += contribution(mine.filter((h) => h.rule.role === 'fallback'))
    scores[c] = Math.round(s * 100) / 100
  }
  // causal order: the first fatal cause in the log gets a bonus
  const first = hits.filter((h) => (h.rule.role ?? 'fatal') === 'fatal' && h.rule.weight >= 3).sort((a, b) => a.line - b.line)[0]
  if (first) scores[first.category] += FIRST_CAUSE_BONUS
  return scores
}

function contextScores(facts: HealerFacts, log: CleanedLog): Record<RootCategory, number> {
  const ctx = emptyScores()
  const names = [facts.workflow, facts.job, facts.step ?? log.failing.title, stepCommand(log).split('\n').slice(0, 10).join(' ')]
  const files = facts.changedFiles ?? []
  for (const hint of CONTEXT_HINTS) {
    let b = 0
    for (const n of names) if (n && hint.name.test(n)) b += 0.25
    if (files.length) b += 0.4 * (files.filter((f) => hint.file.test(f)).length / files.length)
    ctx[hint.category] = Math.min(MAX_CONTEXT_BONUS, b)
  }
  return ctx
}

/** Scores a cleaned log. Exposed for diagnostics (`cicd healer classify --json` prints the decision only). */
export function scoreLog(log: CleanedLog, facts: HealerFacts): Scoring {
  const { lines, failing } = log
  // one pass over the whole log; the failing step's body is the primary evidence
  const all = scanRegion(lines, 0, lines.length, stepCommand(log))
  let hits = all.filter((h) => h.line >= failing.bodyStart && h.line < failing.end)
  let scope: Scoring['scope'] = 'failing-step'

  // job-level annotations anywhere (a timeout or runner loss is reported after the step's output)
  const jobLevel = all.filter(
    (h) => h.rule.decisive && (h.line < failing.bodyStart || h.line >= failing.end) && lines[h.line]?.kind === 'error',
  )
  let scores = scoreHits(hits)
  if (Math.max(...Object.values(scores)) < MIN_SCORE && !hits.some((h) => h.rule.decisive)) {
    // the step cut showed nothing: look at the whole log (minus the step headers), with less trust
    const outside = all.filter((h) => !inHeader(log, h.line))
    const allScores = scoreHits(outside)
    if (Math.max(...Object.values(allScores)) >= MIN_SCORE + 1) {
      hits = outside
      scores = allScores
      for (const c of ROOTS) scores[c] = Math.round(scores[c] * 0.75 * 100) / 100
      scope = 'whole-log'
    }
  }
  const decisiveHits = [...hits.filter((h) => h.rule.decisive), ...jobLevel]
  let decisive: Hit | null = null
  for (const d of DECISIVE_ORDER) {
    const h = decisiveHits.filter((x) => x.rule.decisive === d).sort((a, b) => a.line - b.line)[0]
    if (h) {
      decisive = h
      break
    }
  }
  if (decisive && !hits.includes(decisive)) hits = [...hits, decisive]
  return { hits, scores, context: contextScores(facts, log), decisive, scope }
}

/** The failing step's title and echoed script (without `shell:`/`env:`/`with:` blocks). */
export function stepCommand(log: CleanedLog): string {
  const header = log.lines
    .slice(log.failing.start + 1, log.failing.bodyStart)
    .filter((l) => l.kind === 'output')
    .map((l) => l.text)
  const cut = header.findIndex((t) => /^(?:shell|env|with):/.test(t.trim()))
  return [log.failing.title, ...(cut >= 0 ? header.slice(0, cut) : header)].join('\n')
}

function inHeader(log: CleanedLog, line: number): boolean {
  return log.steps.some((s) => s.title !== 'Set up job' && s.title !== '(whole log)' && line >= s.start && line < s.bodyStart)
}

function pickType(category: RootCategory, hits: readonly Hit[]): FailureType {
  const mine = hits.filter((h) => h.category === category)
  if (category === 'rust' && mine.some((h) => h.type === 'rust_clippy') && !mine.some((h) => h.rule.id === 'rustc-code'))
    return 'rust_clippy'
  const sums = new Map<FailureType, { w: number; first: number }>()
  for (const h of mine) {
    if (h.rule.role === 'fallback' && mine.some((x) => x.rule.role !== 'fallback')) continue
    // the failure the step reported in its own ##[error] annotation weighs more for the failure kind
    const w = h.rule.weight + (h.annotation ? ANNOTATION_TYPE_BONUS : 0)
    const e = sums.get(h.type)
    if (e) e.w += w
    else sums.set(h.type, { w, first: h.line })
  }
  const best = [...sums.entries()].sort((a, b) => b[1].w - a[1].w || a[1].first - b[1].first)[0]
  return best ? best[0] : 'unknown'
}

/** Evidence stays a verbatim substring of a cleaned log line (trimmed, cut at MAX_EVIDENCE_CHARS) so it can be checked. */
function cleanEvidence(text: string): string {
  const t = text.trim()
  return t.length > MAX_EVIDENCE_CHARS ? t.slice(0, MAX_EVIDENCE_CHARS).trimEnd() : t
}

function pushUnique(out: string[], seen: Set<string>, text: string): void {
  const t = cleanEvidence(text)
  const key = t.replace(/\s+/g, ' ').toLowerCase()
  if (!t || seen.has(key) || out.length >= MAX_EVIDENCE) return
  seen.add(key)
  out.push(t)
}

function evidenceFor(category: RootCategory, hits: readonly Hit[], decisive: Hit | null): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  if (decisive) pushUnique(out, seen, decisive.text)
  const mine = hits.filter((h) => h.category === category)
  const useFallback = !mine.some((h) => h.rule.role !== 'fallback')
  const ordered = [
    ...mine.filter((h) => (h.rule.role ?? 'fatal') === 'fatal'),
    ...(useFallback ? mine.filter((h) => h.rule.role === 'fallback') : []),
    ...mine.filter((h) => h.rule.role === 'support'),
  ]
  const fatalSorted = ordered.filter((h) => (h.rule.role ?? 'fatal') !== 'support').sort((a, b) => a.line - b.line)
  for (const h of fatalSorted) pushUnique(out, seen, h.text)
  for (const h of ordered.filter((x) => x.rule.role === 'support').sort((a, b) => a.line - b.line)) pushUnique(out, seen, h.text)
  return out
}

/** For an unexplained failure: the last lines the failing step printed, and the error annotation. */
function unknownEvidence(log: CleanedLog): string[] {
  const body = log.lines.slice(log.failing.bodyStart, log.failing.end)
  const firstErr = body.findIndex((l) => l.kind === 'error')
  const before = (firstErr >= 0 ? body.slice(0, firstErr) : body).filter((l) => l.kind === 'output' && l.text.trim() !== '')
  const out: string[] = []
  const seen = new Set<string>()
  for (const l of before.slice(-4)) pushUnique(out, seen, normaliseText(l.text))
  const err = body.find((l) => l.kind === 'error')
  if (err) pushUnique(out, seen, err.text)
  return out
}

function describeTop(category: RootCategory, hits: readonly Hit[]): string[] {
  const byRule = new Map<string, { desc: string; n: number; weight: number; first: number }>()
  for (const h of hits) {
    if (h.category !== category) continue
    const e = byRule.get(h.rule.id)
    if (e) e.n++
    else byRule.set(h.rule.id, { desc: h.rule.desc, n: 1, weight: h.rule.weight, first: h.line })
  }
  return [...byRule.values()]
    .sort((a, b) => b.weight - a.weight || a.first - b.first)
    .slice(0, 3)
    .map((r) => `${r.desc}${r.n > 1 ? ` (×${r.n})` : ''}`)
}

function fmtScores(s: Record<RootCategory, number>): string {
  return ROOTS.map((c) => `${c} ${s[c].toFixed(1)}`).join(', ')
}

/**
 * "Nothing explains it" is only believable when the whole failing step is in view: a fragment without step structure
 * or without the job's ##[error] may have lost the cause (measured on tail-truncated copies of the corpora).
 */
function unknownConfidence(log: CleanedLog, weak: number): number {
  let c = 0.7 - 0.25 * Math.min(1, weak / MIN_SCORE)
  if (log.steps.length <= 1 || log.lines.length < 10) c -= 0.25
  if (!log.lines.some((l) => l.kind === 'error')) c -= 0.1
  return Math.round(Math.max(0.2, c) * 100) / 100
}

function confidenceFor(best: number, second: number, scope: Scoring['scope']): number {
  const strength = 1 - Math.exp(-best / 4)
  const margin = best > 0 ? Math.max(0, (best - second) / best) : 0
  let c = 0.3 + 0.65 * strength * (0.4 + 0.6 * margin)
  if (scope === 'whole-log') c *= 0.8
  return Math.round(Math.min(0.97, Math.max(0.05, c)) * 100) / 100
}

/** A generic exit says nothing about the cause: a log of only such lines is as good as none. */
const GENERIC_EXIT_RE = /^(?:Error: )?Process completed with exit code \d+\.?$|^exit (?:code|status):? \d+$/i

/** The log shows anything at all (any output or annotation besides a generic exit)? */
export function hasLogContent(log: CleanedLog): boolean {
  return log.lines.some((l) => isEvidenceKind(l) && l.text.trim() !== '' && !GENERIC_EXIT_RE.test(l.text.trim()))
}

/** Names/changed files are trusted less than any log evidence; a clear winner among them still stays below 0.6. */
function nameConfidence(d: NameDecision): number {
  const margin = d.score > 0 ? (d.score - d.second) / d.score : 0
  return Math.round((0.3 + 0.3 * (1 - Math.exp(-d.score / 2)) * margin) * 100) / 100
}

/** The decision when there is no log to read: from the workflow/job/step names and the changed files. */
function nameDecision(d: NameDecision): HealerDecision {
  return {
    category: d.category,
    agent: AGENT_OF[d.category],
    failureType: d.type,
    confidence: nameConfidence(d),
    evidence: d.evidence,
    reasons: [
      'no log to read (empty, or only a generic exit): routed by the workflow/job/step names and changed files alone',
      `names/changed files: ${fmtScores(d.scores)}`,
    ],
  }
}

/** Classifies an already cleaned log (see `cleanLog`). */
export function classifyCleaned(log: CleanedLog, facts: HealerFacts): HealerDecision {
  const scoring = scoreLog(log, facts)
  const { hits, scores, context, decisive, scope } = scoring
  const stepReason = `failing step: "${log.failing.title}" (${
    log.failing.how === 'step-name' ? 'matched the failed step name' : log.failing.how === 'first-error' ? 'holds the first ##[error]' : log.failing.how === 'last-step' ? 'last step, no ##[error] in the log' : 'no step markers'
  })`

  if (decisive) {
    const type = decisive.type
    const reasons = [
      stepReason,
      `${decisive.rule.desc}: a job-level cause that ends the job whatever it was running`,
      `tool evidence overridden: ${fmtScores(scores)}`,
    ]
    return {
      category: 'github',
      agent: AGENT_OF.github,
      failureType: type,
      confidence: decisive.rule.decisive === 'cancelled' ? 0.85 : 0.92,
      evidence: evidenceFor('github', hits.filter((h) => h.rule.decisive || h.category === 'github'), decisive),
      reasons,
    }
  }

  const total = emptyScores()
  for (const c of ROOTS) total[c] = scores[c] + (scores[c] > 0 ? context[c] : 0)
  // only categories with enough evidence of their own compete; names and files merely break near-ties
  const ranked = ROOTS.filter((c) => scores[c] >= MIN_SCORE).sort((a, b) => total[b] - total[a] || scores[b] - scores[a])
  const top = ranked[0]

  if (!top && !hasLogContent(log)) {
    const byNames = routeByNames(facts)
    if (byNames) return nameDecision(byNames)
  }

  if (!top) {
    const reasons = [stepReason, 'no tool-specific failure pattern explains the failure (only a generic non-zero exit or nothing)']
    if (hits.length) reasons.push(`weak signals below the threshold ${MIN_SCORE}: ${fmtScores(scores)}`)
    if (log.lines.some((l) => /This step has been truncated due to its large size/.test(l.text))) reasons.push('the step output was truncated by GitHub')
    if (!log.lines.some((l) => l.kind === 'error')) reasons.push('the log ends without any ##[error] annotation (truncated or excerpt)')
    return {
      category: 'unknown',
      agent: AGENT_OF.unknown,
      failureType: 'unknown',
      confidence: unknownConfidence(log, Math.max(...Object.values(scores))),
      evidence: unknownEvidence(log),
      reasons,
    }
  }

  const category: HealerCategory = top
  const reasons = [stepReason, `${top}: ${describeTop(top, hits).join('; ')}`, `scores: ${fmtScores(scores)}`]
  const ctxNote = ROOTS.filter((c) => context[c] > 0).map((c) => `${c} +${context[c].toFixed(2)}`)
  if (ctxNote.length) reasons.push(`names/changed files (weak tie-breaker, only for categories with evidence): ${ctxNote.join(', ')}`)
  const fallbackOnly = hits.filter((h) => h.category === top).every((h) => h.rule.role === 'fallback')
  if (fallbackOnly) reasons.push('only a wrapper failure was found (no tool output inside it explains the error)')
  if (scope === 'whole-log') reasons.push('the failing step itself showed no failure pattern; evidence comes from elsewhere in the log')
  const second = Math.max(0, ...ROOTS.filter((c) => c !== top).map((c) => total[c]))
  let confidence = confidenceFor(total[top], second, scope)
  if (fallbackOnly) confidence = Math.min(confidence, 0.55)
  return {
    category,
    agent: AGENT_OF[category],
    failureType: pickType(top, hits),
    confidence,
    evidence: evidenceFor(top, hits, null),
    reasons,
  }
}

/** Classifies a failed CI job by the root cause visible in its log and routes it to the owning agent. */
export function classifyFailure(facts: HealerFacts): HealerDecision {
  const log = cleanLog(facts.log, { step: facts.step })
  return classifyCleaned(log, facts)
}
