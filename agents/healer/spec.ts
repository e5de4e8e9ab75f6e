import { z } from 'zod'
import type { PromptSpec } from '../runtime/prompt'
import { coded, codedReasons, num, scoresOf, type ReasonRule } from '../runtime/prompt-reasons'
import { cleanLog, failingStepText } from './log'
import { AGENT_OF, CATEGORY_OF_TYPE, healerDecisionSchema, type HealerDecision, type HealerFacts } from './schema'

/** Lines of the failing step the model sees (the log is untrusted text). */
const LOG_LINES_FOR_MODEL = 80

/** The failing step's last lines: the untrusted text the model reads. */
function logExcerpt(f: HealerFacts): string {
  return failingStepText(cleanLog(f.log, f.step ? { step: f.step } : {})).split('\n').slice(-LOG_LINES_FOR_MODEL).join('\n')
}

/** An evidence line is shown by its start (at least this many words and characters) … */
const REF_MIN_WORDS = 4
const REF_MIN_CHARS = 24
/** … when that leaves out at least this many characters. */
const REF_MIN_SAVED = 30
/** What "…" ends: the rest of that log line. */
const ELLIPSIS = '…'

/**
 * An evidence line as the model reads it: when the fenced log shows it, whole, at the end of one
 * of its lines, its first words (at least REF_MIN_WORDS and REF_MIN_CHARS) followed by "…", as
 * few as make that line the only one containing them, when that leaves out REF_MIN_SAVED
 * characters or more; otherwise the line itself. The guard maps
 * such a reference in the model's answer back to the baseline's line.
 */
export function evidenceRef(evidence: string, excerptLines: readonly string[]): string {
  const holders = excerptLines.filter((l) => l.trimEnd().endsWith(evidence))
  if (holders.length !== 1) return evidence
  const words = evidence.split(' ')
  for (let n = REF_MIN_WORDS; n < words.length; n++) {
    const start = words.slice(0, n).join(' ')
    if (start.length < REF_MIN_CHARS) continue
    if (evidence.length - start.length < REF_MIN_SAVED) break
    if (excerptLines.filter((l) => l.includes(start)).length === 1) return `${start}${ELLIPSIS}`
  }
  return evidence
}

/** How classify.ts found the failing step. */
const FOUND: Record<string, string> = {
  'matched the failed step name': 'step-name',
  'holds the first ##[error]': 'first-error',
  'last step, no ##[error] in the log': 'last-step',
  'no step markers': 'no-steps',
}

/** The classifier's reasons (classify.ts) as codes with their numbers, for the facts `f`. */
function reasonRules(f: HealerFacts): ReasonRule[] {
  const scores = (code: string, text: string | undefined, extra: Record<string, number> = {}) => (m: RegExpExecArray) => {
    const s = scoresOf(text ?? '')
    return s ? coded(code, { ...extra, ...s }) : m[0]
  }
  return [
    {
      re: /^failing step: "(.*)" \((.+)\)$/,
      code: (m) => {
        const found = FOUND[m[2] ?? '']
        if (!found) return m[0]
        return coded('failingStep', m[1] === f.step ? found : { found, step: m[1] ?? '' })
      },
    },
    { re: /^scores: (.+)$/, code: (m) => scores('scores', m[1])(m) },
    { re: /^tool evidence overridden: (.+)$/, code: (m) => scores('overriddenScores', m[1])(m) },
    { re: /^weak signals below the threshold (\d+(?:\.\d+)?): (.+)$/, code: (m) => scores('weakScores', m[2], { threshold: num(m[1]) })(m) },
    { re: /^names\/changed files \(weak tie-breaker, only for categories with evidence\): (.+)$/, code: (m) => scores('nameTieBreaker', m[1])(m) },
    { re: /^(.+): a job-level cause that ends the job whatever it was running$/, code: (m) => coded('jobLevelCause', m[1] ?? '') },
    { re: /^no tool-specific failure pattern explains the failure \(only a generic non-zero exit or nothing\)$/, code: () => 'no-tool-specific-pattern' },
    { re: /^the step output was truncated by GitHub$/, code: () => 'step-output-truncated' },
    { re: /^the log ends without any ##\[error\] annotation \(truncated or excerpt\)$/, code: () => 'no-error-annotation' },
    { re: /^only a wrapper failure was found \(no tool output inside it explains the error\)$/, code: () => 'wrapper-failure-only' },
    { re: /^the failing step itself showed no failure pattern; evidence comes from elsewhere in the log$/, code: () => 'evidence-outside-failing-step' },
  ]
}

/**
 * HealerAgent for the model runtime. The routing matrix is fixed (a category always goes to its
 * specialist), the failure type must belong to the category, and evidence must be lines that
 * really are in the log.
 */
export const healerAgentSpec: PromptSpec<HealerFacts, HealerDecision> = {
  agent: 'healer',
  schema: healerDecisionSchema,
  // the model may name any agent: the guard routes by the fixed matrix instead of rejecting
  modelSchema: z.object(healerDecisionSchema.shape) as unknown as z.ZodType<HealerDecision>,
  instructions:
    'You are the HealerAgent of a CI/CD server. From a failed CI job, find the ROOT cause (not the first error-looking line, not the workflow name) and classify it: rust, frontend, infra, github (permissions, secrets, rate limits, runners, workflow files) or unknown, with the failure type and the log lines that prove it. BASELINE evidence quotes the start of log lines (… stands for the rest of that line); its reasons give the rules the classifier applied, with their numbers (scores per category). Write your reasons as plain sentences.',
  facts: (f) => ({ workflow: f.workflow, job: f.job, step: f.step, changedFiles: f.changedFiles?.slice(0, 100) }),
  baselineForPrompt: (b, f) => {
    const lines = logExcerpt(f).split('\n')
    return { ...b, evidence: b.evidence.map((e) => evidenceRef(e, lines)), reasons: codedReasons(b.reasons, reasonRules(f)) }
  },
  untrusted: logExcerpt,
  guard: (c, b, facts) => {
    const clamped: string[] = []
    if (CATEGORY_OF_TYPE[c.failureType] !== c.category) throw new Error(`failure type ${c.failureType} is not a ${c.category} failure`)
    const d: HealerDecision = { ...c }
    if (d.agent !== AGENT_OF[d.category]) {
      clamped.push(`${d.category} goes to ${AGENT_OF[d.category]}, not ${d.agent}`)
      d.agent = AGENT_OF[d.category]
    }
    const text = cleanLog(facts.log).lines.map((l) => l.text).join('\n')
    // "start…" as BASELINE shows an evidence line: that line
    const evidence = d.evidence.map((e) => {
      const t = e.trim()
      if (!t.endsWith(ELLIPSIS)) return e
      const start = t.slice(0, -ELLIPSIS.length)
      return b.evidence.find((x) => x.startsWith(start)) ?? start
    })
    const real = evidence.filter((e) => e.trim().length > 0 && text.includes(e.trim()))
    if (real.length < evidence.length) clamped.push(`dropped ${evidence.length - real.length} evidence line(s) that are not in the log`)
    d.evidence = real.length ? real : b.evidence
    return { decision: d, clamped }
  },
  reasonsOf: (d) => d.reasons,
}
