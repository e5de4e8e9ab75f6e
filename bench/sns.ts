/**
 * npm run bench:sns — token counts (o200k_base) of pretty JSON, minified JSON, TOON and sns on
 *  (a) representative agent contexts (bench/sns-contexts.ts), sns in schema-aware mode;
 *  (b) every example payload of @octokit/webhooks-examples, raw (generic sns) and, for the
 *      purposes project() knows, projected to what an agent needs.
 * Every sns text is decoded again and compared with the input: a mismatch fails the bench.
 * Exits 1 when a round trip fails or a target is missed. The last line is a JSON summary.
 */
import { createRequire } from 'node:module'
import { isDeepStrictEqual } from 'node:util'
import { decode } from '../shared/sns/decode'
import { encode } from '../shared/sns/encode'
import type { JsonValue } from '../shared/sns/json'
import { project, PURPOSES, type Purpose } from '../shared/sns/project'
import { decodeWith } from '../shared/sns/schema'
import { countText, renderings, type TokenCounts } from '../shared/sns/tokens'
import { agentContexts } from './sns-contexts'

interface Definition {
  name: string
  examples: unknown[]
}

const require = createRequire(import.meta.url)
const definitions = require('@octokit/webhooks-examples') as Definition[]

const failures: string[] = []
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

console.log('(a) agent contexts — sns in schema-aware mode (encodeWith), tokens o200k_base')
console.log(`${HEADER}${'vs TOON'.padStart(9)}`)
const agentTotal: TokenCounts = { prettyJson: 0, minifiedJson: 0, toon: 0, sns: 0 }
let agentLossless = true
for (const ctx of agentContexts) {
  const value = ctx.schema.parse(ctx.value) as JsonValue
  const texts = renderings(value, ctx.schema)
  const back = decodeWith(ctx.schema, texts.sns)
  const generic = encode(value)
  if (!isDeepStrictEqual(back, value) || !isDeepStrictEqual(decode(generic), value)) {
    agentLossless = false
    failures.push(`${ctx.name}: sns round trip differs`)
  }
  const c = counts(texts)
  for (const k of Object.keys(agentTotal) as Array<keyof TokenCounts>) agentTotal[k] += c[k]
  console.log(row(ctx.name, c, pct(ratio(c.sns, c.toon)).padStart(9)) + `   (generic sns ${countText(generic)})`)
}
console.log(row('total', agentTotal, pct(ratio(agentTotal.sns, agentTotal.toon)).padStart(9)))
const agentVsMin = 1 - agentTotal.sns / agentTotal.minifiedJson
const agentVsToon = 1 - agentTotal.sns / agentTotal.toon

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

console.log('\nsummary')
console.log(`  agent contexts: sns ${agentTotal.sns} tokens vs minified JSON ${agentTotal.minifiedJson} (${pct(-agentVsMin)}) and TOON ${agentTotal.toon} (${pct(-agentVsToon)}); lossless: ${agentLossless}`)
console.log(`  webhooks: ${n} payloads, generic sns smaller than minified JSON on all: ${allSmaller} (worst ${worst.name} at ${pct(worst.ratio - 1)}; total ${pct(ratio(rawTotal.sns, rawTotal.minifiedJson))})`)
console.log(`  projected: aggregate reduction vs raw minified JSON ${(projAggregate * 100).toFixed(1)}% (reported below), median ${(projMedian * 100).toFixed(1)}%, smallest ${(Math.min(...reductions) * 100).toFixed(1)}%`)
if (agentVsMin < 0.4) failures.push(`target missed: agent contexts ${(agentVsMin * 100).toFixed(1)}% below minified JSON (< 40%)`)
if (agentVsToon < 0.4) failures.push(`target missed: agent contexts ${(agentVsToon * 100).toFixed(1)}% below TOON (< 40%)`)
if (!allSmaller) failures.push(`target missed: generic sns not smaller than minified JSON on ${worst.name}`)
if (projAggregate < 0.9) failures.push(`target missed: projected reduction ${(projAggregate * 100).toFixed(1)}% (< 90%)`)
for (const f of failures) console.log(`  FAIL ${f}`)
if (failures.length) process.exitCode = 1

console.log(
  JSON.stringify({
    agentContexts: {
      minified: agentTotal.minifiedJson,
      toon: agentTotal.toon,
      sns: agentTotal.sns,
      reductionVsMinified: round4(agentVsMin),
      reductionVsToon: round4(agentVsToon),
      lossless: agentLossless,
    },
    webhooks: { n, snsSmallerThanMinifiedOnAll: allSmaller, worst: worst.name, projectedReductionVsRawMinified: round4(projAggregate) },
  }),
)
