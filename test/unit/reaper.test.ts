/** The reaper's rules, on records (the real-process behaviour is in crash.test.ts). */
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../shared/config/load'
import { newRun, type RunRecord } from '../../shared/runs/model'
import { reaperSettings, reapStuckRuns, recordReaperPass, stageBudgetMs, stuckVerdict, REAPER_GROUP, type ReaperPass } from '../../shared/runs/reaper'
import { MemoryState, RunStore } from '../../shared/runs/store'

const config = parseConfig(
  'repositories:\n  - name: app\n    path: /tmp/app\n    build: { commands: ["a", "b"], timeout: 60s }\n    test: { commands: ["t"], timeout: 2m }\n',
  'cicd.yml',
)
const repo = config.repositories[0]
const settings = { marginMs: 30_000, idleMs: 3_600_000 }
const T0 = Date.parse('2026-01-01T12:00:00Z')
const at = (ms: number) => new Date(T0 + ms).toISOString()

function run(id: string, change: (r: RunRecord) => void = () => undefined): RunRecord {
  const r = newRun({ id, repo: 'app', commit: 'a'.repeat(40), trigger: 'push', traceId: `t-${id}` }, new Date(T0))
  change(r)
  return r
}
const stage = (r: RunRecord, name: string) => r.stages.find((s) => s.name === name) as RunRecord['stages'][number]
const running = (name: 'build' | 'test', startedAt: number) => (r: RunRecord) => {
  r.status = 'running'
  if (name === 'test') Object.assign(stage(r, 'build'), { status: 'succeeded', startedAt: at(0), finishedAt: at(1000) })
  Object.assign(stage(r, name), { status: 'running', startedAt: at(startedAt) })
}

describe('stuckVerdict', () => {
  it('gives a stage its timeout per command plus the margin', () => {
    expect(stageBudgetMs(repo as NonNullable<typeof repo>, 'build')).toBe(120_000)
    const r = run('r1', running('build', 0))
    expect(stuckVerdict(r, repo, T0 + 150_000, settings)).toBeUndefined()
    const v = stuckVerdict(r, repo, T0 + 150_001, settings)
    expect(v?.stage).toBe('build')
    expect(v?.reason).toMatch(/no result after 150 s \(its timeout is 120 s\): the instance running it stopped/)
    expect(stuckVerdict(run('r2', running('test', 0)), repo, T0 + 150_001, settings)?.stage).toBe('test')
  })

  it('fails a run whose event was lost only after the idle time, and says which stage never started', () => {
    const queued = run('q')
    expect(stuckVerdict(queued, repo, T0 + 3_600_000, settings)).toBeUndefined()
    expect(stuckVerdict(queued, repo, T0 + 3_600_001, settings)?.reason).toMatch(/^never started: nothing happened for 60 min/)
    const between = run('b', (r) => {
      r.status = 'running'
      Object.assign(stage(r, 'build'), { status: 'succeeded' })
    })
    expect(stuckVerdict(between, repo, T0 + 3_600_001, settings)).toMatchObject({ stage: 'test', reason: expect.stringMatching(/^the test stage never started/) })
  })

  it('fails a smoke run stuck in its stage after its budget, and a queued one as smoke, without a pipeline failure event', async () => {
    const cfg = parseConfig('repositories:\n  - name: app\n    path: /tmp/app\n    smoke: { commands: ["s1", "s2"], timeout: 30s }\n', 'cicd.yml')
    const srepo = cfg.repositories[0]
    expect(stageBudgetMs(srepo as NonNullable<typeof srepo>, 'smoke')).toBe(60_000)
    const smoke = newRun({ id: 'sm', repo: 'app', commit: 'a'.repeat(40), trigger: 'smoke', traceId: 't-sm', stages: [{ name: 'smoke', status: 'running', startedAt: at(0), log: '' }], status: 'running' }, new Date(T0))
    expect(stuckVerdict(smoke, srepo, T0 + 90_000, settings)).toBeUndefined()
    expect(stuckVerdict(smoke, srepo, T0 + 90_001, settings)?.stage).toBe('smoke')
    const queued = newRun({ id: 'sq', repo: 'app', commit: 'a'.repeat(40), trigger: 'smoke', traceId: 't-sq', stages: [{ name: 'smoke', status: 'pending', log: '' }] }, new Date(T0))
    expect(stuckVerdict(queued, srepo, T0 + 3_600_001, settings)?.stage).toBe('smoke')
    const store = new RunStore(new MemoryState())
    await store.save(smoke)
    const out = await reapStuckRuns(store, cfg, settings, new Date(T0 + 90_001))
    expect(out.reaped).toEqual([expect.objectContaining({ runId: 'sm', stage: 'smoke' })])
    expect(out.reaped[0]?.failure).toBeUndefined()
    expect((await store.get('sm'))?.status).toBe('failed')
  })

  it('leaves finished runs, deploys and monitors alone', () => {
    expect(stuckVerdict(run('s', (r) => (r.status = 'succeeded')), repo, T0 + 86_400_000 * 9, settings)).toBeUndefined()
    const deploying = run('d', (r) => {
      r.status = 'running'
      r.stages.push({ name: 'deploy:staging', status: 'running', startedAt: at(0), log: '' })
    })
    expect(stuckVerdict(deploying, repo, T0 + 86_400_000 * 9, settings)).toBeUndefined()
  })

  it('reads CICD_REAPER_MARGIN and CICD_REAPER_IDLE in seconds, with defaults', () => {
    expect(reaperSettings({})).toEqual({ marginMs: 300_000, idleMs: 86_400_000 })
    expect(reaperSettings({ CICD_REAPER_MARGIN: '20', CICD_REAPER_IDLE: '600' })).toEqual({ marginMs: 20_000, idleMs: 600_000 })
    expect(reaperSettings({ CICD_REAPER_MARGIN: 'soon' }).marginMs).toBe(300_000)
  })
})

