/**
 * npm run bench:sns — token counts (o200k_base) of pretty JSON, minified JSON, TOON and sns on
 *  (a) the five agents' REAL contexts (bench/sns-fixtures.ts): FACTS + BASELINE exactly as
 *      `renderPrompt` builds them from a real git repository, a real test run and the CI-failure
 *      corpus. Every notation writes the same values, the ones the prompt carries (`promptParts`).
 *      `sns` is the text the runtime sends (generic `encode`, or minified JSON where the runtime
 *      falls back to it). BASELINE is the baseline as the model reads it (the spec's
 *      `baselineForPrompt`: prose that renders structure sent as that structure); the decision
 *      itself (what BASELINE carried before) is measured alongside, in minified JSON and sns.
 *      The untrusted text (commit message, job log) is plain text in the prompt: it is counted
 *      separately, the same in every column, and included in the totals. Also the whole rendered
 *      prompt (system + prompt) with sns against the same prompt in minified JSON;
 *  (b) every example payload of @octokit/webhooks-examples, raw (generic sns) and, for the
 *      purposes project() knows, projected to what an agent needs.
 * Every encoding is decoded again and compared with the input: a mismatch fails the bench (exit 1).
 * A missed target is reported (MISSED), not an error: the bench prints the truth and exits 0.
 * The last line is a JSON summary.
 */
import { createRequire } from 'node:module'
import { isDeepStrictEqual } from 'node:util'
import { decode as fromToon, encode as toToon } from '@toon-format/toon'
import { decode } from '../shared/sns/decode'
import { encode } from '../shared/sns/encode'
import type { JsonValue } from '../shared/sns/json'
import { project, PURPOSES, type Purpose } from '../shared/sns/project'
import { countText, renderings, type TokenCounts } from '../shared/sns/tokens'
import { realAgentContexts, type AgentContextSample } from './sns-fixtures'

interface Definition {
  name: string
  examples: unknown[]
}

const require = createRequire(import.meta.url)
const definitions = require('@octokit/webhooks-examples') as Definition[]

