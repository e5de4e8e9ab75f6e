/**
 * Deploy, monitor, approval and rollback through the real server (scripts/start.mjs): real Redis,
 * real Docker engine, real haproxy entrypoints, real git. A commit's image (examples/webapp:
 * busybox httpd + CGI) is built by the pipeline, tested, deployed to staging by itself; production
 * waits for approval; a version answering 500s is rolled back by the monitor and the alert hook
 * (a local HTTP receiver speaking Slack's incoming-webhook shape) is called.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import type Docker from 'dockerode'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HaproxyEdge } from '../../shared/deploy/edge/haproxy-edge'
import { listManaged } from '../../shared/deploy/containers'
import { nodeProject, TempRepo } from '../helpers/git-repo'
import { requireDocker, testRedisUrl } from '../helpers/services'
import { freePort, startServer, waitFor, type RunningServer } from '../helpers/server'
import { answer, startLoad } from '../helpers/webapp'

const TOKEN = 'deploy-e2e-token'
type Json = Record<string, any> // test-side view of JSON answers

let server: RunningServer
let serverEnv: Record<string, string> = {}
let docker: Docker
let tmp: string
let staging = 0
let production = 0
const repo = new TempRepo('cicd-shop-')
const alerts: string[] = []
let hook: Server
let c1 = ''
let firstRun = ''

/** examples/webapp's files, with the Dockerfile's version and mode defaults set for this commit. */
function webappFiles(version: string, mode: 'ok' | 'error'): Record<string, string> {
  const root = path.resolve(import.meta.dirname, '../../examples/webapp')
  const files: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else files[path.relative(root, p)] = readFileSync(p, 'utf8')
    }
  }
  walk(root)
  files.Dockerfile = (files.Dockerfile ?? '').replace('ARG APP_VERSION=dev', `ARG APP_VERSION=${version}`).replace('ARG APP_MODE=ok', `ARG APP_MODE=${mode}`)
  return files
}

async function api(method: string, p: string, body?: unknown, token: string | null = TOKEN, retry = true): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  }).catch((err: Error & { cause?: { code?: string } }) => {
    // a kept-alive connection the server closed as we reused it: nothing was processed
    if (retry && err.cause?.code === 'UND_ERR_SOCKET') return null
    throw err
  })
  if (!res) return api(method, p, body, token, false)
  return { status: res.status, body: (await res.json()) as Json }
}

/** The CLI against this server (real process, real HTTP). */
function cli(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../../bin/cicd.mjs'), ...args, '--server', server.url], {
    env: { ...process.env, CICD_API_TOKEN: TOKEN },
    encoding: 'utf8',
    timeout: 30_000,
  })
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

const run = async (id: string) => (await api('GET', `/api/cicd/runs/${id}`)).body
const stage = (r: Json, name: string) => (r.stages as Json[]).find((s) => s.name === name)

function stageDone(runId: string, name: string, timeoutMs = 120_000): Promise<Json> {
  return waitFor(
    async () => {
      const r = await run(runId)
      const s = stage(r, name)
      return s && ['succeeded', 'failed', 'skipped'].includes(s.status) ? s : undefined
    },
    timeoutMs,
    `${name} of ${runId}`,
  )
}

