/**
 * `npm run bench:deploy`: the blue-green and the failing-canary scenarios on the real Docker
 * engine behind the real haproxy entrypoint, under a steady load on loopback. Prints a table,
 * then one line of JSON:
 *   {"blueGreenMs", "failedRequestsDuringSwitch", "requestsDuringSwitch", "canaryRolledBack", "rollbackMs"}
 * blueGreenMs: from the deploy request (deployRelease called) to the new version answering every
 * request; rollbackMs: from the first failed check to the old version answering every request,
 * both as the load's clients see it. Targets: 0 failed requests during the switch; rollback
 * under 5 s after the failing check threshold is reached (afterThresholdMs, also printed).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { appSchema, environmentSchema } from '../shared/config/deploy'
import { dockerFromEnv } from '../shared/executors/docker/client'
import { ensureBusyboxImage } from '../shared/executors/docker/base-image'
import { DockerImageBuilder } from '../shared/executors/docker/image-builder'
import { listManaged } from '../shared/deploy/containers'
import { deployRelease } from '../shared/deploy/deploy'
import type { DeployDeps, DeployTarget } from '../shared/deploy/deps'
import { HaproxyEdge } from '../shared/deploy/edge/haproxy-edge'
import { EnvironmentStore } from '../shared/deploy/environment-store'
import { watchRelease } from '../shared/deploy/monitor/watch'
import { rollbackEnvironment } from '../shared/deploy/rollback'
import { freePort } from '../test/helpers/server'

const ROOT = path.resolve(import.meta.dirname, '..')
const state = path.join(os.tmpdir(), 'cicd-bench-services')
const lines = execFileSync('bash', [path.join(ROOT, 'scripts/services.sh'), 'up', state, '6392'], { encoding: 'utf8' })
const redisUrl = /REDIS_URL=(\S+)/.exec(lines)?.[1] ?? 'redis://127.0.0.1:6392'
const dockerHost = /DOCKER_HOST=(\S+)/.exec(lines)?.[1]
if (dockerHost) process.env.DOCKER_HOST = dockerHost

const docker = dockerFromEnv()
await ensureBusyboxImage(docker)
const redis = new Redis(`${redisUrl}/9`)
await redis.flushdb()
const edge = new HaproxyEdge(mkdtempSync(path.join(os.tmpdir(), 'cicd-bench-edge-')))
const deps: DeployDeps = { docker, edge, store: new EnvironmentStore(redis) }

async function build(tag: string, version: string, mode: 'ok' | 'error'): Promise<string> {
  const r = await new DockerImageBuilder(docker).build({ contextDir: path.join(ROOT, 'examples/webapp'), dockerfile: 'Dockerfile', tag, noCache: false, timeoutMs: 120_000, maxLogBytes: 65_536, buildArgs: { APP_VERSION: version, APP_MODE: mode } })
  if (!r.ok) throw new Error(`build ${tag}: ${r.error}`)
  return tag
}

interface Sample {
  at: number
  ok: boolean
  body: string
}

/** Clients sending requests back to back (keep-alive), each answer timestamped. */
function load(url: string, clients: number, pauseMs: number) {
  const samples: Sample[] = []
  let on = true
  const one = async () => {
    while (on) {
      let s: Sample
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
        const body = (await res.text()).trim()
        s = { at: Date.now(), ok: res.status === 200, body }
      } catch (err) {
        s = { at: Date.now(), ok: false, body: err instanceof Error ? err.message : String(err) }
      }
      samples.push(s)
      await new Promise((r) => setTimeout(r, pauseMs))
    }
  }
  const workers = Array.from({ length: clients }, one)
  return { samples, stop: async () => ((on = false), await Promise.all(workers), samples) }
}

/** The first moment after which every answer (at least `streak` of them) is `body`. */
function servingFrom(samples: Sample[], after: number, body: string, streak = 20): number | null {
  const later = samples.filter((s) => s.at >= after)
  for (let i = 0; i < later.length; i++) {
    const rest = later.slice(i)
    if (rest.length >= streak && rest.every((s) => s.ok && s.body === body)) return later[i]?.at ?? null
  }
  return null
}

