/**
 * npm run bench:scale — runs per second of a trivial pipeline (build and test are one `echo` each,
 * local executor, no deploy) with 1, 2 and 3 instances of the product on one Redis.
 * Starts (or reuses) the private Redis on 6392 through scripts/services.sh, as bench:ingress does;
 * for each instance count: a fresh database, N signed pushes spread over the instances over real
 * HTTP, the time until every run has finished; then duplicates (a stage executed more than once,
 * counted from the marker each stage execution writes) and lost runs (accepted but never finished
 * as succeeded). Prints a table, then one line of JSON.
 * Options: --runs 30 --instances 1,2,3 --pin (instance i and every process it starts on core i mod
 * the core count: each instance gets a core of its own, as on separate machines)
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { RunningServer } from '../test/helpers/server'
import { pool, readMarkers, runCounts, signedPush, startCluster, trivialRepo, writeScaleConfig } from '../test/scale/cluster'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' }, instances: { type: 'string', default: '1,2,3' }, pin: { type: 'boolean', default: false } } })
const RUNS = Number(values.runs)
const COUNTS = String(values.instances)
  .split(',')
  .map((x) => Number(x.trim()))
  .filter((x) => Number.isInteger(x) && x > 0)
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive whole number (got ${values.runs})`)
if (!COUNTS.length) throw new Error(`--instances must list instance counts, e.g. 1,2,3 (got ${values.instances})`)
const ROOT = path.resolve(import.meta.dirname, '..')
const DB = 8
const CORES = os.cpus().length

/** Pins every process of an instance (its process group) to one core; processes it starts later inherit it. */
function pin(server: RunningServer, core: number): void {
  const pids = execFileSync('pgrep', ['-g', String(server.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean)
  for (const pid of pids) execFileSync('taskset', ['-a', '-p', '-c', String(core), pid], { stdio: 'ignore' })
}

/** Busy and total jiffies of all CPUs (/proc/stat), for the share of the machine used. */
function cpuTimes(): { busy: number; total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number)
  const idle = (f[3] ?? 0) + (f[4] ?? 0)
  const total = f.reduce((a, b) => a + b, 0)
  return { busy: total - idle, total }
}

interface Result {
  instances: number
  runsPerSec: number
  seconds: number
  succeeded: number
  duplicates: number
  lost: number
  cpuBusy: number
  spread: string
}

const state = path.join(os.tmpdir(), 'cicd-bench-services')
const lines = execFileSync('bash', [path.join(ROOT, 'scripts/services.sh'), 'up', state, '6392'], { encoding: 'utf8' })
const redisBase = /REDIS_URL=(\S+)/.exec(lines)?.[1] ?? 'redis://127.0.0.1:6392'
const redisUrl = `${redisBase}/${DB}`
const trivial = trivialRepo()
const results: Result[] = []

async function measure(n: number): Promise<Result> {
  execFileSync('redis-cli', ['-u', redisUrl, 'flushdb'])
  const tmp = mkdtempSync(path.join(os.tmpdir(), `cicd-bench-scale-${n}-`))
  const markers = path.join(tmp, 'markers')
  const configs = Array.from({ length: n }, (_, i) => writeScaleConfig(path.join(tmp, `cicd-${i}.yml`), { repoDir: trivial.repo.dir, markers, workspaceRoot: path.join(tmp, `ws-${i}`) }))
  let servers: RunningServer[] = []
  try {
    servers = await startCluster({ n, redisUrl, configs, stateRoot: tmp })
    if (values.pin) servers.forEach((s, i) => pin(s, i % CORES))
    // warm-up, not measured: one run per instance (each process's first step invocations load more)
    const warm = await Promise.all(servers.map((s, i) => signedPush(s.url, `bench-scale-warm-${process.pid}-${n}-${i}`, trivial)))
    if (warm.some((w) => w.status !== 202)) throw new Error(`warm-up push refused: ${JSON.stringify(warm.map((w) => w.body))}`)
    for (let c = await runCounts((servers[0] as RunningServer).url); c.succeeded + c.failed < n; c = await runCounts((servers[0] as RunningServer).url))
      await new Promise((r) => setTimeout(r, 500))
    const warmIds = new Set(warm.map((w) => w.body.runId as string))
    const base = await runCounts((servers[0] as RunningServer).url)
    const cpu0 = cpuTimes()
    const t0 = performance.now()
    const answers = await pool(
      Array.from({ length: RUNS }, (_, i) => i),
      8,
      (i) => signedPush((servers[i % n] as RunningServer).url, `bench-scale-${process.pid}-${n}-${i}`, trivial).catch(() => ({ status: 0, body: {} })),
    )
    const accepted = answers.filter((a) => a.status === 202).length
    let c = await runCounts((servers[0] as RunningServer).url)
    const deadline = Date.now() + Math.max(600_000, RUNS * 20_000)
    while (c.succeeded + c.failed < accepted + base.succeeded + base.failed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500))
      c = await runCounts((servers[0] as RunningServer).url)
    }
    const seconds = (performance.now() - t0) / 1000
    const cpu1 = cpuTimes()
    const m = readMarkers(markers)
    for (const stage of Object.values(m)) for (const id of warmIds) stage.delete(id)
    const duplicates = ['build', 'test'].reduce((sum, s) => sum + [...(m[s]?.values() ?? [])].reduce((a, roots) => a + Math.max(0, roots.length - 1), 0), 0)
    const perInstance = Array.from({ length: n }, (_, i) => [...(m.build?.values() ?? [])].flat().filter((r) => path.basename(r) === `ws-${i}`).length)
    const succeeded = c.succeeded - base.succeeded
    return {
      instances: n,
      runsPerSec: succeeded / seconds,
      seconds,
      succeeded,
      duplicates,
      lost: RUNS - succeeded,
      cpuBusy: (cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total),
      spread: perInstance.join('/'),
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
    rmSync(tmp, { recursive: true, force: true })
  }
}

