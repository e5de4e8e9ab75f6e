/** Seed 001's duplicate prevention on a real Redis, across two processes. */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RemediationLedger, type RemediationClaim } from '../../shared/healer/dedup'
import { testRedisUrl } from '../helpers/services'

let redis: Redis
let url: string
beforeAll(async () => {
  url = testRedisUrl(4)
  redis = new Redis(url)
  await redis.flushdb()
})
afterAll(() => redis?.disconnect())

function worker(n: number, suffix: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'dedup-worker.ts'), url, String(n), suffix], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`worker exited ${code}`))))
  })
}

const claim = (over: Partial<RemediationClaim> = {}): RemediationClaim => ({
  repo: 'acme/api',
  runId: 1,
  attempt: 1,
  branch: 'main',
  name: 'healer-ci-rex-1',
  branchWindowMs: 600_000,
  activeTtlMs: 3_600_000,
  ...over,
})

describe('remediation dedup (real Redis)', () => {
  it('50 concurrent identical deliveries from two processes give exactly one remediation', async () => {
    const [a, b] = await Promise.all([worker(25, 'race'), worker(25, 'race')])
    const all = [...a, ...b]
    expect(all).toHaveLength(50)
    expect(all.filter((s) => s === 'new')).toHaveLength(1)
    expect(all.filter((s) => s === 'existing')).toHaveLength(49)
  })

  it('a re-run (higher attempt) on the same branch is skipped while the first is active, by the window after', async () => {
    const ledger = new RemediationLedger(redis, 'cicd:healer:window:')
    expect((await ledger.claim(claim())).status).toBe('new')
    const rerun = await ledger.claim(claim({ attempt: 2, name: 'healer-ci-rex-2' }))
    expect(rerun).toMatchObject({ status: 'skipped', name: 'healer-ci-rex-1', reason: 'a remediation is already active on this branch' })
    await ledger.finish(claim(), 'healer-ci-rex-1')
    const afterFinish = await ledger.claim(claim({ attempt: 3, name: 'healer-ci-rex-3' }))
    expect(afterFinish.reason).toBe('a remediation ran on this branch within the window')
    expect((await ledger.claim(claim({ branch: 'other', runId: 2, name: 'healer-ci-rex-4' }))).status).toBe('new')
  })

  it('lets a new failure through once the branch window has passed', async () => {
    const ledger = new RemediationLedger(redis, 'cicd:healer:short:')
    expect((await ledger.claim(claim({ branchWindowMs: 150, activeTtlMs: 150 }))).status).toBe('new')
    await new Promise((r) => setTimeout(r, 300))
    expect((await ledger.claim(claim({ attempt: 2, name: 'n2', branchWindowMs: 150, activeTtlMs: 150 }))).status).toBe('new')
    expect((await ledger.claim(claim({ name: 'again', branchWindowMs: 150, activeTtlMs: 150 }))).status).toBe('existing') // same run attempt, remembered longer
  })
})