const failures: string[] = []
const missed: string[] = []
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b - 1)
const pct = (x: number) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`
const round4 = (x: number) => Math.round(x * 10000) / 10000
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

function counts(texts: Record<keyof TokenCounts, string>): TokenCounts {
  return { prettyJson: countText(texts.prettyJson), minifiedJson: countText(texts.minifiedJson), toon: countText(texts.toon), sns: countText(texts.sns) }
}

function row(name: string, c: TokenCounts, extra = ''): string {
  return `${name.padEnd(38)}${String(c.prettyJson).padStart(8)}${String(c.minifiedJson).padStart(8)}${String(c.toon).padStart(8)}${String(c.sns).padStart(8)}${pct(ratio(c.sns, c.minifiedJson)).padStart(9)}${extra}`
}
const HEADER = `${'item'.padEnd(38)}${'pretty'.padStart(8)}${'minif.'.padStart(8)}${'TOON'.padStart(8)}${'sns'.padStart(8)}${'vs min'.padStart(9)}`

// ------------------------------------------------------------------ (a) agent contexts

/** Tokens of one context in each notation; `untrusted` is the same plain text in all of them. */
interface Ctx {
  pretty: number
  minified: number
  toon: number
  sns: number
  untrusted: number
}
const zero = (): Ctx => ({ pretty: 0, minified: 0, toon: 0, sns: 0, untrusted: 0 })
const add = (a: Ctx, b: Ctx): Ctx => ({ pretty: a.pretty + b.pretty, minified: a.minified + b.minified, toon: a.toon + b.toon, sns: a.sns + b.sns, untrusted: a.untrusted + b.untrusted })
const meanOf = (xs: Ctx[]): Ctx => {
  const s = xs.reduce(add, zero())
  return { pretty: Math.round(s.pretty / xs.length), minified: Math.round(s.minified / xs.length), toon: Math.round(s.toon / xs.length), sns: Math.round(s.sns / xs.length), untrusted: Math.round(s.untrusted / xs.length) }
}

interface Texts {
  pretty: string
  minified: string
  toon: string
  sns: string
}

/** The four texts of one value; `sent` is the text the prompt carries (sns, or minified JSON when the runtime fell back to it). */
function texts(value: JsonValue, sent: string): Texts {
  return { pretty: JSON.stringify(value, null, 2), minified: JSON.stringify(value), toon: toToon(value), sns: sent }
}

/** Decodes every text again; returns what differs (empty: lossless). */
function roundTrip(value: JsonValue, t: Texts, notation: 'sns' | 'json'): string[] {
  const bad: string[] = []
  if (!isDeepStrictEqual(JSON.parse(t.pretty), value)) bad.push('pretty JSON')
  if (!isDeepStrictEqual(JSON.parse(t.minified), value)) bad.push('minified JSON')
  if (!isDeepStrictEqual(fromToon(t.toon), value)) bad.push('TOON')
  if (!isDeepStrictEqual(notation === 'sns' ? decode(t.sns) : JSON.parse(t.sns), value)) bad.push('sns (as sent)')
  return bad
}

/** String values of a JSON value, in document order. */
function stringsOf(v: JsonValue, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v)
  else if (Array.isArray(v)) for (const x of v) stringsOf(x, out)
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stringsOf(x, out)
  return out
}

const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * `prose`: tokens of the string values with whitespace (reasons, evidence, messages), which no
 * notation that keeps strings verbatim can shrink. `repeats`: tokens of string values over 20
 * characters that the sns text writes out again in full (dittos only reach the previous item or
 * the cell above, so a string repeated further away is spelled out each time).
 */
function textShare(s: AgentContextSample, snsText: string): { prose: number; repeats: number } {
  const all = [...stringsOf(s.facts), ...stringsOf(s.baseline)]
  let prose = 0
  for (const x of all) if (/\s/.test(x)) prose += countText(x)
  let repeats = 0
  for (const x of new Set(all.filter((v) => v.length > 20))) {
    const forms = [...new Set([x, JSON.stringify(x)])].map(escapeRe).join('|')
    const n = snsText.match(new RegExp(`(?<=^|[\\[,|\n:])(?:${forms})(?=$|[\\],|\n])`, 'g'))?.length ?? 0
    if (n > 1) repeats += (n - 1) * countText(x)
  }
  return { prose, repeats }
}

interface Measured {
  sample: AgentContextSample
  facts: Ctx
  baseline: Ctx
  prose: number
  repeats: number
  /** facts + baseline + untrusted (untrusted counted once, in every column). */
  total: Ctx
  promptSns: number
  promptJson: number
  /** Tokens the sns legend adds to the system text (0 when the prompt has none). */
  legend: number
  /** The baseline decision itself (before `baselineForPrompt`): minified JSON and generic sns. */
  decision: { minified: number; sns: number }
}

function measure(s: AgentContextSample): Measured {
  const { notation } = s.rendered
  const ft = texts(s.facts, s.rendered.factsText)
  const bt = texts(s.baseline, s.rendered.baselineText)
  // what is measured as `sns` is what the runtime puts in the prompt, and it is the generic
  // encoding of the values every other column writes (or their minified JSON, on a fallback)
  if (!s.rendered.prompt.startsWith(`FACTS ${ft.sns}\nBASELINE ${bt.sns}`)) failures.push(`${s.name}: the measured sns is not the text renderPrompt sends`)
  const write = notation === 'sns' ? encode : (v: JsonValue) => JSON.stringify(v)
  if (ft.sns !== write(s.facts) || bt.sns !== write(s.baseline)) failures.push(`${s.name}: the text sent is not the ${notation} of the measured values`)
  for (const what of roundTrip(s.facts, ft, notation)) failures.push(`${s.name} facts: ${what} round trip differs`)
  for (const what of roundTrip(s.baseline, bt, notation)) failures.push(`${s.name} baseline: ${what} round trip differs`)
  if (!isDeepStrictEqual(decode(encode(s.decision)), s.decision)) failures.push(`${s.name} decision: sns round trip differs`)
  const c = (t: Texts, untrusted: number): Ctx => ({ pretty: countText(t.pretty), minified: countText(t.minified), toon: countText(t.toon), sns: countText(t.sns), untrusted })
  const facts = c(ft, 0)
  const baseline = c(bt, 0)
  const u = s.untrusted === null ? 0 : countText(s.untrusted)
  const fb = add(facts, baseline)
  const total = { pretty: fb.pretty + u, minified: fb.minified + u, toon: fb.toon + u, sns: fb.sns + u, untrusted: u }
  return {
    sample: s,
    facts,
    baseline,
    ...textShare(s, `${ft.sns}\n${bt.sns}`),
    total,
    promptSns: countText(s.rendered.system) + countText(s.rendered.prompt),
    promptJson: countText(s.renderedJson.system) + countText(s.renderedJson.prompt),
    legend: countText(s.rendered.system) - countText(s.renderedJson.system),
    decision: { minified: countText(JSON.stringify(s.decision)), sns: countText(encode(s.decision)) },
  }
}

const real = await realAgentContexts()
const measured = real.samples.map(measure)
const AGENTS = ['BuildAgent', 'TestAgent', 'DeployAgent', 'MonitorAgent', 'HealerAgent'] as const
const byAgent = (a: (typeof AGENTS)[number]) => measured.filter((m) => m.sample.agent === a)
const healerLogs = byAgent('HealerAgent')

/** One row per agent; the Healer, measured on several logs, counts as the mean of them. */
interface AgentRow {
  name: string
  facts: Ctx
  baseline: Ctx
  total: Ctx
  prose: number
  repeats: number
  promptSns: number
  promptJson: number
  legend: number
  decision: { minified: number; sns: number }
  /** The notation(s) the runtime sent. */
  sent: string
}
const agentRows: AgentRow[] = AGENTS.map((a) => {
  const ms = byAgent(a)
  const mean = (xs: number[]) => Math.round(xs.reduce((x, y) => x + y, 0) / xs.length)
  return {
    name: ms.length > 1 ? `${a} (mean of ${ms.length} logs)` : a,
    facts: meanOf(ms.map((m) => m.facts)),
    baseline: meanOf(ms.map((m) => m.baseline)),
    total: meanOf(ms.map((m) => m.total)),
    prose: mean(ms.map((m) => m.prose)),
    repeats: mean(ms.map((m) => m.repeats)),
    promptSns: mean(ms.map((m) => m.promptSns)),
    promptJson: mean(ms.map((m) => m.promptJson)),
    legend: mean(ms.map((m) => m.legend)),
    decision: { minified: mean(ms.map((m) => m.decision.minified)), sns: mean(ms.map((m) => m.decision.sns)) },
    sent: [...new Set(ms.map((m) => m.sample.rendered.notation))].join('+'),
  }
})

const w = (n: number, width = 8) => String(n).padStart(width)
const A_HEADER = `${'context'.padEnd(34)}${'pretty'.padStart(8)}${'minif.'.padStart(8)}${'TOON'.padStart(8)}${'sns'.padStart(8)}${'untr.'.padStart(7)}${'sns/min'.padStart(9)}${'sns/TOON'.padStart(9)}`
const aRow = (name: string, c: Ctx) =>
  `${name.padEnd(34)}${w(c.pretty)}${w(c.minified)}${w(c.toon)}${w(c.sns)}${w(c.untrusted, 7)}${pct(ratio(c.sns, c.minified)).padStart(9)}${pct(ratio(c.sns, c.toon)).padStart(9)}`
/** facts + baseline only (no untrusted text). */
const structured = (c: Ctx): Ctx => ({ ...c, pretty: c.pretty - c.untrusted, minified: c.minified - c.untrusted, toon: c.toon - c.untrusted, sns: c.sns - c.untrusted })

console.log('(a) agent contexts — the real FACTS + BASELINE of each agent (bench/sns-fixtures.ts), tokens o200k_base')
for (const line of real.setup) console.log(`    ${line}`)
console.log('    every column writes the values the prompt carries (promptParts: numbers with 4 significant digits);')
console.log('    sns = the text renderPrompt sends (generic encode; minified JSON where it falls back to that);')
console.log('    BASELINE = the baseline as the model reads it (baselineForPrompt: causes, codes and references instead of sentences);')
console.log('    untr. = the fenced untrusted text, plain text in every notation: included once in each column')
console.log(A_HEADER)
for (const r of agentRows) {
  console.log(aRow(r.name, r.total))
  if (r.name.startsWith('HealerAgent')) for (const m of healerLogs) console.log(aRow(`  ${m.sample.name}`, m.total))
}
const agentTotal = agentRows.map((r) => r.total).reduce(add, zero())
const structuredTotal = structured(agentTotal)
console.log(aRow('total, facts + baseline only', { ...structuredTotal, untrusted: 0 }))
console.log(aRow('total as sent (+ untrusted text)', agentTotal))

console.log('\n    where the tokens go: per part; decision = the baseline decision itself, what BASELINE carried before')
console.log('    baselineForPrompt (its sentences), not sent; prose = string values with whitespace (reasons, evidence), counted')
console.log('    without quotes; repeats = strings over 20 characters that the sns text spells out again (beyond the reach of dittos)')
console.log(`${'context'.padEnd(34)}${'facts min.'.padStart(11)}${'TOON'.padStart(7)}${'sns'.padStart(7)}${'base. min.'.padStart(11)}${'TOON'.padStart(7)}${'sns'.padStart(7)}${'dec. min.'.padStart(10)}${'sns'.padStart(6)}${'prose'.padStart(7)}${'repeats'.padStart(8)}${'untrusted'.padStart(10)}`)
let prose = 0
let repeats = 0
for (const r of agentRows) {
  prose += r.prose
  repeats += r.repeats
  console.log(
    `${r.name.padEnd(34)}${w(r.facts.minified, 11)}${w(r.facts.toon, 7)}${w(r.facts.sns, 7)}${w(r.baseline.minified, 11)}${w(r.baseline.toon, 7)}${w(r.baseline.sns, 7)}${w(r.decision.minified, 10)}${w(r.decision.sns, 6)}${w(r.prose, 7)}${w(r.repeats, 8)}${w(r.total.untrusted, 10)}`,
  )
}

console.log('\n    the whole rendered prompt (renderPrompt: system + prompt) as sent vs the same prompt in minified JSON')
console.log('    (the sns legend names only the marks the text uses, none when it uses none; the runtime sends JSON when')
console.log('    sns with its legend would not be smaller)')
console.log(`${'context'.padEnd(34)}${'sent'.padStart(9)}${'legend'.padStart(8)}${'as sent'.padStart(9)}${'JSON'.padStart(8)}${'change'.padStart(9)}`)
let promptSns = 0
let promptJson = 0
for (const r of agentRows) {
  promptSns += r.promptSns
  promptJson += r.promptJson
  console.log(`${r.name.padEnd(34)}${r.sent.padStart(9)}${w(r.legend)}${w(r.promptSns, 9)}${w(r.promptJson)}${pct(ratio(r.promptSns, r.promptJson)).padStart(9)}`)
}
console.log(`${'total'.padEnd(34)}${''.padStart(17)}${w(promptSns, 9)}${w(promptJson)}${pct(ratio(promptSns, promptJson)).padStart(9)}`)

const agentLossless = !failures.length
const agentVsMin = 1 - agentTotal.sns / agentTotal.minified
const agentVsToon = 1 - agentTotal.sns / agentTotal.toon
const structVsMin = 1 - structuredTotal.sns / structuredTotal.minified
const structVsToon = 1 - structuredTotal.sns / structuredTotal.toon
const decisionTotal = agentRows.reduce((t, r) => ({ minified: t.minified + r.decision.minified, sns: t.sns + r.decision.sns }), { minified: 0, sns: 0 })

// ------------------------------------------------------------------ (b) webhooks

console.log('\n(b) @octokit/webhooks-examples — raw payloads, generic sns')
console.log(HEADER)
const projected: Array<{ name: string; raw: TokenCounts; proj: TokenCounts }> = []
const rawTotal: TokenCounts = { prettyJson: 0, minifiedJson: 0, toon: 0, sns: 0 }
let n = 0
let allSmaller = true
let worst = { name: '', ratio: -Infinity }
for (const def of definitions) {
  def.examples.forEach((example, i) => {
    const name = `${def.name}#${i}`
    const value = JSON.parse(JSON.stringify(example)) as JsonValue
    const texts = renderings(value)
    if (!isDeepStrictEqual(decode(texts.sns), value)) failures.push(`${name}: sns round trip differs`)
    const c = counts(texts)
    n++
    for (const k of Object.keys(rawTotal) as Array<keyof TokenCounts>) rawTotal[k] += c[k]
    const r = c.sns / c.minifiedJson
    if (r >= 1) allSmaller = false
    if (r > worst.ratio) worst = { name, ratio: r }
    console.log(row(name, c))
    if ((PURPOSES as readonly string[]).includes(def.name)) {
      const p = project(value, def.name as Purpose)
      const pt = renderings(p)
      if (!isDeepStrictEqual(decode(pt.sns), p)) failures.push(`${name} projected: sns round trip differs`)
      projected.push({ name, raw: c, proj: counts(pt) })
    }
  })
}
console.log(row(`total (${n} payloads)`, rawTotal))

