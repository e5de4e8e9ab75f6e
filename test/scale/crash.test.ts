/**
 * Crash safety (issue 6, section 6): `kill -9` of one of three real instances while its stages
 * run. Its in-flight stages are taken over by the others (BullMQ's stalled-job recovery: the job
 * lock, CICD_QUEUE_LOCK_SECONDS here, runs out and another instance runs the stage again) or the
 * run ends failed with a reason; no run stays queued or running. Then the reaper: runs that
 * nothing will ever finish (a stage whose job is gone, a run whose first event was lost) are
 * marked failed with the reason, on whichever instance runs the cron tick.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newRun, type RunRecord } from '../../shared/runs/model'
import { waitFor, type RunningServer } from '../helpers/server'
import { testRedisUrl } from '../helpers/services'
import { allRuns, pool, readMarkers, runCounts, signedPush, startCluster, trivialRepo, writeScaleConfig, type RunView, type TrivialRepo } from './cluster'

const PUSHES = 24
const INSTANCES = 3

let servers: RunningServer[] = []
const killed = new Set<RunningServer>()
let tmp = ''
let markers = ''
let trivial: TrivialRepo
let redis: Redis
const ws = (i: number) => path.join(tmp, `ws-${i}`)

beforeAll(async () => {
  redis = new Redis(testRedisUrl(15))
  await redis.flushdb()
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-crash-'))
  markers = path.join(tmp, 'markers')
  trivial = trivialRepo()
  // each stage takes 2 s, so a kill finds work in flight; each instance has its own workspaces,
  // so the markers say where each execution ran
  const configs = Array.from({ length: INSTANCES }, (_, i) =>
    writeScaleConfig(path.join(tmp, `cicd-${i}.yml`), { repoDir: trivial.repo.dir, markers, workspaceRoot: ws(i), stageSeconds: 2, timeout: '60s' }),
  )
  servers = await startCluster({
    n: INSTANCES,
    redisUrl: testRedisUrl(15),
    configs,
    stateRoot: tmp,
    env: { CICD_QUEUE_LOCK_SECONDS: '10', CICD_REAPER_CRON: '*/10 * * * * *', CICD_REAPER_MARGIN: '20' },
  })
}, 300_000)

