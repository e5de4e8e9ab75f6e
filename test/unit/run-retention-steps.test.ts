/**
 * The steps' side of defaults.run_retention, with the step handlers called as Motia calls them
 * (the state is in memory; the counter archive is on a real Redis): the reaper's pass prunes
 * and archives, and /metrics answers the same counters afterwards.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { counterSeries } from '../../shared/metrics/archive'
import { newRun, type RunRecord } from '../../shared/runs/model'
import { MemoryState, RUNS_GROUP } from '../../shared/runs/store'
import { testRedisUrl } from '../helpers/services'

let redis: Redis
beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cicd-retention-'))
  writeFileSync(path.join(dir, 'cicd.yml'), 'defaults:\n  run_retention: 24h\nrepositories: []\n')
  process.env.CICD_CONFIG = path.join(dir, 'cicd.yml')
  process.env.REDIS_URL = testRedisUrl(1)
  redis = new Redis(testRedisUrl(1), { maxRetriesPerRequest: 1 })
  const marks = await redis.keys('cicd:metrics:archived*')
  if (marks.length) await redis.del(...marks)
})
afterAll(() => redis.disconnect())

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined }

describe('the reaper and /metrics with defaults.run_retention', () => {
  it('the reaper pass deletes the run ended two days ago, and /metrics still counts it', async () => {
    const state = new MemoryState()
    const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString()
    for (const [id, h] of [['two-days', 48], ['an-hour', 1]] as const) {
      const r = newRun({ id, repo: 'shop', commit: id.padEnd(40, '0'), trigger: 'push', createdAt: at(h), updatedAt: at(h) })
      r.status = 'succeeded'
      r.finishedAt = at(h)
      await state.set(RUNS_GROUP, id, r)
    }
    const metrics = await import('../../steps/ops/metrics.step')
    const reaper = await import('../../steps/ops/reaper.step')
    const scrape = async () => (await metrics.handler({}, { state, logger } as never)) as { status: number; body: string }
    const before = await scrape()
    expect(before.status).toBe(200)
    expect(before.body).toContain('cicd_runs{repo="shop",status="succeeded"} 2')

    await reaper.handler({ state, logger, emit: async () => undefined } as never)
    expect((await state.getGroup<RunRecord>(RUNS_GROUP)).map((r) => r.id)).toEqual(['an-hour'])
    const after = await scrape()
    expect(after.status).toBe(200)
    expect(counterSeries(after.body)).toEqual(counterSeries(before.body))
  })
})