console.log(`\n(b') projected with project() for ${PURPOSES.join(', ')} — change vs the RAW payload's minified JSON`)
console.log(`${'item'.padEnd(38)}${'raw min.'.padStart(9)}${'min.'.padStart(7)}${'TOON'.padStart(7)}${'sns'.padStart(7)}${'sns vs raw'.padStart(12)}`)
let projRaw = 0
let projSns = 0
const reductions: number[] = []
for (const p of projected) {
  projRaw += p.raw.minifiedJson
  projSns += p.proj.sns
  reductions.push(1 - p.proj.sns / p.raw.minifiedJson)
  console.log(`${p.name.padEnd(38)}${String(p.raw.minifiedJson).padStart(9)}${String(p.proj.minifiedJson).padStart(7)}${String(p.proj.toon).padStart(7)}${String(p.proj.sns).padStart(7)}${pct(ratio(p.proj.sns, p.raw.minifiedJson)).padStart(12)}`)
}
const projAggregate = 1 - projSns / projRaw
const projMedian = median(reductions)
console.log(`${`total (${projected.length} payloads)`.padEnd(38)}${String(projRaw).padStart(9)}${''.padStart(14)}${String(projSns).padStart(7)}${pct(-projAggregate).padStart(12)}`)

// ------------------------------------------------------------------ verdict

