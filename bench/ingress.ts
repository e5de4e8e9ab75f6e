/**
 * npm run bench:ingress — signed GitHub push deliveries on loopback against a real server.
 * Starts (or reuses) a private Redis, a trivial git repository and the product (scripts/start.mjs),
 * sends N deliveries open-loop at a fixed rate, and reports accept latency p50/p99 and
 * throughput; then the time from webhook to `cicd.build.completed` for single pushes on an idle
 * server. Options: --rate 200 --seconds 5 --samples 5
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import http from 'node:http'
import { signBody } from '../shared/github/signature'
import { TempRepo } from '../test/helpers/git-repo'
import { startServer, waitFor } from '../test/helpers/server'

const { values } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '5' }, samples: { type: 'string', default: '5' } } })
const rate = Number(values.rate)
const seconds = Number(values.seconds)
const samples = Number(values.samples)
const ROOT = path.resolve(import.meta.dirname, '..')
const SECRET = 'bench-secret'

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN
}

const state = path.join(os.tmpdir(), 'cicd-bench-services')
const lines = execFileSync('bash', [path.join(ROOT, 'scripts/services.sh'), 'up', state, '6392'], { encoding: 'utf8' })
const redisUrl = /REDIS_URL=(\S+)/.exec(lines)?.[1] ?? 'redis://127.0.0.1:6392'
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-bench-'))
const repo = new TempRepo('cicd-bench-repo-')
const c1 = repo.commit({ 'README.md': '# bench\n', 'build.sh': 'echo built\n' }, 'one')
const c2 = repo.commit({ 'build.sh': 'echo built again\n' }, 'two')
const config = path.join(tmp, 'cicd.yml')
writeFileSync(config, `defaults:\n  executor: local\n  workspace_root: ${path.join(tmp, 'ws')}\nrepositories:\n  - name: bench\n    path: ${repo.dir}\n    github: bench/trivial\n    build: { commands: ["sh build.sh"] }\n`)
execFileSync('redis-cli', ['-u', `${redisUrl}/7`, 'flushdb'])

const server = await startServer({ REDIS_URL: `${redisUrl}/7`, CICD_CONFIG: config, CICD_STATE_DIR: path.join(tmp, 'state'), GITHUB_WEBHOOK_SECRET: SECRET, CICD_API_TOKEN: 'bench-token' })
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
let n = 0
function delivery(branch: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ ref: `refs/heads/${branch}`, before: c1, after: c2, repository: { name: 'trivial', full_name: 'bench/trivial' }, head_commit: { id: c2, message: 'bench' }, pusher: { name: 'bench' } })
  return { body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `bench-${process.pid}-${++n}`, 'x-hub-signature-256': signBody(SECRET, body) } }
}
async function send(branch = 'main'): Promise<{ ms: number; status: number; runId?: string; ignored?: boolean }> {
  const d = delivery(branch)
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}/api/cicd/webhook/github`, { method: 'POST', headers: d.headers, agent }, (res) => {
      let text = ''
      res.on('data', (c: Buffer) => (text += c.toString()))
      res.on('end', () => {
        const json = JSON.parse(text) as { runId?: string; ignored?: boolean }
        resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, ...(json.runId ? { runId: json.runId } : {}), ...(json.ignored ? { ignored: true } : {}) })
      })
    })
    req.on('error', reject)
    req.end(d.body)
  })
}

try {
  for (let i = 0; i < 20; i++) await send('warm-up') // warm-up on an unconfigured branch: no runs
  // Latency from webhook to cicd.build.completed on an idle server, one push at a time.
  const toBuild: number[] = []
  for (let i = 0; i < samples; i++) {
    const t0 = Date.now()
    const r = await send()
    const doneAt = await waitFor(async () => {
      const run = (await (await fetch(`${server.url}/api/cicd/runs/${r.runId}`)).json()) as { timeline?: Array<{ topic: string; at: string }> }
      const t = run.timeline?.find((x) => x.topic === 'cicd.build.completed')
      return t ? Date.parse(t.at) : undefined
    }, 60_000, 'cicd.build.completed')
    toBuild.push(doneAt - t0)
  }

  const total = Math.round(rate * seconds)
  /** Open-loop load: one delivery every 1000/rate ms whatever the answers do. */
  async function load(branch: string) {
    const results: Array<Promise<{ ms: number; status: number; ignored?: boolean }>> = []
    const start = performance.now()
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      results.push(send(branch).catch(() => ({ ms: NaN, status: 0 })))
    }
    const done = await Promise.all(results)
    const elapsed = (performance.now() - start) / 1000
    const ok = done.filter((r) => r.status === 202 && (branch === 'main' ? !r.ignored : r.ignored))
    return { ok: ok.length, lat: ok.map((r) => r.ms), perSec: ok.length / elapsed }
  }
  // A: verification, routing and answer alone (a branch the repo does not build: nothing queued).
  const a = await load('not-built')
  // B: every delivery queues a real run, and those runs execute on the same 2 cores meanwhile.
  const b = await load('main')

  const row = (k: string, v: string) => console.log(`${k.padEnd(44)} ${v}`)
  const lat = (xs: number[]) => `${pct(xs, 50).toFixed(1)} / ${pct(xs, 99).toFixed(1)} / ${Math.max(...xs).toFixed(1)}`
  console.log(`\ningress benchmark: ${total} signed push deliveries per phase at ${rate}/s on loopback (${os.cpus().length} cores, stage concurrency ${process.env.CICD_STAGE_CONCURRENCY ?? 2})`)
  row('A ignored branch: answered / latency p50/p99/max ms', `${a.ok}/${total} / ${lat(a.lat)}`)
  row('A throughput (deliveries/s)', a.perSec.toFixed(1))
  row('B runs queued: accepted / latency p50/p99/max ms', `${b.ok}/${total} / ${lat(b.lat)}`)
  row('B throughput (deliveries/s)', b.perSec.toFixed(1))
  row('idle: webhook → cicd.build.completed (ms)', `median ${pct(toBuild, 50)} (samples ${toBuild.join(', ')})`)
  console.log(
    JSON.stringify({
      deliveries: total,
      rate,
      ingressOnly: { answered: a.ok, p50Ms: +pct(a.lat, 50).toFixed(2), p99Ms: +pct(a.lat, 99).toFixed(2), perSec: +a.perSec.toFixed(1) },
      withRuns: { accepted: b.ok, p50Ms: +pct(b.lat, 50).toFixed(2), p99Ms: +pct(b.lat, 99).toFixed(2), perSec: +b.perSec.toFixed(1) },
      webhookToBuildCompletedMs: pct(toBuild, 50),
    }),
  )
} finally {
  agent.destroy()
  await server.stop()
  repo.remove()
  rmSync(tmp, { recursive: true, force: true })
  execFileSync('bash', [path.join(ROOT, 'scripts/services.sh'), 'down', state])
}
