/**
 * defaults.run_retention: ended runs go, with their timelines; what they added to the counters on
 * /metrics is archived first, so no counter goes down, and nothing is counted twice when a pass
 * crashes half-way or two instances prune at once (the archive on a real Redis).
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cicdConfigSchema } from '../../shared/config/schema'
import { counterSeries, MemoryCounterArchive, withArchive } from '../../shared/metrics/archive'
import { renderMetrics } from '../../shared/metrics/prometheus'
import { newRun, type RunRecord } from '../../shared/runs/model'
import { pruneRuns } from '../../shared/runs/retention'
import { MemoryState, RUNS_GROUP } from '../../shared/runs/store'
import { readTimeline, recordTimeline } from '../../shared/runs/timeline'
import { ARCHIVE_KEY, RedisCounterArchive } from '../../shared/redis/counter-archive'
import { testRedisUrl } from '../helpers/services'

const DAY = 86_400_000
const now = new Date('2026-12-03T12:00:00.000Z')
const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString()

function run(id: string, days: number, status: RunRecord['status'] = 'succeeded', repo = 'shop'): RunRecord {
  const r = newRun({ id, repo, commit: id.padEnd(40, '0'), trigger: 'push', createdAt: ago(days + 0.01), updatedAt: ago(days) })
  r.status = status
  if (status === 'succeeded' || status === 'failed') r.finishedAt = ago(days)
  r.stages = [
    { name: 'build', status: 'succeeded', log: 'x'.repeat(100), durationMs: 2000 + days, summary: { mode: 'docker', strategy: 'cache', layerCache: { steps: 4, cached: 3 } } },
    { name: 'test', status: status === 'failed' ? 'failed' : 'succeeded', log: '', durationMs: 5000, summary: { mode: 'all', totals: { total: 3, passed: status === 'failed' ? 2 : 3, failed: status === 'failed' ? 1 : 0, errors: 0, skipped: 0 } } },
    { name: 'deploy:production', status: 'succeeded', log: '', finishedAt: ago(days) },
    { name: 'monitor:production', status: status === 'failed' ? 'failed' : 'succeeded', log: '', finishedAt: ago(days), ...(status === 'failed' ? { summary: { rollback: { success: true, rollbackMs: 1500 } } } : {}) },
  ]
  r.decisions = [{ agent: 'build', source: 'heuristic', reasons: ['r'], latencyMs: 1 } as RunRecord['decisions'][number]]
  return r
}

async function seeded(): Promise<{ state: MemoryState; runs: RunRecord[] }> {
  const state = new MemoryState()
  const runs = [run('old-ok', 120), run('old-bad', 100, 'failed'), run('older-other', 200, 'succeeded', 'web'), run('new-ok', 10), run('old-running', 150, 'running')]
  for (const r of runs) await state.set(RUNS_GROUP, r.id, r)
  await recordTimeline(state, 'old-ok', { topic: 'cicd.build.completed', at: ago(120) })
  await recordTimeline(state, 'new-ok', { topic: 'cicd.build.completed', at: ago(10) })
  return { state, runs }
}

// Redis adds floats in its own long double: equal to the 9th decimal
const counters = (text: string) => Object.fromEntries(Object.entries(counterSeries(text)).map(([k, v]) => [k, Math.round(v * 1e9) / 1e9]))
const metricsOf = async (state: MemoryState, archive: MemoryCounterArchive | RedisCounterArchive) => withArchive(renderMetrics(await state.getGroup<RunRecord>(RUNS_GROUP), [], now), await archive.read())

describe('defaults.run_retention', () => {
  it('defaults to 90 days, and names the field when it is not a duration', () => {
    expect(cicdConfigSchema.parse({}).defaults.run_retention).toBe(90 * DAY)
    const bad = cicdConfigSchema.safeParse({ defaults: { run_retention: 'forever' } })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0]?.path).toEqual(['defaults', 'run_retention'])
  })

  it('deletes ended runs older than the retention with their timelines; keeps recent and unfinished ones', async () => {
    const { state } = await seeded()
    const archive = new MemoryCounterArchive()
    expect(await pruneRuns(state, archive, 90 * DAY, now)).toEqual({ pruned: 3, left: 0 })
    expect((await state.getGroup<RunRecord>(RUNS_GROUP)).map((r) => r.id).sort()).toEqual(['new-ok', 'old-running'])
    expect(await readTimeline(state, 'old-ok')).toEqual([])
    expect(await readTimeline(state, 'new-ok')).toHaveLength(1)
    expect(await pruneRuns(state, archive, 90 * DAY, now)).toEqual({ pruned: 0, left: 0 })
  })

  it('no counter on /metrics goes down when runs are pruned', async () => {
    const { state, runs } = await seeded()
    const before = counters(renderMetrics(runs, [], now))
    expect(before['cicd_runs_total{repo="shop"}']).toBe(4)
    expect(before['cicd_stage_duration_seconds_count{repo="shop",stage="build"}']).toBe(4)
    const archive = new MemoryCounterArchive()
    await pruneRuns(state, archive, 90 * DAY, now)
    const text = await metricsOf(state, archive)
    expect(counters(text)).toEqual(before)
    // the pruned repository's series is still there, in its family
    expect(text).toMatch(/# TYPE cicd_runs_total counter\n(cicd_runs_total\{[^\n]*\n)*cicd_runs_total\{repo="web"\} 1\n/)
    expect(text).toContain('cicd_rollbacks_total{repo="shop",environment="production",trigger="automatic"} 1')
    // gauges are over the kept runs: the rollback is gone from the change failure rate
    expect(text).toContain('cicd_change_failure_rate{repo="shop",environment="production"} 0')
  })

  it('a pass that archived a run and crashed before deleting it counts it once on the next pass', async () => {
    const { state, runs } = await seeded()
    const before = counters(renderMetrics(runs, [], now))
    const archive = new MemoryCounterArchive()
    const oldOk = runs.find((r) => r.id === 'old-ok')!
    expect(await archive.add('old-ok', counterSeries(renderMetrics([oldOk], [], now)))).toBe(true) // the crash: archived, not deleted
    await pruneRuns(state, archive, 90 * DAY, now)
    expect(counters(await metricsOf(state, archive))).toEqual(before)
  })
})

describe('the counter archive on a real Redis', () => {
  let a: Redis
  let b: Redis
  beforeAll(async () => {
    a = new Redis(testRedisUrl(3), { maxRetriesPerRequest: 1 })
    b = new Redis(testRedisUrl(3), { maxRetriesPerRequest: 1 })
    const marks = await a.keys('cicd:metrics:archived*')
    if (marks.length) await a.del(...marks)
  })
  afterAll(() => {
    a.disconnect()
    b.disconnect()
  })

  it('two instances pruning the same runs at once archive each run once', async () => {
    const { state, runs } = await seeded()
    const before = counters(renderMetrics(runs, [], now))
    const [x, y] = [new RedisCounterArchive(a), new RedisCounterArchive(b)]
    // the same store read by both before either deletes: each sees every old run
    const results = await Promise.all([pruneRuns(state, x, 90 * DAY, now), pruneRuns(state, y, 90 * DAY, now)])
    expect(results.reduce((n, r) => n + r.pruned, 0)).toBeGreaterThanOrEqual(3)
    expect(counters(await metricsOf(state, x))).toEqual(before)
    expect(await a.hget(ARCHIVE_KEY, 'cicd_runs_total{repo="web"}')).toBe('1')
    expect(await x.add('old-ok', { 'cicd_runs_total{repo="shop"}': 1 })).toBe(false)
  })
})