describe('reapStuckRuns', () => {
  it('marks stuck runs failed with the reason, skips the rest of the run, and is idempotent', async () => {
    const runs = new RunStore(new MemoryState())
    await runs.save(run('stuck', running('build', 0)))
    await runs.save(run('fine', running('build', 100_000)))
    await runs.save(run('done', (r) => (r.status = 'failed')))
    const now = new Date(T0 + 200_000)
    const first = await reapStuckRuns(runs, config, settings, now)
    expect(first.checked).toBe(2)
    expect(first.reaped.map((r) => r.runId)).toEqual(['stuck'])
    expect(first.reaped[0]?.failure).toMatchObject({ runId: 'stuck', repo: 'app', stage: 'build', traceId: 't-stuck' })
    const stuck = (await runs.get('stuck')) as RunRecord
    expect(stuck.status).toBe('failed')
    expect(stuck.reason).toMatch(/^build failed: no result after 200 s/)
    expect(stuck.finishedAt).toBe(now.toISOString())
    expect(stuck.stages.map((s) => s.status)).toEqual(['failed', 'skipped'])
    expect((await runs.get('fine'))?.status).toBe('running')
    expect((await reapStuckRuns(runs, config, settings, now)).reaped).toEqual([])
  })

  it('keeps one record per pass (two instances in one tick would both show), the newest 50', async () => {
    const groups = new Map<string, Map<string, unknown>>()
    const group = (g: string) => groups.get(g) ?? groups.set(g, new Map()).get(g) as Map<string, unknown>
    const state = {
      get: async <T>(g: string, k: string) => (group(g).get(k) as T) ?? null,
      set: async <T>(g: string, k: string, v: T) => (group(g).set(k, v), v),
      getGroup: async <T>(g: string) => [...group(g).values()] as T[],
      delete: async (g: string, k: string) => group(g).delete(k),
    }
    for (let i = 0; i < 55; i++) await recordReaperPass(state, { at: at(i * 60_000), instance: `i${i % 2}`, checked: 0, reaped: [] })
    await recordReaperPass(state, { at: at(54 * 60_000), instance: 'other', checked: 1, reaped: [] })
    const passes = await state.getGroup<ReaperPass>(REAPER_GROUP)
    expect(passes).toHaveLength(50)
    expect(passes.filter((p) => p.at === at(54 * 60_000)).map((p) => p.instance).sort()).toEqual(['i0', 'other'])
  })
})