async function until(fn: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

const target = async (repo: string, config: Record<string, unknown>): Promise<DeployTarget> => ({
  repo,
  environment: 'production',
  app: appSchema.parse({ health_path: '/health/', metrics_path: '/metrics/', memory: '64m', cpus: 1, start_timeout: 20 }),
  config: environmentSchema.parse({ port: await freePort(), monitor: { interval: '1s', healthy_checks: 3, failed_checks: 2 }, ...config }),
})
const spec = (image: string, strategy: 'blue-green' | 'canary', runId: string) => ({ image, commit: 'b'.repeat(40), runId, strategy })

const rows: string[][] = []
let result = { blueGreenMs: -1, failedRequestsDuringSwitch: -1, requestsDuringSwitch: -1, canaryRolledBack: false, rollbackMs: -1, afterThresholdMs: -1 }
try {
  const [v1, v2, v3] = await Promise.all([build('bench-webapp:v1', 'v1', 'ok'), build('bench-webapp:v2', 'v2', 'ok'), build('bench-webapp:v3', 'v3', 'error')])

  // 1. blue-green v1 → v2 under load
  const bg = await target('bench-bg', { strategy: 'blue-green' })
  const url = `http://127.0.0.1:${bg.config.port}/`
  const first = await deployRelease(deps, bg, spec(v1, 'blue-green', 'b1'))
  if (!first.success) throw new Error(`v1 did not deploy: ${first.reason}`)
  await watchRelease(deps, bg)
  const l1 = load(url, 4, 10)
  await new Promise((r) => setTimeout(r, 1000))
  const t0 = Date.now()
  const d = await deployRelease(deps, bg, spec(v2, 'blue-green', 'b2'))
  if (!d.success) throw new Error(`v2: ${d.reason}`)
  await until(() => servingFrom(l1.samples, t0, 'hello from v2') !== null, 30_000)
  await new Promise((r) => setTimeout(r, 1000))
  const s1 = await l1.stop()
  const served = servingFrom(s1, t0, 'hello from v2') as number
  const during = s1.filter((s) => s.at >= t0 - 1000)
  result = { ...result, blueGreenMs: served - t0, requestsDuringSwitch: during.length, failedRequestsDuringSwitch: during.filter((s) => !s.ok).length }
  rows.push(['blue-green v1 → v2', `${served - t0} ms to all traffic on v2`, `${during.length} requests around the switch, ${result.failedRequestsDuringSwitch} failed`, `deploy call ${d.durationMs} ms`])
  await watchRelease(deps, bg)

  // 2. canary v2 → v3 (answers 500s): the monitor asks for a rollback, the rollback drops the canary
  const cn = await target('bench-canary', { strategy: 'canary', canary_steps: [20, 50, 100], canary_step_checks: 2 })
  const curl = `http://127.0.0.1:${cn.config.port}/`
  if (!(await deployRelease(deps, cn, spec(v2, 'canary', 'c1'))).success) throw new Error('canary base did not deploy')
  await watchRelease(deps, cn)
  const l2 = load(curl, 4, 10)
  const c = await deployRelease(deps, cn, spec(v3, 'canary', 'c2'))
  if (!c.success) throw new Error(`v3: ${c.reason}`)
  const w = await watchRelease(deps, cn)
  const rb = w.verdict === 'rollback' ? await rollbackEnvironment(deps, cn, w.reason, 'c2') : null
  await new Promise((r) => setTimeout(r, 1500))
  const s2 = await l2.stop()
  // when the clients saw v2 answer every request again (20 answers in a row and all after them)
  const firstFailedAt = w.firstFailedAt ?? Date.now()
  const servedV2 = servingFrom(s2, firstFailedAt, 'hello from v2')
  const errors = s2.filter((s) => !s.ok).length
  const after = servedV2 === null ? [] : s2.filter((s) => s.at >= servedV2)
  const rolledBack = w.verdict === 'rollback' && rb?.success === true && servedV2 !== null
  result = {
    ...result,
    canaryRolledBack: rolledBack,
    rollbackMs: rolledBack ? (servedV2 as number) - firstFailedAt : -1,
    afterThresholdMs: rolledBack && w.failedAt ? (servedV2 as number) - w.failedAt : -1,
  }
  rows.push(['canary v2 → v3 (500s)', `${w.verdict} after ${w.checks.length} check(s): ${w.reason}`, `${result.rollbackMs} ms from the first failed check to all traffic on v2, ${result.afterThresholdMs} ms after the threshold (${rb?.how ?? 'none'}; ${after.length} answers after it, all v2)`, `${errors} of ${s2.length} requests failed while the canary had its share`])
} finally {
  await edge.stop()
  for (const repo of ['bench-bg', 'bench-canary']) for (const c of await listManaged(docker, repo)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)
  await redis.quit()
  execFileSync('bash', [path.join(ROOT, 'scripts/services.sh'), 'down', state])
}

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length), 8))
process.stdout.write(`scenario${' '.repeat(Math.max(1, (widths[0] ?? 8) - 6))}result\n`)
for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`)
process.stdout.write(`targets: 0 failed requests during the switch (${result.failedRequestsDuringSwitch === 0 ? 'met' : 'MISSED'}); rollback under 5 s after the failing check threshold (${result.afterThresholdMs >= 0 && result.afterThresholdMs < 5000 ? 'met' : 'MISSED'})\n`)
process.stdout.write(`${JSON.stringify(result)}\n`)