const TARGET = 0.4
const fmt = (x: number) => `${(x * 100).toFixed(1)}%`
console.log('\nsummary')
console.log(
  `  agent contexts as sent: sns ${agentTotal.sns} tokens vs minified JSON ${agentTotal.minified} (${pct(-agentVsMin)}) and TOON ${agentTotal.toon} (${pct(-agentVsToon)}), of which ${agentTotal.untrusted} are untrusted plain text; lossless: ${agentLossless}`,
)
console.log(`  facts + baseline only: sns ${structuredTotal.sns} vs minified JSON ${structuredTotal.minified} (${pct(-structVsMin)}) and TOON ${structuredTotal.toon} (${pct(-structVsToon)})`)
console.log(
  `  BASELINE as the model reads it: sns ${structuredTotal.sns - agentRows.reduce((t, r) => t + r.facts.sns, 0)} vs minified JSON ${structuredTotal.minified - agentRows.reduce((t, r) => t + r.facts.minified, 0)}; the decisions themselves (their sentences, as sent before baselineForPrompt): sns ${decisionTotal.sns} vs minified JSON ${decisionTotal.minified}`,
)
const plain = prose + agentTotal.untrusted
console.log(
  `  plain text (prose strings ${prose} + untrusted ${agentTotal.untrusted}) is ${fmt(plain / agentTotal.minified)} of the minified JSON; sns removes ${fmt((agentTotal.minified - agentTotal.sns) / (agentTotal.minified - plain))} of the rest, 40% overall needs ${fmt((TARGET * agentTotal.minified) / (agentTotal.minified - plain))}`,
)
console.log(`  whole prompts: ${promptSns} tokens as sent vs ${promptJson} with minified JSON (${pct(ratio(promptSns, promptJson))})`)
console.log(`  webhooks: ${n} payloads, generic sns smaller than minified JSON on all: ${allSmaller} (worst ${worst.name} at ${pct(worst.ratio - 1)}; total ${pct(ratio(rawTotal.sns, rawTotal.minifiedJson))})`)
console.log(`  projected: aggregate reduction vs raw minified JSON ${(projAggregate * 100).toFixed(1)}% (reported below), median ${(projMedian * 100).toFixed(1)}%, smallest ${(Math.min(...reductions) * 100).toFixed(1)}%`)
if (agentVsMin < TARGET) missed.push(`agent contexts (as sent) ${fmt(agentVsMin)} below minified JSON: target 40%, short by ${fmt(TARGET - agentVsMin)} (${Math.ceil(agentTotal.sns - (1 - TARGET) * agentTotal.minified)} tokens)`)
if (agentVsToon < TARGET) missed.push(`agent contexts (as sent) ${fmt(agentVsToon)} below TOON: target 40%, short by ${fmt(TARGET - agentVsToon)} (${Math.ceil(agentTotal.sns - (1 - TARGET) * agentTotal.toon)} tokens)`)
if (!allSmaller) missed.push(`generic sns not smaller than minified JSON on ${worst.name}`)
if (projAggregate < 0.9) missed.push(`projected reduction ${fmt(projAggregate)} (< 90%)`)
for (const m of missed) console.log(`  MISSED ${m}`)
for (const f of failures) console.log(`  FAIL ${f}`)
if (failures.length) process.exitCode = 1

console.log(
  JSON.stringify({
    agentContexts: {
      minified: agentTotal.minified,
      toon: agentTotal.toon,
      sns: agentTotal.sns,
      baselineAsDecision: decisionTotal,
      reductionVsMinified: round4(agentVsMin),
      reductionVsToon: round4(agentVsToon),
      lossless: agentLossless,
      untrusted: agentTotal.untrusted,
      factsBaselineOnly: {
        minified: structuredTotal.minified,
        toon: structuredTotal.toon,
        sns: structuredTotal.sns,
        reductionVsMinified: round4(structVsMin),
        reductionVsToon: round4(structVsToon),
      },
    },
    webhooks: { n, snsSmallerThanMinifiedOnAll: allSmaller, worst: worst.name, projectedReductionVsRawMinified: round4(projAggregate) },
  }),
)
