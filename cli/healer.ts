/**
 * `cicd healer`: the deterministic half of the HealerAgent from the command line.
 *   cicd healer classify <logfile> [--workflow N] [--job N] [--step N] [--changed-files a,b] [--json]
 *   cicd healer eval <dir>
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { classifyFailure } from '../agents/healer/classify'
import { CATEGORIES, evaluate } from '../agents/healer/eval'

export const HEALER_HELP = `cicd healer: classify a failed CI job's log by root cause and route it to an agent

  cicd healer classify <logfile> [--workflow name] [--job name] [--step name] [--changed-files a,b] [--json]
        category (rust|frontend|infra|github|unknown), agent, failure type, confidence and evidence lines
  cicd healer eval <dir>
        accuracy of the classifier on <dir>/manifest.json (per category, overall, confusion matrix);
        the last line is JSON: {"accuracy":…,"n":…}
`

function out(s: string): void {
  process.stdout.write(s)
}
function err(s: string): void {
  process.stderr.write(s)
}

async function classifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workflow: { type: 'string' },
      job: { type: 'string' },
      step: { type: 'string' },
      'changed-files': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  const file = positionals[0]
  if (!file) {
    err(`cicd healer classify: a log file is required\n\n${HEALER_HELP}`)
    return 2
  }
  const abs = path.resolve(file)
  let log: string
  try {
    log = await readFile(abs, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    err(`cicd healer classify: cannot read log file ${file}${code === 'ENOENT' ? ' (no such file)' : code ? ` (${code})` : ''}\n`)
    return 1
  }
  const changedFiles = values['changed-files']
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean)
  const d = classifyFailure({ log, workflow: values.workflow, job: values.job, step: values.step, changedFiles })
  if (values.json) {
    out(`${JSON.stringify({ category: d.category, agent: d.agent, failure_type: d.failureType, confidence: d.confidence, evidence: d.evidence }, null, 2)}\n`)
    return 0
  }
  out(`${d.category} → ${d.agent} (${d.failureType}), confidence ${d.confidence.toFixed(2)}\n`)
  out(d.evidence.length ? `evidence:\n${d.evidence.map((e) => `  ${e}`).join('\n')}\n` : 'evidence: (none)\n')
  out(`reasons:\n${d.reasons.map((r) => `  - ${r}`).join('\n')}\n`)
  return 0
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`
}

async function evalCommand(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} })
  const dir = positionals[0]
  if (!dir) {
    err(`cicd healer eval: a directory with manifest.json is required\n\n${HEALER_HELP}`)
    return 2
  }
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    err(`cicd healer eval: no manifest.json in ${dir}\n`)
    return 1
  }
  const r = await evaluate(dir)
  out(`${r.n} logs in ${dir}\n\nper category:\n`)
  for (const c of CATEGORIES) {
    const s = r.perCategory[c]
    if (s.n) out(`  ${c.padEnd(9)} ${String(s.correct).padStart(4)}/${String(s.n).padEnd(4)} ${pct(s.accuracy).padStart(6)}\n`)
  }
  out(`  ${'overall'.padEnd(9)} ${String(Math.round(r.accuracy * r.n)).padStart(4)}/${String(r.n).padEnd(4)} ${pct(r.accuracy).padStart(6)}\n\n`)
  const w = 10
  out(`confusion (rows: expected, columns: predicted):\n  ${''.padEnd(w)}${CATEGORIES.map((c) => c.padStart(w)).join('')}\n`)
  for (const a of CATEGORIES) out(`  ${a.padEnd(w)}${CATEGORIES.map((p) => String(r.confusion[a][p]).padStart(w)).join('')}\n`)
  if (r.misses.length) {
    out(`\nmisses:\n`)
    for (const m of r.misses) out(`  ${m.id}: expected ${m.expected}, got ${m.got}${m.evidence[0] ? ` — ${m.evidence[0].slice(0, 120)}` : ''}\n`)
  }
  out(`${JSON.stringify({ accuracy: r.accuracy, n: r.n })}\n`)
  return 0
}

export async function healerCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  try {
    switch (sub) {
      case 'classify':
        return await classifyCommand(rest)
      case 'eval':
        return await evalCommand(rest)
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(HEALER_HELP)
        return sub === undefined ? 2 : 0
      default:
        err(`cicd healer: unknown subcommand "${sub}"\n\n${HEALER_HELP}`)
        return 2
    }
  } catch (e) {
    err(`cicd healer ${sub}: ${e instanceof Error ? e.message : String(e)}\n`)
    return e instanceof TypeError && 'code' in e && String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS') ? 2 : 1
  }
}
