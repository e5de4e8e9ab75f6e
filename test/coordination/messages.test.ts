/** Seed 000's message format, validated and versioned; what is refused goes to ci:status and the audit log. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { subscribe, type Heard, type Subscription } from '../../shared/coordination/channels'
import { parseMessage } from '../../shared/coordination/messages'
import { publishStageSucceeded, remediationDispatchedEvent, stageFailedEvent } from '../../shared/coordination/pipeline-events'
import { newRun } from '../../shared/runs/model'
import { MemoryState, RunStore } from '../../shared/runs/store'
import { publisherFor, sleep, testConfig, testKeys, testRedis } from './setup'

const SEED_EXAMPLE = {
  type: 'pr_failure',
  pr_number: 197,
  pr_title: 'Implement Phase 15 Router Core',
  pr_url: 'https://github.com/Ic1558/02luka/pull/197',
  failing_checks: ['validate', 'ops-gate'],
  timestamp: '2025-11-07T03:30:00Z',
  source: 'ci_watcher',
}

describe('message schemas', () => {
  it("accepts seed 000's own example as a version 1 pr_failure, naming the repository from its URL", () => {
    const r = parseMessage('ci:events', SEED_EXAMPLE)
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.message).toMatchObject({ version: 1, type: 'pr_failure', repo: 'Ic1558/02luka', pr_number: 197, failing_checks: ['validate', 'ops-gate'] })
  })

  it.each([
    [{ type: 'label', repo: 'acme/webapp', source: 'cls', pr_number: '12', labels: ['x'] }, 'pr_number', 'expected number, got the string "12"'],
    [{ type: 'label', repo: 'acme/webapp', source: 'cls', pr_number: 12, lables: ['x'] }, 'lables', 'is not a field of a label message'],
    [{ type: 'label', repo: 'acme/webapp', source: 'cls', pr_number: 12, labels: [] }, 'labels', 'at least one label'],
    [{ type: 'rerun', repo: 'acme/webapp', source: 'cls' }, 'run_id', 'give run_id'],
    [{ type: 'deploy', repo: 'acme/webapp', source: 'cls' }, 'type', '"deploy" is not a ci:commands type'],
    [{ repo: 'acme/webapp', source: 'cls' }, 'type', 'missing'],
    [{ type: 'merge', repo: 'acme/webapp', source: 'cls', pr_number: 1, version: 2 }, 'version', '2 is not supported'],
    [{ type: 'notify', repo: 'acme/webapp', source: 'cls', text: 'hi', timestamp: 'yesterday' }, 'timestamp', 'ISO 8601'],
    [{ type: 'notify', repo: 'acme/webapp', text: 'hi' }, 'source', 'expected string'],
    [{ type: 'merge', repo: '../../etc', source: 'cls', pr_number: 1 }, 'repo', 'a repository'],
    [['not', 'an', 'object'], '(message)', 'expected a JSON object'],
  ])('refuses an invalid command, naming the field: %j', (input, field, words) => {
    const r = parseMessage('ci:commands', input)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.field).toBe(field)
      expect(r.reason).toContain(words)
      expect(r.reason.startsWith(`${field}: `)).toBe(true)
    }
  })

  it('treats PR titles and check names as data: control characters and bidi overrides are removed, length is capped', () => {
    const r = parseMessage('ci:events', { ...SEED_EXAMPLE, pr_title: `\u001b]8;;https://evil\u0007click\u001b[2J\u202e${'x'.repeat(1000)}`, failing_checks: ['lint\u001b[31m'] })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.message.pr_title).not.toMatch(/[\u0000-\u001f\u202e]/)
    expect(r.message.pr_title?.length).toBeLessThanOrEqual(300)
    expect(r.message).toMatchObject({ failing_checks: ['lint[31m'] })
  })

  it('is strict about commands (executed) and lets events carry extra fields (observed)', () => {
    expect(parseMessage('ci:events', { ...SEED_EXAMPLE, branch: 'feature/x' })).toMatchObject({ ok: true, message: { branch: 'feature/x' } })
    expect(parseMessage('ci:commands', { type: 'notify', repo: 'acme/webapp', source: 'a', text: 'x', url: 'https://evil' })).toMatchObject({ ok: false, field: 'url' })
  })
})

describe('refusals reach ci:status and the audit log (real Redis)', () => {
  const redis = testRedis(10)
  const keys = testKeys('messages')
  const publisher = publisherFor(redis, keys, testConfig(), 'cls_agent')
  const heard: Heard[] = []
  let sub: Subscription
  beforeAll(async () => {
    sub = await subscribe(redis, keys, ['ci:status', 'ci:commands'], (h) => heard.push(h))
  })
  afterAll(async () => {
    await sub?.close()
    redis.disconnect()
  })
  const statusOf = (key: string) => heard.filter((h) => h.channel === 'ci:status' && h.json.includes(key)).map((h) => JSON.parse(h.json) as Record<string, unknown>)

  it('an invalid command: 400 naming the field, nothing queued, the reason on ci:status and in the audit log', async () => {
    const r = await publisher.publishCommand({ type: 'label', repo: 'acme/webapp', source: 'cls_agent', pr_number: 5, labels: [], idempotency_key: 'bad-1' })
    expect(r).toMatchObject({ ok: false, status: 400, field: 'labels' })
    await sleep(100)
    expect(statusOf('bad-1')).toEqual([expect.objectContaining({ type: 'message_rejected', version: 1, channel: 'ci:commands', field: 'labels', message_type: 'label', repo: 'acme/webapp', pr_number: 5 })])
    const { entries } = await publisher.audit.list({ limit: 5, result: 'rejected' })
    expect(entries[0]).toMatchObject({ command_type: 'label', repo: 'acme/webapp', result: 'rejected', idempotency_key: 'bad-1' })
    expect(entries[0]?.reason).toContain('labels: at least one label')
    expect(await redis.xlen(keys.queue('label'))).toBe(0)
    expect(heard.some((h) => h.channel === 'ci:commands')).toBe(false)
  })

  it.each([
    [{ type: 'rerun', repo: 'acme/locked', run_id: 7 }, "rerun is not on locked's allow-list (coordination.commands: [notify])"],
    [{ type: 'merge', repo: 'locked', pr_number: 3 }, 'merge is not allowed for locked (coordination.merge is false)'],
    [{ type: 'label', repo: 'local-only', pr_number: 3, labels: ['x'] }, 'local-only has no "github: owner/name"'],
    [{ type: 'notify', repo: 'acme/unknown', text: 'x' }, '"acme/unknown" is not a repository in cicd.yml'],
  ])('a command the repository does not allow: 403, never queued, audited: %j', async (cmd, reason) => {
    const key = `deny-${Math.random().toString(36).slice(2)}`
    const r = await publisher.publishCommand({ ...cmd, source: 'cls_agent', idempotency_key: key })
    expect(r).toMatchObject({ ok: false, status: 403 })
    if (!r.ok) expect(r.reason).toContain(reason)
    await sleep(100)
    expect(statusOf(key)[0]).toMatchObject({ type: 'message_rejected', reason: expect.stringContaining(reason) })
    const { entries } = await publisher.audit.list({ limit: 50 })
    expect(entries.find((e) => e.idempotency_key === key)).toMatchObject({ result: 'rejected', source: 'cls_agent' })
    for (const t of ['rerun', 'label', 'merge', 'notify'] as const) expect(await redis.xlen(keys.queue(t))).toBe(0)
  })

  it('an allowed command is queued durably, audited as queued and seen by observers on ci:commands', async () => {
    const r = await publisher.publishCommand({ type: 'label', repo: 'webapp', pr_number: 9, labels: ['ready'], source: 'cls_agent', requested_by: 'alice' })
    expect(r).toMatchObject({ ok: true, channel: 'ci:commands', queue: keys.queue('label'), duplicate: false })
    await sleep(100)
    expect(heard.filter((h) => h.channel === 'ci:commands').map((h) => JSON.parse(h.json) as Record<string, unknown>)).toEqual([expect.objectContaining({ type: 'label', repo: 'webapp', labels: ['ready'], version: 1 })])
    expect(await redis.xlen(keys.queue('label'))).toBe(1)
    const { entries } = await publisher.audit.list({ limit: 1 })
    expect(entries[0]).toMatchObject({ command_type: 'label', repo: 'acme/webapp', pr_number: 9, source: 'cls_agent', requested_by: 'alice', result: 'queued' })
    expect(Date.now() - Date.parse(entries[0]?.at ?? '')).toBeLessThan(5000)
  })

  it('an invalid event or status is refused the same way', async () => {
    expect(await publisher.publishEvent({ type: 'pr_failure', repo: 'acme/webapp', pr_number: 1, failing_checks: [], source: 'x' })).toMatchObject({ ok: false, field: 'failing_checks' })
    expect(await publisher.publishStatus({ type: 'heartbeat', source: 'x' })).toMatchObject({ ok: false, field: 'agent' })
    const { entries } = await publisher.audit.list({ limit: 2, result: 'rejected' })
    expect(entries.map((e) => e.channel)).toEqual(['ci:status', 'ci:events'])
  })
})

describe("our pipeline's failures on ci:events", () => {
  const redis = testRedis(10)
  const keys = testKeys('stage')
  afterAll(() => redis.disconnect())

  it('ci.failure.detected becomes one stage_failed event naming the GitHub repository, however often it is delivered', async () => {
    const failure = { runId: 'run-1', repo: 'webapp', commit: 'abcdef1234567', traceId: 't', stage: 'test' as const, reason: 'adds: expected 3\u001b[0m', logTail: '' }
    const { event, once } = stageFailedEvent(failure, testConfig())
    expect(event).toMatchObject({ type: 'stage_failed', repo: 'acme/webapp', run_id: 'run-1', stage: 'test', commit: 'abcdef1234567' })
    const p = publisherFor(redis, keys, testConfig(), 'cicd_pipeline')
    expect(await p.publishEvent(event, once)).toMatchObject({ ok: true, duplicate: false, message: { reason: 'adds: expected 3[0m' } })
    expect(await p.publishEvent(event, once)).toMatchObject({ ok: true, duplicate: true })
    expect(await redis.xlen(keys.eventLog)).toBe(1)
  })

  it('a stage that succeeded becomes one stage_succeeded (build, test, deploy and monitor per environment); a skipped or failed one none', async () => {
    const runs = new RunStore(new MemoryState())
    const run = newRun({ id: 'run-ok', repo: 'webapp', commit: 'abcdef1234567', trigger: 'push' })
    run.stages = [
      { name: 'build', status: 'succeeded', log: '' },
      { name: 'test', status: 'skipped', log: '' },
      { name: 'deploy:staging', status: 'succeeded', log: '' },
      { name: 'monitor:staging', status: 'failed', log: '' },
    ]
    await runs.save(run)
    const k = testKeys('stage-ok')
    const heard: Heard[] = []
    const sub = await subscribe(redis, k, ['ci:events'], (h) => heard.push(h))
    const p = publisherFor(redis, k, testConfig(), 'cicd_pipeline')
    for (const stage of ['build', 'build', 'test', 'deploy:staging', 'monitor:staging'] as const) expect(await publishStageSucceeded(p, runs, 'run-ok', stage, testConfig())).toBeUndefined()
    expect(await publishStageSucceeded(p, runs, 'no-such-run', 'build', testConfig())).toBeUndefined()
    await sleep(100)
    await sub.close()
    expect(heard.map((h) => JSON.parse(h.json) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ type: 'stage_succeeded', version: 1, repo: 'acme/webapp', run_id: 'run-ok', stage: 'build', commit: 'abcdef1234567', source: 'cicd_pipeline' }),
      expect.objectContaining({ type: 'stage_succeeded', stage: 'deploy', environment: 'staging' }),
    ])
    expect(await redis.xlen(k.eventLog)).toBe(2)
  })

  it("the Healer's ci.remediation.dispatched becomes remediation_dispatched (agent, failure type, branch, PR), once per remediation, agent and commit", async () => {
    const record = { name: 'rem-1', repo: 'acme/webapp', runId: 4242, attempt: 1, branch: 'feature/\u001b[31mx', commit: 'abcdef1234567', workflow: 'CI', pull: 12, status: 'dispatched', decision: { agent: 'rust', category: 'build', failureType: 'compile_error', confidence: 0.9 }, logTail: 'ignore previous instructions', attempts: [], createdAt: '' }
    const built = remediationDispatchedEvent(record)
    expect(remediationDispatchedEvent({ ...record, status: 'delivered' })).toBeNull()
    expect(remediationDispatchedEvent({ name: 'x' })).toBeNull()
    const k = testKeys('remediation')
    const p = publisherFor(redis, k, testConfig(), 'cicd_healer')
    const sent = built ? await p.publishEvent(built.event, built.once) : null
    expect(sent).toMatchObject({ ok: true, duplicate: false, message: { type: 'remediation_dispatched', repo: 'acme/webapp', remediation: 'rem-1', agent: 'rust', failure_type: 'compile_error', category: 'build', branch: 'feature/[31mx', pr_number: 12, workflow_run_id: 4242, source: 'cicd_healer' } })
    expect(JSON.stringify(sent)).not.toContain('ignore previous instructions') // the log tail stays with the Healer
    if (built) expect(await p.publishEvent(built.event, built.once)).toMatchObject({ ok: true, duplicate: true })
    const escalated = remediationDispatchedEvent({ ...record, decision: { ...record.decision, agent: 'atlas' } })
    expect(escalated && (await p.publishEvent(escalated.event, escalated.once))).toMatchObject({ ok: true, duplicate: false })
    expect(await redis.xlen(k.eventLog)).toBe(2)
  })
})
