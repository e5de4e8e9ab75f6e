import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { ApprovalStore } from '../../shared/deploy/approvals'
import { handleApprovalDecision } from '../../shared/ingress/approvals'
import { newRunId } from '../../shared/runs/ids'
import { testRedisUrl } from '../helpers/services'

const redis = new Redis(testRedisUrl(6))
afterAll(() => redis.quit())

const TOKEN = 'approvals-test-token'
const req = (body: unknown) => ({ headers: { authorization: `Bearer ${TOKEN}` }, rawBody: JSON.stringify(body), body })

describe('approvals on a real Redis', () => {
  it('a run waiting in both environments is approved one environment at a time, and says which to name', async () => {
    const store = new ApprovalStore(redis)
    const runId = newRunId()
    const emitted: { environment: string }[] = []
    const deps = { token: TOKEN, approvals: store, emit: async (_t: string, d: { environment: string }) => void emitted.push(d) }
    const base = { runId, repo: 'web', commit: 'a'.repeat(40), imageTag: 'web:aaaaaaa', traceId: 't', risk: 'medium', strategy: 'blue-green', reasons: ['r'] }
    await store.request({ ...base, environment: 'staging' })
    await store.request({ ...base, environment: 'production' })
    // a second request for the same environment keeps the first
    expect((await store.request({ ...base, environment: 'production', risk: 'low' })).risk).toBe('medium')
    expect((await store.ofRun(runId)).map((a) => a.environment).sort()).toEqual(['production', 'staging'])

    const ambiguous = await handleApprovalDecision(req({ approve: true, by: 'ana' }), runId, deps)
    expect(ambiguous).toMatchObject({ status: 400, body: { field: 'environment' } })
    const staging = await handleApprovalDecision(req({ approve: true, by: 'ana', environment: 'staging' }), runId, deps)
    expect(staging).toMatchObject({ status: 200, body: { approval: { environment: 'staging', status: 'approved', decidedBy: 'ana' } } })
    // one left waiting: no need to name it
    const prod = await handleApprovalDecision(req({ approve: false, by: 'bob', comment: 'not today' }), runId, deps)
    expect(prod).toMatchObject({ status: 200, body: { approval: { environment: 'production', status: 'rejected', comment: 'not today' } } })
    expect(emitted.map((e) => e.environment)).toEqual(['staging', 'production'])
    const again = await handleApprovalDecision(req({ approve: true, by: 'eve', environment: 'production' }), runId, deps)
    expect(again.status).toBe(409)
    const bad = await handleApprovalDecision(req({ approve: true, by: 'eve', environment: 'qa' }), runId, deps)
    expect(bad).toMatchObject({ status: 400, body: { field: 'environment' } })
  })

  it('two approvers racing get one decision', async () => {
    const store = new ApprovalStore(redis)
    const runId = newRunId()
    await store.request({ runId, repo: 'web', environment: 'production', commit: 'b'.repeat(40), imageTag: 'web:bbbbbbb', traceId: 't', risk: 'high', strategy: 'canary', reasons: ['r'] })
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.decide(runId, 'production', i % 2 === 0, `p${i}`)))
    expect(results.filter((r) => r.result === 'decided')).toHaveLength(1)
    expect(results.filter((r) => r.result === 'already')).toHaveLength(9)
  })
})
