/**
 * Scale-out, exactly once (issue 6, section 6): three real instances of the product
 * (scripts/start.mjs, each with its own PORT, CICD_STATE_DIR and workspace root) on one real
 * Redis; 200 signed GitHub push deliveries spread over them over real HTTP. Every delivery gives
 * one run, every run finishes, and every stage of every run executes exactly once: each stage's
 * command appends the run's workspace to a marker file, so a stage that ran twice (on one
 * instance or on two) would leave two lines.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../helpers/server'
import { testRedisUrl } from '../helpers/services'
import { allRuns, pool, readMarkers, runCounts, signedPush, startCluster, trivialRepo, writeScaleConfig, type TrivialRepo } from './cluster'

const PUSHES = Number(process.env.CICD_SCALE_PUSHES ?? 200)
const INSTANCES = 3

let servers: RunningServer[] = []
let tmp = ''
let trivial: TrivialRepo
let redis: Redis
let runIds: string[] = []
let startedAt = 0
const delivery = (i: number) => `scale-${process.pid}-${i}`

beforeAll(async () => {
  redis = new Redis(testRedisUrl(14))
  await redis.flushdb()
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-scale-'))
  trivial = trivialRepo()
  const configs = Array.from({ length: INSTANCES }, (_, i) =>
    writeScaleConfig(path.join(tmp, `cicd-${i}.yml`), { repoDir: trivial.repo.dir, markers: path.join(tmp, 'markers'), workspaceRoot: path.join(tmp, `ws-${i}`) }),
  )
  startedAt = Date.now()
  servers = await startCluster({ n: INSTANCES, redisUrl: testRedisUrl(14), configs, stateRoot: tmp })
}, 300_000)

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  redis?.disconnect()
  trivial?.repo.remove()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe(`${INSTANCES} instances on one Redis`, () => {
  it(`${PUSHES} signed pushes spread over them give ${PUSHES} runs, each stage executed exactly once, none lost`, async () => {
    const latencies: number[] = []
    const answers = await pool(
      Array.from({ length: PUSHES }, (_, i) => i),
      6,
      async (i) => {
        const t0 = performance.now()
        const a = await signedPush((servers[i % INSTANCES] as RunningServer).url, delivery(i), trivial)
        latencies.push(performance.now() - t0)
        return a
      },
    )
    latencies.sort((a, b) => a - b)
    console.log(`[exactly-once] ${PUSHES} pushes accepted; answer p50 ${Math.round(latencies[Math.floor(PUSHES / 2)] ?? 0)} ms, max ${Math.round(latencies[PUSHES - 1] ?? 0)} ms (while the instances run stages)`)
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(202)
    runIds = answers.map((a) => a.body.runId as string)
    expect(new Set(runIds).size).toBe(PUSHES)

    // GitHub redelivering to another instance behind the load balancer starts nothing
    const again = await pool(
      Array.from({ length: 20 }, (_, i) => i),
      8,
      (i) => signedPush((servers[(i + 1) % INSTANCES] as RunningServer).url, delivery(i), trivial),
    )
    again.forEach((a, i) => expect(a.body, JSON.stringify(a.body)).toMatchObject({ duplicate: true, runId: runIds[i] }))

    // every run ends (no deadline is asserted: 2 cores do what they can)
    let counts = await runCounts((servers[0] as RunningServer).url)
    while (counts.succeeded + counts.failed < PUSHES) {
      await new Promise((r) => setTimeout(r, 5000))
      counts = await runCounts((servers[0] as RunningServer).url)
    }
    expect(counts).toEqual({ queued: 0, running: 0, succeeded: PUSHES, failed: 0 })

    const markers = readMarkers(path.join(tmp, 'markers'))
    for (const file of ['build.start', 'build', 'test.start', 'test']) {
      const m = markers[file] ?? new Map<string, string[]>()
      expect([...m.keys()].sort(), file).toEqual([...runIds].sort())
      const twice = [...m].filter(([, roots]) => roots.length !== 1)
      expect(twice, `${file}: runs whose stage executed more than once`).toEqual([])
    }
    // the work was shared: builds ran on more than one instance
    const roots = new Set([...(markers.build as Map<string, string[]>).values()].flat().map((r) => path.basename(r)))
    expect(roots.size).toBeGreaterThan(1)

    // the records agree: both stages succeeded once, the timeline reached the end
    for (const run of await allRuns((servers[1] as RunningServer).url, runIds)) {
      expect(run.status).toBe('succeeded')
      expect(run.stages.filter((s) => s.name === 'build' || s.name === 'test').map((s) => `${s.name}:${s.status}`)).toEqual(['build:succeeded', 'test:succeeded'])
      expect((run.timeline ?? []).map((t) => t.topic)).toEqual(['cicd.commit.received', 'cicd.build.completed', 'cicd.tests.completed'])
    }
    // and the queues say the same: one job per run and stage, started once, never stalled or failed
    for (const q of ['cicd.commit.received.Build', 'cicd.build.completed.Test']) {
      const prefix = `motia:events:${q}`
      expect(await redis.zcard(`${prefix}:failed`), q).toBe(0)
      const done = await redis.zrange(`${prefix}:completed`, 0, -1)
      expect(done, q).toHaveLength(PUSHES)
      const attempts = await Promise.all(done.map((id) => redis.hmget(`${prefix}:${id}`, 'ats', 'stc')))
      expect(attempts.filter(([started, stalled]) => started !== '1' || stalled !== null), `${q}: jobs started more than once or stalled`).toEqual([])
    }
  }, 1_800_000)

  it('runs each cron tick once across the instances (the reaper, every minute, logs each pass)', async () => {
    const passes = (await redis.keys('motia:state:cicd-reaper:*')).map((k) => k.slice('motia:state:cicd-reaper:'.length).split('|'))
    const minutes = (Date.now() - startedAt) / 60_000
    // the suite lasted minutes: the reaper ran, and at most once per tick. (A pass is stamped when
    // its process starts, which on busy cores can be many seconds after the tick, so the stamps
    // of two ticks can be close; a tick run by each of the 3 instances would triple the count.)
    expect(passes.length, JSON.stringify(passes)).toBeGreaterThan(0)
    expect(passes.length, JSON.stringify(passes)).toBeLessThanOrEqual(Math.ceil(minutes) + 1)
    for (const [at] of passes) expect(Date.parse(at as string)).toBeGreaterThan(startedAt)
  })
})
