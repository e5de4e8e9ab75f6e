import { describe, expect, it } from 'vitest'
import { cicdConfigSchema } from '../../shared/config/schema'
import { INTAKES_GROUP, intakeSummary, pruneIntakes, queuedRecord, saveIntake, type IntakeRecord } from '../../shared/healer/intake-record'
import { MemoryState } from '../../shared/runs/store'

const DAY = 86_400_000
const now = new Date('2026-12-03T12:00:00.000Z')
const ago = (days: number) => new Date(now.getTime() - days * DAY)
const record = (id: string, status: IntakeRecord['status'], days: number): IntakeRecord => ({ ...queuedRecord(id, 'workflow_job', 'acme/api', ago(days)), status, attempts: status === 'queued' ? 0 : 1 })

describe('healer.intake_retention', () => {
  it('defaults to 7 days, and names the field when it is not a duration', () => {
    expect(cicdConfigSchema.parse({}).healer.intake_retention).toBe(7 * DAY)
    expect(cicdConfigSchema.parse({ healer: { intake_retention: '24h' } }).healer.intake_retention).toBe(DAY)
    const bad = cicdConfigSchema.safeParse({ healer: { intake_retention: 'a week' } })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0]?.path).toEqual(['healer', 'intake_retention'])
  })

  it('deletes ended deliveries older than the retention, keeps recent ones and every queued one', async () => {
    const state = new MemoryState()
    for (const r of [record('old-triaged', 'triaged', 9), record('old-failed', 'failed', 8), record('new-triaged', 'triaged', 2), record('old-queued', 'queued', 30), record('new-failed', 'failed', 6.9)]) await saveIntake(state, r)
    expect(await pruneIntakes(state, 7 * DAY, now)).toBe(2)
    const left = await state.getGroup<IntakeRecord>(INTAKES_GROUP)
    expect(left.map((r) => r.deliveryId).sort()).toEqual(['new-failed', 'new-triaged', 'old-queued'])
    expect(intakeSummary(left)).toMatchObject({ queued: 1, triaged: 1, failed: 1 })
    expect(await pruneIntakes(state, 7 * DAY, now)).toBe(0)
  })

  it('passes over records it cannot read (no deliveryId, no date) instead of failing the pass', async () => {
    const state = new MemoryState()
    await state.set(INTAKES_GROUP, 'broken', { status: 'triaged' })
    await state.set(INTAKES_GROUP, 'undated', { deliveryId: 'undated', status: 'failed' })
    await saveIntake(state, record('old-triaged', 'triaged', 9))
    expect(await pruneIntakes(state, 7 * DAY, now)).toBe(1)
    expect((await state.getGroup<IntakeRecord>(INTAKES_GROUP)).length).toBe(2)
  })
})