try {
  for (const n of COUNTS) {
    const r = await measure(n)
    results.push(r)
    console.error(`[bench:scale] ${n} instance(s): ${r.succeeded}/${RUNS} runs in ${r.seconds.toFixed(1)} s`)
  }
  const load = os.loadavg()[0]?.toFixed(2)
  console.log(`\nscale benchmark: ${RUNS} signed pushes of a trivial pipeline per row, on ${CORES} cores${values.pin ? ', instance i pinned to core i mod ' + CORES : ''} (load average at the end ${load}), stage concurrency ${process.env.CICD_STAGE_CONCURRENCY ?? 2} per instance`)
  console.log(`${'instances'.padEnd(10)} ${'runs/s'.padStart(7)} ${'seconds'.padStart(8)} ${'done'.padStart(6)} ${'dupl.'.padStart(6)} ${'lost'.padStart(5)} ${'CPU busy'.padStart(9)}  builds per instance`)
  for (const r of results)
    console.log(
      `${String(r.instances).padEnd(10)} ${r.runsPerSec.toFixed(3).padStart(7)} ${r.seconds.toFixed(1).padStart(8)} ${String(r.succeeded).padStart(6)} ${String(r.duplicates).padStart(6)} ${String(r.lost).padStart(5)} ${`${Math.round(r.cpuBusy * 100)}%`.padStart(9)}  ${r.spread}`,
    )
  console.log(
    JSON.stringify({
      instances: results.map((r) => r.instances),
      runsPerSec: results.map((r) => +r.runsPerSec.toFixed(3)),
      duplicates: results.reduce((a, r) => a + r.duplicates, 0),
      lost: results.reduce((a, r) => a + r.lost, 0),
    }),
  )
} finally {
  trivial.repo.remove()
  execFileSync('bash', [path.join(ROOT, 'scripts/services.sh'), 'down', state])
}
