/**
 * Redis stopped and restarted under two running instances (issue 6, section 6), on a dedicated
 * redis-server on a private port (never the shared one): while it is down /health answers 503 and
 * says Redis is down, API requests get a clear 503 JSON at once, nothing crashes; once it is back
 * the same processes serve again, the runs from before are there, a run caught in the middle of a
 * stage ends (taken up again, or failed with a reason), and new pushes run on both instances.
 * Also the cron locks the instances share: one execution per tick.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisCronLocks } from '../../shared/redis/cron-locks'
import { freePort, waitFor, type RunningServer } from '../helpers/server'
import { SCALE_TOKEN, allRuns, readMarkers, runCounts, signedPush, startCluster, trivialRepo, writeScaleConfig, type TrivialRepo } from './cluster'

let redisProc: ChildProcess | undefined
let redisPort = 0
let redisUrl = ''
let tmp = ''
let trivial: TrivialRepo
let servers: RunningServer[] = []
let n = 0
const before: string[] = []

async function startRedis(): Promise<void> {
  const dir = path.join(tmp, 'redis')
  mkdirSync(dir, { recursive: true })
  // durable like a production Redis: state, queues and delivery ids survive the restart
  redisProc = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' })
  await waitFor(
    async () => {
      const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      probe.on('error', () => undefined)
      const pong = await probe.connect().then(() => probe.ping()).catch(() => undefined)
      probe.disconnect()
      return pong
    },
    10_000,
    'the private redis-server to answer',
  )
}

async function stopRedis(): Promise<void> {
  const p = redisProc
  if (!p || p.exitCode !== null) return
  const exited = new Promise((r) => p.once('exit', r))
  p.kill('SIGTERM')
  await exited
}

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> & { checks?: Record<string, { ok: boolean; reason?: string }> } })
const get = (s: RunningServer, p: string) => fetch(`${s.url}${p}`, { signal: AbortSignal.timeout(20_000) }).then(json)
const push = (s: RunningServer) => signedPush(s.url, `outage-${process.pid}-${++n}`, trivial)

async function finished(s: RunningServer, runIds: string[]): Promise<void> {
  await waitFor(
    async () => {
      const runs = await allRuns(s.url, runIds).catch(() => [])
      return runs.length === runIds.length && runs.every((r) => r.status === 'succeeded' || r.status === 'failed') ? true : undefined
    },
    240_000,
    `runs ${runIds.join(', ')} to finish`,
  )
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-outage-'))
  redisPort = await freePort()
  redisUrl = `redis://127.0.0.1:${redisPort}`
  await startRedis()
  trivial = trivialRepo()
  const config = writeScaleConfig(path.join(tmp, 'cicd.yml'), { repoDir: trivial.repo.dir, markers: path.join(tmp, 'markers'), workspaceRoot: path.join(tmp, 'ws'), stageSeconds: 2, timeout: '60s' })
  servers = await startCluster({ n: 2, redisUrl, configs: [config], stateRoot: tmp, env: { CICD_QUEUE_LOCK_SECONDS: '10' } })
}, 300_000)

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  await stopRedis()
  trivial?.repo.remove()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('cron locks shared by the instances', () => {
  it('start a job once per tick, even when the run is shorter than the clock skew between instances', async () => {
    const clients = [new Redis(redisUrl), new Redis(redisUrl)]
    const [a, b] = clients.map((c, i) => new RedisCronLocks(c, { instanceId: `i${i}`, keyPrefix: `test:cron:${process.pid}:` })) as [RedisCronLocks, RedisCronLocks]
    const lock = await a.acquireLock('Job', 300_000)
    expect(lock).not.toBeNull()
    expect(await b.acquireLock('Job', 300_000)).toBeNull() // running elsewhere
    await a.releaseLock(lock as NonNullable<typeof lock>) // a short job: done before the other instance's tick fires
    expect(await b.acquireLock('Job', 300_000)).toBeNull() // same tick: not again
    expect(await b.acquireLock('OtherJob', 300_000)).not.toBeNull() // other jobs are independent
    expect(await a.getActiveLocks()).toEqual([expect.objectContaining({ jobName: 'OtherJob', instanceId: 'i1' })])
    // Motia asks for 5 minutes; a crashed instance holds a job for at most a minute
    expect(Number(await clients[0]?.pttl(`test:cron:${process.pid}:lock:OtherJob`))).toBeLessThanOrEqual(60_000)
    await b.shutdown()
    expect(await a.getActiveLocks()).toEqual([])
    clients.forEach((c) => c.disconnect())
  })
})

describe('Redis stopped and restarted under two instances', () => {
  let caught: string[] = []

  it('serves runs on both instances before the outage', async () => {
    for (const s of servers) {
      const r = await push(s)
      expect(r.status).toBe(202)
      before.push(r.body.runId as string)
    }
    await finished(servers[0] as RunningServer, before)
    expect((await allRuns((servers[1] as RunningServer).url, before)).map((r) => r.status)).toEqual(['succeeded', 'succeeded'])
    expect((await get(servers[0] as RunningServer, '/health')).body.checks?.redis?.ok).toBe(true)
  })

  it('says so on /health (503) and answers API requests with a clear 503 JSON while Redis is down', async () => {
    // a run in the middle of its build when Redis goes away
    const r = await push(servers[0] as RunningServer)
    expect(r.status).toBe(202)
    caught = [r.body.runId as string]
    await waitFor(async () => (readMarkers(path.join(tmp, 'markers'))['build.start']?.has(caught[0] as string) ? true : undefined), 120_000, 'the build to start')
    await stopRedis()

    for (const s of servers) {
      const health = await waitFor(async () => {
        const h = await get(s, '/health')
        return h.status === 503 ? h : undefined
      }, 30_000, '/health to answer 503')
      expect(health.body.status).toBe('down')
      expect(health.body.checks?.redis?.ok).toBe(false)
      expect(health.body.checks?.redis?.reason).toMatch(/Redis does not answer/)

      const runs = await get(s, '/api/cicd/runs')
      expect(runs.status).toBe(503)
      expect(runs.body).toMatchObject({ error: 'redis_unavailable' })
      expect(String(runs.body.message)).toMatch(/Redis does not answer/)
      const hook = await push(s)
      expect(hook.status).toBe(503)
      expect(hook.body.error).toBe('redis_unavailable')
      const manual = await fetch(`${s.url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SCALE_TOKEN}` },
        body: JSON.stringify({ event: 'cicd.commit.received', data: { repo: 'scale' } }),
      }).then(json)
      expect(manual.status).toBe(503)
    }
    // longer than Motia's own client retries (10 attempts, about 6 s), after which it used to give up for good
    await new Promise((r) => setTimeout(r, 12_000))
    for (const s of servers) expect((await get(s, '/health')).status).toBe(503)
  }, 120_000)

  it('recovers without a restart once Redis is back', async () => {
    await startRedis()
    for (const s of servers) {
      await waitFor(async () => ((await get(s, '/health').catch(() => undefined))?.status === 200 ? true : undefined), 60_000, '/health to answer 200 again')
      expect(s.logs()).toContain('Redis connection back')
    }
    // the same processes: nothing restarted them
    for (const s of servers) expect(() => process.kill(s.pid, 0)).not.toThrow()
    // what was there before is still there
    expect((await allRuns((servers[1] as RunningServer).url, before)).map((r) => r.status)).toEqual(['succeeded', 'succeeded'])
    // the run caught by the outage ends: its stage is taken up again, or it fails with the reason
    await finished(servers[1] as RunningServer, caught)
    const [c] = await allRuns((servers[1] as RunningServer).url, caught)
    console.log(`[outage] the run caught in the middle of its build ended ${c?.status}${c?.reason ? `: ${c.reason}` : ''}`)
    if (c?.status === 'failed') expect(c.reason).toMatch(/\S/)
    else expect(c?.stages.map((s) => s.status)).toEqual(['succeeded', 'succeeded'])
    // and new pushes run on both instances
    const fresh: string[] = []
    for (const s of servers) {
      const r = await push(s)
      expect(r.status, JSON.stringify(r.body)).toBe(202)
      fresh.push(r.body.runId as string)
    }
    await finished(servers[0] as RunningServer, fresh)
    expect((await allRuns((servers[0] as RunningServer).url, fresh)).map((r) => r.status)).toEqual(['succeeded', 'succeeded'])
    expect(await runCounts((servers[1] as RunningServer).url)).toMatchObject({ queued: 0, running: 0 })
  }, 400_000)
})