beforeAll(async () => {
  docker = await requireDocker()
  const redisUrl = testRedisUrl(8)
  const r = new Redis(redisUrl)
  await r.flushdb()
  r.disconnect()
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-deploy-e2e-'))
  hook = createServer((req, res) => {
    let b = ''
    req.on('data', (d) => (b += d))
    req.on('end', () => {
      try {
        alerts.push(String((JSON.parse(b) as { text?: string }).text))
      } catch {
        alerts.push(`unparsable: ${b}`)
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  const hookPort = await freePort()
  await new Promise<void>((ok) => hook.listen(hookPort, '127.0.0.1', ok))
  staging = await freePort()
  production = await freePort()
  c1 = repo.commit({ ...nodeProject(), ...webappFiles('one', 'ok') }, 'first version')
  const monitor = '{ interval: 300ms, healthy_checks: 3, failed_checks: 2, max_p99_ms: 3000 }' // loose latency: busy CI cores
  writeFileSync(
    path.join(tmp, 'cicd.yml'),
    `defaults:\n  workspace_root: ${path.join(tmp, 'ws')}\n  llm: { enabled: "off" }\nrepositories:\n` +
      `  - name: shop\n    path: ${repo.dir}\n    build: { commands: [] }\n    test: { commands: ["npm test"], report: { paths: ["reports/*.xml"] } }\n` +
      `    deploy:\n      app: { health_path: /health/, metrics_path: /metrics/, memory: 64m, cpus: 1, start_timeout: 20 }\n` +
      `      alert_webhook: http://127.0.0.1:${hookPort}/hook\n` +
      `      staging: { auto_deploy: true, strategy: canary, port: ${staging}, canary_steps: [50, 100], canary_step_checks: 1, monitor: ${monitor} }\n` +
      `      production: { strategy: blue-green, port: ${production}, monitor: ${monitor} }\n`,
  )
  serverEnv = {
    REDIS_URL: redisUrl,
    CICD_CONFIG: path.join(tmp, 'cicd.yml'),
    CICD_STATE_DIR: path.join(tmp, 'state'),
    CICD_EDGE_DIR: path.join(tmp, 'edge'),
    CICD_API_TOKEN: TOKEN,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
  }
  server = await startServer(serverEnv)
}, 180_000)

afterAll(async () => {
  await server?.stop()
  await new HaproxyEdge(path.join(tmp, 'edge')).stop().catch(() => undefined)
  for (const c of await listManaged(docker, 'shop').catch(() => [])) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)
  for (const img of await docker.listImages({ filters: { reference: ['shop'] } }).catch(() => [])) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined)
  hook?.close()
  repo.remove()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('deploys through the server (real engine, real haproxy, local Slack-shaped hook)', { timeout: 180_000 }, () => {
  it('a passing commit is built, tested, deployed to staging by itself and validated by the monitor', async () => {
    const started = await api('POST', '/api/events', { event: 'cicd.commit.received', data: { repo: 'shop', commit: c1 } })
    expect(started.status).toBe(202)
    firstRun = started.body.runId
    const monitored = await stageDone(firstRun, 'monitor:staging')
    const r = await run(firstRun)
    expect(stage(r, 'deploy:staging'), JSON.stringify(r.stages)).toMatchObject({ status: 'succeeded', summary: { version: `shop:${c1.slice(0, 7)}`, strategy: 'canary' } })
    expect(monitored.status, JSON.stringify(monitored)).toBe('succeeded')
    expect((r.decisions as Json[]).map((d) => d.agent)).toEqual(expect.arrayContaining(['build', 'test', 'deploy', 'monitor']))
    expect(await answer(`http://127.0.0.1:${staging}/`)).toBe('200 hello from one')
    const envs = (await api('GET', '/api/cicd/environments')).body.environments as Json[]
    expect(envs.find((e) => e.environment === 'staging')).toMatchObject({ phase: 'idle', live: { version: `shop:${c1.slice(0, 7)}` } })
    const topics = ((r.timeline as Json[]) ?? []).map((t) => t.topic)
    expect(topics).toEqual(expect.arrayContaining(['cicd.tests.completed', 'cicd.deploy.completed', 'cicd.monitor.start', 'cicd.monitor.completed']))
  })

  it('production waits for approval; bad approvals get clear errors; approved, it goes live blue-green', async () => {
    const image = `shop:${c1.slice(0, 7)}`
    const other = await api('POST', '/api/events', { event: 'cicd.deploy.requested', data: { repo: 'shop', commit: c1, imageTag: 'other:latest', environment: 'production' } })
    expect(other.status).toBe(400)
    expect(other.body).toMatchObject({ field: 'data.imageTag', expected: image })
    const req = await api('POST', '/api/events', { event: 'cicd.deploy.requested', data: { repo: 'shop', commit: c1, imageTag: image, environment: 'production' } })
    expect(req.status).toBe(202)
    const runId = req.body.runId as string
    const pending = await waitFor(async () => ((await api('GET', '/api/cicd/approvals?status=pending')).body.approvals as Json[]).find((a) => a.runId === runId), 60_000, 'a pending approval')
    expect(pending).toMatchObject({ environment: 'production', imageTag: image, strategy: 'blue-green' })
    expect(stage(await run(runId), 'deploy:production')).toMatchObject({ status: 'pending', reason: expect.stringMatching(/waiting for approval/) })
    await expect(answer(`http://127.0.0.1:${production}/`)).rejects.toThrow() // nothing deployed yet

    expect((await api('POST', `/api/cicd/approvals/${runId}`, { approve: true, by: 'ana' }, null)).status).toBe(401)
    const noBy = await api('POST', `/api/cicd/approvals/${runId}`, { approve: true })
    expect(noBy).toMatchObject({ status: 400, body: { field: 'by' } })
    expect((await api('POST', '/api/cicd/approvals/nope-123', { approve: true, by: 'ana' })).status).toBe(404)

    const ok = await api('POST', `/api/cicd/approvals/${runId}`, { approve: true, by: 'ana', comment: 'ship it' })
    expect(ok).toMatchObject({ status: 200, body: { approval: { status: 'approved', decidedBy: 'ana' } } })
    expect((await api('POST', `/api/cicd/approvals/${runId}`, { approve: false, by: 'bob' })).status).toBe(409)
    const deployed = await stageDone(runId, 'deploy:production')
    expect(deployed.status, JSON.stringify(deployed)).toBe('succeeded')
    expect(deployed.reason).toBe('approved by ana: ship it')
    expect(await answer(`http://127.0.0.1:${production}/`)).toBe('200 hello from one')
    expect((await stageDone(runId, 'monitor:production')).status).toBe('succeeded')
  })

  it('a rejected production deploy does not run', async () => {
    const before = (await listManaged(docker, 'shop', 'production')).map((c) => c.Id)
    const req = await api('POST', '/api/events', { event: 'cicd.deploy.requested', data: { repo: 'shop', commit: c1, imageTag: `shop:${c1.slice(0, 7)}`, environment: 'production' } })
    const runId = req.body.runId as string
    await waitFor(async () => ((await api('GET', '/api/cicd/approvals?status=pending')).body.approvals as Json[]).find((a) => a.runId === runId), 60_000, 'a pending approval')
    const listed = cli(['approvals'])
    expect(listed.stdout).toContain(runId)
    const rejected = cli(['approve', runId, '--reject', '--by', 'bob', '--comment', 'freeze'])
    expect(rejected.stdout, rejected.stderr).toContain(`rejected: shop shop:${c1.slice(0, 7)} → production`)
    const again = cli(['approve', runId, '--by', 'ana'])
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/already rejected by bob at .*\(HTTP 409\)/)
    const s = await stageDone(runId, 'deploy:production')
    expect(s).toMatchObject({ status: 'skipped', reason: 'rejected by bob: freeze' })
    // the run ends with the rejection, not at the reaper's idle limit
    const ended = (await api('GET', `/api/cicd/runs/${runId}`)).body as Json
    expect(ended).toMatchObject({ status: 'failed', reason: 'deploy:production rejected by bob: freeze' })
    expect(typeof ended.finishedAt).toBe('string')
    expect((await listManaged(docker, 'shop', 'production')).map((c) => c.Id)).toEqual(before)
  })

  it('a canary answering 500s is rolled back by the monitor, with an alert', async () => {
    const c2 = repo.commit(webappFiles('two', 'error'), 'second version (broken)')
    const load = startLoad(`http://127.0.0.1:${staging}/`, 2, 40)
    const started = await api('POST', '/api/events', { event: 'cicd.commit.received', data: { repo: 'shop', commit: c2 } })
    const monitored = await stageDone(started.body.runId, 'monitor:staging')
    expect(monitored).toMatchObject({ status: 'failed', reason: expect.stringMatching(/success rate/) })
    await waitFor(async () => (alerts.some((a) => /rolled back/.test(a)) ? true : undefined), 30_000, 'the rollback alert')
    const report = await load.stop()
    expect(report.byBody.get('error from two') ?? 0).toBeGreaterThan(0) // the canary did take traffic
    for (let i = 0; i < 10; i++) expect(await answer(`http://127.0.0.1:${staging}/`)).toBe('200 hello from one')
    expect(alerts.find((a) => /rolled back/.test(a))).toMatch(new RegExp(`shop staging rolled back shop:${c2.slice(0, 7)} → shop:${c1.slice(0, 7)} \\(canary dropped, automatic\\)`))
    const r = await run(started.body.runId)
    expect(r.status).toBe('failed')
    const rollback = stage(r, 'monitor:staging')?.summary.rollback
    expect(rollback).toMatchObject({ success: true, how: 'drop-canary', automatic: true })
    // through the queue: from the failing check to the old version taking all traffic (reported, not asserted)
    console.info(`rollback through the server: ${rollback.rollbackMs} ms from the failing check (switch ${rollback.durationMs} ms)`)
    expect(((r.timeline as Json[]) ?? []).map((t) => t.topic)).toEqual(expect.arrayContaining(['cicd.rollback.requested', 'ci.failure.detected']))
  })

  it('a version whose containers never become healthy does not take traffic; the deploy fails with an alert', async () => {
    const files = webappFiles('three', 'ok')
    files.Dockerfile = (files.Dockerfile ?? '').replace(/CMD \[.*\]/, 'CMD ["sh", "-c", "echo no server here; exit 3"]')
    const c3 = repo.commit(files, 'third version (does not start)')
    const started = await api('POST', '/api/events', { event: 'cicd.commit.received', data: { repo: 'shop', commit: c3 } })
    const deployed = await stageDone(started.body.runId, 'deploy:staging')
    expect(deployed).toMatchObject({ status: 'failed', reason: expect.stringMatching(/exited .*code 3/) })
    await waitFor(async () => (alerts.some((a) => a.includes(`deploy of shop shop:${c3.slice(0, 7)} to staging failed`)) ? true : undefined), 30_000, 'the deploy-failure alert')
    expect(await answer(`http://127.0.0.1:${staging}/`)).toBe('200 hello from one')
    expect((await listManaged(docker, 'shop', 'staging')).map((c) => c.Labels['dev.cicd.version'])).toEqual([`shop:${c1.slice(0, 7)}`])
    // the failed deploy is a CI failure for the Healer too
    const topics = await waitFor(async () => {
      const t = (((await run(started.body.runId)).timeline as Json[]) ?? []).map((x) => x.topic)
      return t.includes('ci.failure.detected') ? t : undefined
    }, 30_000, 'ci.failure.detected on the timeline')
    expect(topics).toContain('ci.failure.detected')
  })

  it('a manual rollback through POST /api/events is validated and runs', async () => {
    const bad = await api('POST', '/api/events', { event: 'cicd.rollback.requested', data: { repo: 'shop', environment: 'qa' } })
    expect(bad).toMatchObject({ status: 400, body: { field: 'data.environment' } })
    const ok = cli(['rollback', 'shop', 'production', '--reason', 'drill'])
    expect(ok.status, ok.stderr).toBe(0)
    // one validated version only: nothing to roll back to, and the environment's history says so
    const refused = await waitFor(
      async () => {
        const envs = (await api('GET', '/api/cicd/environments')).body.environments as Json[]
        return (envs.find((e) => e.environment === 'production')?.history as Json[] | undefined)?.find((h) => h.kind === 'rollback-refused')
      },
      30_000,
      'the rollback outcome',
    )
    expect(refused?.reason).toMatch(/nothing to roll back to/)
    expect(cli(['environments']).stdout).toMatch(new RegExp(`shop/production http://127.0.0.1:${production}  shop:${c1.slice(0, 7)}  idle`))
    expect(await answer(`http://127.0.0.1:${production}/`)).toBe('200 hello from one')

    // staging gets a second good version, validated; a manual rollback then puts "one" back
    const c4 = repo.commit(webappFiles('four', 'ok'), 'fourth version')
    const started = await api('POST', '/api/events', { event: 'cicd.commit.received', data: { repo: 'shop', commit: c4 } })
    expect((await stageDone(started.body.runId, 'monitor:staging')).status).toBe('succeeded')
    expect(await answer(`http://127.0.0.1:${staging}/`)).toBe('200 hello from four')
    const rb = cli(['rollback', 'shop', 'staging', '--reason', 'drill: back to one'])
    expect(rb.status, rb.stderr).toBe(0)
    const rolled = await waitFor(
      async () => {
        const envs = (await api('GET', '/api/cicd/environments')).body.environments as Json[]
        return (envs.find((e) => e.environment === 'staging')?.history as Json[] | undefined)?.find((h) => h.kind === 'rolled-back' && h.reason === 'drill: back to one')
      },
      60_000,
      'the manual rollback',
    )
    expect(rolled?.version).toBe(`shop:${c4.slice(0, 7)}`)
    for (let i = 0; i < 5; i++) expect(await answer(`http://127.0.0.1:${staging}/`)).toBe('200 hello from one')
    await waitFor(async () => (alerts.some((a) => /shop staging rolled back .* → shop:.* \(previous version started again, manual\): drill: back to one/.test(a)) ? true : undefined), 30_000, 'the rollback alert')
    expect((await listManaged(docker, 'shop', 'staging')).map((c) => c.Labels['dev.cicd.version'])).toEqual([`shop:${c1.slice(0, 7)}`])
  })

  it('what is live survives a restart of the server and of the proxy (state in Redis)', async () => {
    const before = (await api('GET', '/api/cicd/environments')).body.environments as Json[]
    await server.stop()
    await new HaproxyEdge(path.join(tmp, 'edge')).stop()
    await expect(answer(`http://127.0.0.1:${staging}/`)).rejects.toThrow()
    server = await startServer(serverEnv)
    expect(await answer(`http://127.0.0.1:${staging}/`)).toBe('200 hello from one')
    expect(await answer(`http://127.0.0.1:${production}/`)).toBe('200 hello from one')
    const after = (await api('GET', '/api/cicd/environments')).body.environments as Json[]
    const live = (l: Json[]) => l.map((e) => `${e.environment}=${(e.live as Json | null)?.version}`).sort()
    expect(live(after)).toEqual(live(before))
  })
})