afterAll(async () => {
  await Promise.all(servers.filter((s) => !killed.has(s)).map((s) => s.stop()))
  redis?.disconnect()
  trivial?.repo.remove()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

/** `<stage>` executions started on instance 0 and not finished there. */
function inFlightOnVictim(): Array<{ runId: string; stage: string }> {
  const out: Array<{ runId: string; stage: string }> = []
  for (const stage of ['build', 'test']) {
    const read = (f: string) => (existsSync(path.join(markers, f)) ? readFileSync(path.join(markers, f), 'utf8').split('\n').filter(Boolean) : [])
    const ended = new Set(read(stage).filter((l) => path.dirname(l) === ws(0)))
    for (const line of read(`${stage}.start`)) if (path.dirname(line) === ws(0) && !ended.has(line)) out.push({ runId: path.basename(line), stage })
  }
  return out
}

async function allFinished(url: string, n: number): Promise<void> {
  await waitFor(
    async () => {
      const c = await runCounts(url)
      return c.succeeded + c.failed >= n && c.queued + c.running === 0 ? true : undefined
    },
    600_000,
    'every run to finish',
  )
}

describe('kill -9 of one instance in the middle of runs', () => {
  let runIds: string[] = []

  it("hands its in-flight stages to the other instances (or fails the run with a reason); nothing stays running", async () => {
    const answers = await pool(
      Array.from({ length: PUSHES }, (_, i) => i),
      8,
      (i) => signedPush((servers[i % INSTANCES] as RunningServer).url, `crash-${process.pid}-${i}`, trivial),
    )
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(202)
    runIds = answers.map((a) => a.body.runId as string)

    // the moment instance 0 is in the middle of a stage: kill its whole process tree
    const inFlight = await waitFor(async () => {
      const f = inFlightOnVictim()
      return f.length ? f : undefined
    }, 300_000, 'instance 0 to be in the middle of a stage')
    const victim = servers[0] as RunningServer
    victim.kill('SIGKILL')
    killed.add(victim)
    await victim.exited()
    const killedAt = Date.now()

    const survivor = servers[1] as RunningServer
    await allFinished(survivor.url, PUSHES)
    const runs = new Map<string, RunView>((await allRuns(survivor.url, runIds)).map((r) => [r.id, r]))
    for (const run of runs.values()) {
      expect(['succeeded', 'failed'], run.id).toContain(run.status)
      if (run.status === 'failed') expect(run.reason ?? '', run.id).toMatch(/\S/)
    }

    // each stage that was in flight on the dead instance was run again elsewhere, or its run failed
    // with the reason
    const m = readMarkers(markers)
    let takenOver = 0
    for (const { runId, stage } of inFlight) {
      const run = runs.get(runId) as RunView
      const s = run.stages.find((x) => x.name === stage)
      const elsewhere = (m[stage]?.get(runId) ?? []).filter((root) => root !== ws(0))
      expect(elsewhere.length, `${runId} ${stage}: executions on the other instances`).toBeLessThanOrEqual(1)
      if (elsewhere.length === 1) {
        // taken over: started again after the kill, on another instance, and finished there
        expect(s?.status).toBe('succeeded')
        expect(Date.parse(s?.startedAt ?? '')).toBeGreaterThan(killedAt - 1000)
        takenOver++
      }
    }
    const failed = [...runs.values()].filter((r) => r.status === 'failed').length
    console.log(`[crash] ${inFlight.length} stage(s) in flight on the killed instance, ${takenOver} taken over by another; ${failed} run(s) failed with a reason`)
    expect(takenOver).toBeGreaterThan(0)
    // everything else ran each stage once. A stage the dead instance had started (its start marker
    // says so: also one that started between the look above and the kill, or whose commands ended
    // but whose result was not recorded yet) may have run once more, on another instance: the takeover.
    for (const stage of ['build', 'test'])
      for (const [runId, roots] of m[stage] ?? new Map<string, string[]>()) {
        const startedOnVictim = (m[`${stage}.start`]?.get(runId) ?? []).includes(ws(0))
        if (startedOnVictim) expect(roots.filter((r) => r !== ws(0)).length, `${runId} ${stage}: executions elsewhere`).toBeLessThanOrEqual(1)
        else expect(roots.length, `${runId} ${stage}`).toBe(1)
      }
  }, 900_000)

  it('the reaper fails, with the reason, a run whose stage nobody will finish and one whose event was lost', async () => {
    const hourAgo = new Date(Date.now() - 3600_000)
    const stalled: RunRecord = newRun({ id: `rstalled${process.pid}`, repo: 'scale', commit: trivial.after, trigger: 'push', traceId: 'tstalled' }, hourAgo)
    stalled.status = 'running'
    Object.assign(stalled.stages[0] as object, { status: 'running', startedAt: hourAgo.toISOString() })
    const lost: RunRecord = newRun({ id: `rlost${process.pid}`, repo: 'scale', commit: trivial.after, trigger: 'push' }, new Date(Date.now() - 3 * 86_400_000))
    // as an instance that died between recording a run and queueing its event leaves it
    for (const run of [stalled, lost]) await redis.set(`motia:state:cicd-runs:${run.id}`, JSON.stringify(run))

    const url = (servers[2] as RunningServer).url
    for (const run of [stalled, lost]) {
      const reaped = await waitFor(
        async () => {
          const r = (await (await fetch(`${url}/api/cicd/runs/${run.id}`)).json()) as RunView
          return r.status === 'failed' && (r.timeline ?? []).some((t) => t.topic === 'ci.failure.detected') ? r : undefined
        },
        120_000,
        `the reaper to fail ${run.id}`,
      )
      expect(reaped.reason).toMatch(/^build failed: .*marked failed by the reaper/)
      expect(reaped.stages.map((s) => `${s.name}:${s.status}`)).toEqual(['build:failed', 'test:skipped'])
    }
    const r = (await (await fetch(`${url}/api/cicd/runs/${stalled.id}`)).json()) as RunView
    expect(r.reason).toMatch(/no result after 60 min .*the instance running it stopped/)
    const l = (await (await fetch(`${url}/api/cicd/runs/${lost.id}`)).json()) as RunView
    expect(l.reason).toMatch(/never started/)
  }, 180_000)
})
