import { parseArgs } from 'node:util'
import { callJson, serverUrl, type JsonAnswer } from './http'

const getJson = (url: string): Promise<JsonAnswer> => callJson('GET', url, { timeoutMs: 10_000 })

interface RunRow {
  id: string
  repo: string
  shortSha: string
  branch?: string
  status: string
  trigger: string
  createdAt: string
  durationMs?: number
  reason?: string
}

/** `cicd runs`: lists runs from a running server. */
export async function runsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { repo: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' }, server: { type: 'string' }, json: { type: 'boolean', default: false } },
  })
  const q = new URLSearchParams()
  for (const k of ['repo', 'status', 'limit', 'offset'] as const) if (values[k]) q.set(k, values[k] as string)
  const { status, body } = await getJson(`${serverUrl(values.server)}/api/cicd/runs?${q}`)
  if (status !== 200) throw new Error(String(body.message ?? `server answered ${status}`))
  if (values.json) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    return 0
  }
  const runs = (body.runs as RunRow[]) ?? []
  process.stdout.write(`${runs.length} of ${String(body.total)} run(s)\n`)
  for (const r of runs)
    process.stdout.write(
      `${r.id.padEnd(20)} ${r.repo.padEnd(16)} ${r.shortSha} ${(r.branch ?? '').padEnd(12)} ${r.status.padEnd(9)} ${r.trigger.padEnd(6)} ${r.createdAt} ${r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)}s` : ''}${r.reason ? `  ${r.reason}` : ''}\n`,
    )
  return 0
}

/** `cicd status [runId]`: one run, or the server's health. */
export async function statusCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { server: { type: 'string' }, json: { type: 'boolean', default: false } } })
  const base = serverUrl(values.server)
  const id = positionals[0]
  const { status, body } = await getJson(id ? `${base}/api/cicd/runs/${encodeURIComponent(id)}` : `${base}/health`)
  if (values.json || !id) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    return status < 400 ? 0 : 1
  }
  if (status !== 200) throw new Error(String(body.message ?? `server answered ${status}`))
  const run = body as unknown as RunRow & { stages: Array<{ name: string; status: string; durationMs?: number; reason?: string }>; decisions: Array<{ agent: string; summary: string; source: string }> }
  process.stdout.write(`${run.id} ${run.repo}@${run.shortSha} ${run.status}${run.reason ? `: ${run.reason}` : ''}\n`)
  for (const s of run.stages) process.stdout.write(`  ${s.name.padEnd(6)} ${s.status.padEnd(9)} ${s.durationMs !== undefined ? `${(s.durationMs / 1000).toFixed(1)}s` : ''}${s.reason ? `  ${s.reason}` : ''}\n`)
  for (const d of run.decisions) process.stdout.write(`  ${d.agent}Agent (${d.source}): ${d.summary}\n`)
  return run.status === 'failed' ? 1 : 0
}

/** `cicd flaky`: the server's flaky tests, most frequent first. */
export async function flakyCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { repo: { type: 'string' }, limit: { type: 'string' }, server: { type: 'string' }, json: { type: 'boolean', default: false } } })
  const q = new URLSearchParams()
  for (const k of ['repo', 'limit'] as const) if (values[k]) q.set(k, values[k] as string)
  const { status, body } = await getJson(`${serverUrl(values.server)}/api/cicd/flaky-tests?${q}`)
  if (status !== 200) throw new Error(String(body.message ?? `server answered ${status}`))
  if (values.json) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    return 0
  }
  const tests = (body.tests as Array<{ repo: string; test: string; occurrences: number; lastSeen: string; evidence: string[] }>) ?? []
  process.stdout.write(`${String(body.total)} flaky test(s) in ${String(body.runsRead)} recorded run(s)${tests.length < Number(body.total) ? `, the ${tests.length} most frequent` : ''}\n`)
  for (const t of tests) process.stdout.write(`${String(t.occurrences).padStart(4)}× ${t.repo.padEnd(16)} ${t.test}  (${t.evidence.join(', ')}; last ${t.lastSeen})\n`)
  return 0
}
