/**
 * The durable command queues and the coordinator, on a real Redis, against the fake GitHub (a
 * loopback server speaking the REST endpoints used) and a fake Slack webhook.
 */
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { subscribe, type Heard } from '../../shared/coordination/channels'
import type { CoordinationKeys } from '../../shared/coordination/keys'
import type { CommandInput } from '../../shared/coordination/messages'
import { FakeGitHub } from '../helpers/fake-github'
import { testRedisUrl } from '../helpers/services'
import { coordinatorFor, FakeSlack, publisherFor, sleep, testConfig, testKeys, testRedis } from './setup'

const SHA = 'a'.repeat(40)
const github = new FakeGitHub()
const slack = new FakeSlack()
let redis: Redis
let keys: CoordinationKeys
const config = testConfig()
const fast = { leaseMs: 1000, reclaimAfterMs: 200, maxAttempts: 3 }

beforeAll(async () => {
  redis = testRedis(11)
  await Promise.all([github.start(), slack.start()])
})
afterAll(async () => {
  redis?.disconnect()
  await Promise.all([github.stop(), slack.stop()])
})
beforeEach(() => {
  keys = testKeys('coord') // a fresh namespace: queues, ledger and audit of their own
  github.calls.length = 0
  github.labels.clear()
  github.pulls.clear()
  github.checkRuns.length = 0
  github.commitStatuses.length = 0
  github.merges.length = 0
  github.reruns.length = 0
  slack.messages.length = 0
  slack.failures = 0
  github.pulls.set(12, { repo: 'acme/webapp', ref: 'feature', sha: SHA, title: 'Add login' })
})

const label = (over: Partial<CommandInput> = {}): CommandInput => ({ type: 'label', repo: 'acme/webapp', pr_number: 12, labels: ['ready'], source: 'cls_agent', ...over }) as CommandInput
const labelCalls = () => github.calls.filter((c) => c === 'POST /repos/acme/webapp/issues/12/labels').length
const audit = async () => (await publisherFor(redis, keys, config).audit.list({ limit: 100 })).entries.reverse()

describe('durable command queues (fake GitHub)', () => {
  it('a command queued while no consumer runs is executed once a consumer starts, even one an agent XADDed before any group existed', async () => {
    const published = await publisherFor(redis, keys, config).publishCommand(label({ idempotency_key: 'durable-1' }))
    expect(published.ok).toBe(true)
    // an agent in another language writes straight to the queue (seed 000's ci:label)
    await redis.xadd(keys.queue('notify'), '*', 'message', JSON.stringify({ type: 'notify', repo: 'acme/webapp', text: 'hello from a shell agent', source: 'zsh_agent' }))
    await sleep(300)
    expect(labelCalls()).toBe(0) // nobody consumed anything yet

    const late = testRedis(11) // a consumer that starts later, on its own connection
    const report = await coordinatorFor(late, keys, config, github.url, { notifyUrl: slack.url, timings: fast }).drainOnce()
    late.disconnect()
    expect(report).toMatchObject({ executed: 2, rejected: 0 })
    expect(github.labels.get('acme/webapp#12')).toEqual(['ready'])
    expect(slack.messages).toEqual(['[acme/webapp] hello from a shell agent'])
    expect(await publisherFor(redis, keys, config).queues.pending()).toEqual({ [keys.queue('rerun')]: 0, [keys.queue('label')]: 0, [keys.queue('merge')]: 0, [keys.queue('notify')]: 0 })
    expect((await audit()).map((e) => `${e.command_type}:${e.result}`)).toEqual(['label:queued', 'label:executed', 'notify:executed'])
  })

  it('the same command delivered twice (published twice, same idempotency key) is executed once', async () => {
    const p = publisherFor(redis, keys, config)
    await p.publishCommand(label({ idempotency_key: 'twice-1' }))
    await p.publishCommand(label({ idempotency_key: 'twice-1' }))
    const report = await coordinatorFor(redis, keys, config, github.url, { timings: fast }).drainOnce()
    expect(report).toMatchObject({ executed: 1, duplicates: 1 })
    expect(labelCalls()).toBe(1)
    // and once settled, a third publication is not even queued
    expect(await p.publishCommand(label({ idempotency_key: 'twice-1' }))).toMatchObject({ ok: true, duplicate: true })
    expect(await redis.xlen(keys.queue('label'))).toBe(2)
  })

  it('three consumers draining at once, 100 commands (50 keys, each delivered twice): every key executed exactly once', async () => {
    const p = publisherFor(redis, keys, config)
    for (let i = 0; i < 50; i++) for (let copy = 0; copy < 2; copy++) await p.publishCommand(label({ labels: [`l-${i}`], idempotency_key: `burst-${i}` }))
    const conns = [testRedis(11), testRedis(11), testRedis(11)]
    const started = Date.now()
    const reports = await Promise.all(conns.map((r, i) => coordinatorFor(r, keys, config, github.url, { consumer: `c${i}`, timings: fast }).drainOnce({ batch: 5 })))
    const ms = Date.now() - started
    for (const r of conns) r.disconnect()
    expect(reports.reduce((n, r) => n + r.executed, 0)).toBe(50)
    expect(reports.reduce((n, r) => n + r.duplicates + r.busy, 0)).toBe(50)
    expect(reports.filter((r) => r.executed > 0).length).toBeGreaterThan(1) // the work was shared
    expect(labelCalls()).toBe(50)
    expect(github.labels.get('acme/webapp#12')).toHaveLength(50)
    console.log(`[figure] 100 deliveries, 50 keys, 3 consumers: ${ms} ms (${Math.round((100 / ms) * 1000)} deliveries/s), executed ${reports.map((r) => r.executed).join('+')}`)
  })

  it('a consumer that executed a command but died before acknowledging it: the redelivery to another is not executed again', async () => {
    await publisherFor(redis, keys, config).publishCommand(label({ idempotency_key: 'noack-1' }))
    const a = coordinatorFor(redis, keys, config, github.url, { consumer: 'a', timings: fast })
    a.publisher.queues.ack = async () => undefined // the process dies right after the GitHub call
    expect(await a.drainOnce()).toMatchObject({ executed: 1 })
    expect((await a.publisher.queues.pending())[keys.queue('label')]).toBe(1)
    await sleep(250)
    const b = await coordinatorFor(redis, keys, config, github.url, { consumer: 'b', timings: fast }).drainOnce()
    expect(b).toMatchObject({ reclaimed: 1, executed: 0, duplicates: 1 })
    expect(labelCalls()).toBe(1)
    expect((await a.publisher.queues.pending())[keys.queue('label')]).toBe(0)
  })

  it('a consumer that read a command and stopped (no ACK): another reclaims it after reclaim_after and executes it', async () => {
    await publisherFor(redis, keys, config).publishCommand(label({ idempotency_key: 'stalled-1' }))
    const taken = await publisherFor(redis, keys, config).queues.readNew('dead-consumer', 10)
    expect(taken).toHaveLength(1)
    const early = await coordinatorFor(redis, keys, config, github.url, { consumer: 'b', timings: fast }).drainOnce()
    expect(early).toMatchObject({ reclaimed: 0, executed: 0 }) // not idle long enough: its owner may be alive
    await sleep(250)
    const later = await coordinatorFor(redis, keys, config, github.url, { consumer: 'b', timings: fast }).drainOnce()
    expect(later).toMatchObject({ reclaimed: 1, executed: 1 })
    expect(labelCalls()).toBe(1)
  })

  it('a coordinator process killed (SIGKILL) in the middle of a command: another takes it over once its lease ran out, and executes it once', async () => {
    const hanging: Server = createServer(() => undefined) // accepts, never answers: the GitHub call is in flight
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r))
    const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`
    await publisherFor(redis, keys, config).publishCommand(label({ idempotency_key: 'killed-1' }))
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'consumer-worker.ts'), testRedisUrl(11), keys.namespace, hangingUrl, '3000'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env } })
    const exited = new Promise((r) => child.once('exit', r))
    let owner: string | null = null
    for (let i = 0; i < 100 && !owner; i++) {
      await sleep(100)
      owner = (await redis.hget(keys.command('killed-1'), 'state')) === 'running' ? await redis.hget(keys.command('killed-1'), 'owner') : null
    }
    expect(owner).toMatch(/^doomed#/)
    child.kill('SIGKILL')
    await exited
    hanging.closeAllConnections()
    hanging.close()

    const b = coordinatorFor(redis, keys, config, github.url, { consumer: 'survivor', timings: { leaseMs: 1000, reclaimAfterMs: 200, maxAttempts: 3 } })
    const reports = []
    const started = Date.now()
    for (let i = 0; i < 40 && labelCalls() === 0; i++) {
      await sleep(250)
      reports.push(await b.drainOnce())
    }
    expect(labelCalls()).toBe(1)
    expect(reports.some((r) => r.busy > 0)).toBe(true) // left alone while the dead owner's lease lasted
    expect(Date.now() - started).toBeGreaterThan(1500) // the lease was 3 s from the claim
    expect(await redis.hget(keys.command('killed-1'), 'attempts')).toBe('2')
    await sleep(300)
    expect((await b.drainOnce()).executed).toBe(0)
    expect(labelCalls()).toBe(1)
  })

  it('a transient failure (webhook 500) is retried on a later delivery; a permanent one is not', async () => {
    slack.failures = 1
    const p = publisherFor(redis, keys, config)
    await p.publishCommand({ type: 'notify', repo: 'acme/webapp', text: 'deploy done', source: 'ci', idempotency_key: 'flaky-hook' })
    const c = coordinatorFor(redis, keys, config, github.url, { notifyUrl: slack.url, timings: fast })
    expect(await c.drainOnce()).toMatchObject({ retrying: 1, executed: 0 })
    await sleep(250)
    expect(await c.drainOnce()).toMatchObject({ reclaimed: 1, executed: 1 })
    expect(slack.messages).toEqual(['[acme/webapp] deploy done'])

    slack.failures = 10
    await p.publishCommand({ type: 'notify', repo: 'acme/webapp', text: 'never', source: 'ci', idempotency_key: 'dead-hook' })
    const capped = coordinatorFor(redis, keys, config, github.url, { notifyUrl: slack.url, timings: { ...fast, maxAttempts: 2 } })
    expect(await capped.drainOnce()).toMatchObject({ retrying: 1 })
    await sleep(250)
    expect(await capped.drainOnce()).toMatchObject({ failed: 1 })
    const last = (await audit()).filter((e) => e.idempotency_key === 'dead-hook').map((e) => e.result)
    expect(last).toEqual(['queued', 'retrying', 'failed'])
    const text = JSON.stringify(await audit())
    expect(text).not.toContain('XXXXSECRETXXXX') // the webhook URL is a secret
  })

  it('invalid entries written straight to a queue are rejected to ci:status and the audit log, acknowledged, never executed', async () => {
    const heard: Heard[] = []
    const sub = await subscribe(redis, keys, ['ci:status'], (h) => heard.push(h))
    await redis.xadd(keys.queue('label'), '*', 'message', '{not json')
    await redis.xadd(keys.queue('label'), '*', 'type', 'label', 'pr_number', '12')
    await redis.xadd(keys.queue('label'), '*', 'message', JSON.stringify({ type: 'merge', repo: 'acme/webapp', pr_number: 12, source: 'x' }))
    await redis.xadd(keys.queue('rerun'), '*', 'message', JSON.stringify({ type: 'rerun', repo: 'acme/locked', run_id: 1, source: 'x' }))
    const report = await coordinatorFor(redis, keys, config, github.url, { timings: fast }).drainOnce()
    await sleep(100)
    await sub.close()
    expect(report).toMatchObject({ rejected: 4, executed: 0 })
    expect(github.calls).toEqual([])
    const reasons = heard.map((h) => (JSON.parse(h.json) as { type: string; reason: string }).reason)
    expect(reasons).toHaveLength(4)
    expect(reasons).toEqual(expect.arrayContaining([
      expect.stringContaining('not JSON'),
      expect.stringContaining('no "message" field'),
      expect.stringContaining(`a merge command does not belong on ${keys.queue('label')}`),
      expect.stringContaining("rerun is not on locked's allow-list"),
    ]))
    expect((await audit()).filter((e) => e.result === 'rejected')).toHaveLength(4)
    expect(Object.values(await publisherFor(redis, keys, config).queues.pending()).reduce((a, b) => a + b, 0)).toBe(0)
  })
})

describe('command handlers (fake GitHub)', () => {
  const green = () => {
    github.checkRuns.push({ id: 1, repo: 'acme/webapp', sha: SHA, name: 'build', status: 'completed', conclusion: 'success', runId: 500 })
    github.checkRuns.push({ id: 2, repo: 'acme/webapp', sha: SHA, name: 'unit', status: 'completed', conclusion: 'success', runId: 500 })
  }
  const run = async (cmd: CommandInput, cfg = config) => {
    const p = publisherFor(redis, keys, cfg)
    const r = await p.publishCommand(cmd)
    const report = await coordinatorFor(redis, keys, cfg, github.url, { notifyUrl: slack.url, timings: fast }).drainOnce()
    const entry = (await p.audit.list({ limit: 1 })).entries[0]
    return { r, report, entry }
  }

  it('merges when every required check passed, at the head commit', async () => {
    green()
    github.checkRuns.push({ id: 3, repo: 'acme/webapp', sha: SHA, name: 'lint (optional)', status: 'completed', conclusion: 'failure', runId: 500 })
    const { entry } = await run({ type: 'merge', repo: 'acme/webapp', pr_number: 12, source: 'cls_agent', requested_by: 'bob' })
    expect(entry).toMatchObject({ command_type: 'merge', result: 'executed', requested_by: 'bob', repo: 'acme/webapp', pr_number: 12 })
    expect(github.merges).toEqual([{ repo: 'acme/webapp', pull: 12, sha: SHA, method: 'merge' }])
  })

  it.each([
    ['a required check failed', () => github.checkRuns.push({ id: 1, repo: 'acme/webapp', sha: SHA, name: 'build', status: 'completed', conclusion: 'failure', runId: 5 }, { id: 2, repo: 'acme/webapp', sha: SHA, name: 'unit', status: 'completed', conclusion: 'success', runId: 5 }), 'build (failure)'],
    ['a required check still runs', () => github.checkRuns.push({ id: 1, repo: 'acme/webapp', sha: SHA, name: 'build', status: 'in_progress', conclusion: null, runId: 5 }, { id: 2, repo: 'acme/webapp', sha: SHA, name: 'unit', status: 'completed', conclusion: 'success', runId: 5 }), 'build (in_progress)'],
    ['a required check never reported', () => github.checkRuns.push({ id: 2, repo: 'acme/webapp', sha: SHA, name: 'unit', status: 'completed', conclusion: 'success', runId: 5 }), 'build (not reported)'],
    ['the last rerun of a check failed after an earlier success', () => github.checkRuns.push({ id: 1, repo: 'acme/webapp', sha: SHA, name: 'build', status: 'completed', conclusion: 'success', runId: 5 }, { id: 2, repo: 'acme/webapp', sha: SHA, name: 'unit', status: 'completed', conclusion: 'success', runId: 5 }, { id: 9, repo: 'acme/webapp', sha: SHA, name: 'build', status: 'completed', conclusion: 'failure', runId: 5 }), 'build (failure)'],
  ])('refuses to merge when %s', async (_what, setup, words) => {
    setup()
    const { entry } = await run({ type: 'merge', repo: 'acme/webapp', pr_number: 12, source: 'cls_agent' })
    expect(entry).toMatchObject({ result: 'refused' })
    expect(entry?.reason).toContain(words)
    expect(github.merges).toEqual([])
    expect(github.calls).not.toContain('PUT /repos/acme/webapp/pulls/12/merge')
  })

  it('counts a required check reported as a legacy commit status: merged only once that status passed', async () => {
    github.checkRuns.push({ id: 1, repo: 'acme/webapp', sha: SHA, name: 'build', status: 'completed', conclusion: 'success', runId: 500 })
    github.commitStatuses.push({ id: 10, repo: 'acme/webapp', sha: SHA, context: 'unit', state: 'failure' })
    const refused = await run({ type: 'merge', repo: 'acme/webapp', pr_number: 12, source: 'x' })
    expect(refused.entry).toMatchObject({ result: 'refused', reason: expect.stringContaining('unit (failure)') })
    github.commitStatuses.push({ id: 11, repo: 'acme/webapp', sha: SHA, context: 'unit', state: 'success' })
    // a status no one requires, failing, does not block (required_checks names build and unit)
    github.commitStatuses.push({ id: 12, repo: 'acme/webapp', sha: SHA, context: 'coverage', state: 'error' })
    expect((await run({ type: 'merge', repo: 'acme/webapp', pr_number: 12, source: 'x' })).entry).toMatchObject({ result: 'executed' })
    expect(github.merges).toEqual([{ repo: 'acme/webapp', pull: 12, sha: SHA, method: 'merge' }])
  })

  it('without required_checks every reported check counts, commit statuses too', async () => {
    const cfg = testConfig()
    const webapp = cfg.repositories.find((r) => r.name === 'webapp')
    if (webapp) webapp.coordination.required_checks = []
    github.checkRuns.push({ id: 1, repo: 'acme/webapp', sha: SHA, name: 'build', status: 'completed', conclusion: 'success', runId: 500 })
    github.commitStatuses.push({ id: 10, repo: 'acme/webapp', sha: SHA, context: 'ci/legacy', state: 'pending' })
    expect((await run({ type: 'merge', repo: 'acme/webapp', pr_number: 12, source: 'x' }, cfg)).entry).toMatchObject({ result: 'refused', reason: expect.stringContaining('ci/legacy (pending)') })
    expect(github.merges).toEqual([])
  })

  it('refuses a merge for a head that moved, and never merges for a repository whose config disallows it (even written straight to ci:merge)', async () => {
    green()
    expect((await run({ type: 'merge', repo: 'acme/webapp', pr_number: 12, sha: 'b'.repeat(40), source: 'x' })).entry?.reason).toContain('moved')
    github.pulls.set(3, { repo: 'acme/locked', ref: 'f', sha: SHA })
    await redis.xadd(keys.queue('merge'), '*', 'message', JSON.stringify({ type: 'merge', repo: 'acme/locked', pr_number: 3, source: 'rogue' }))
    expect(await coordinatorFor(redis, keys, config, github.url, { timings: fast }).drainOnce()).toMatchObject({ rejected: 1, executed: 0 })
    expect(github.merges).toEqual([])
  })

  it('checks the allow-list again when executing: a command queued before the config changed is not executed', async () => {
    green()
    const before = await publisherFor(redis, keys, config).publishCommand({ type: 'merge', repo: 'acme/webapp', pr_number: 12, source: 'x' })
    expect(before.ok).toBe(true)
    const now = testConfig()
    const webapp = now.repositories.find((r) => r.name === 'webapp')
    if (webapp) webapp.coordination.merge = false
    expect(await coordinatorFor(redis, keys, now, github.url, { timings: fast }).drainOnce()).toMatchObject({ rejected: 1, executed: 0 })
    expect(github.merges).toEqual([])
  })

  it('reruns the failed jobs of a workflow run, by run id or by the failed run of a PR head', async () => {
    github.workflowRuns.push({ id: 4242, name: 'CI', sha: SHA, branch: 'feature', attempt: 1 })
    expect((await run({ type: 'rerun', repo: 'webapp', run_id: 777, source: 'x' })).entry).toMatchObject({ result: 'executed', reason: 're-ran the failed jobs of workflow run 777' })
    expect((await run({ type: 'rerun', repo: 'webapp', pr_number: 12, source: 'x' })).entry).toMatchObject({ result: 'executed', reason: 're-ran the failed jobs of workflow run 4242' })
    expect(github.reruns).toEqual([777, 4242])
    github.workflowRuns.length = 0
  })

  it('adds and removes labels (removing one that is absent is fine)', async () => {
    await run(label({ labels: ['ready', 'qa'] }))
    await run(label({ action: 'remove', labels: ['qa', 'never-there'] }))
    expect(github.labels.get('acme/webapp#12')).toEqual(['ready'])
  })

  it('notifies through the Slack-compatible webhook with untrusted text escaped; without a webhook the command is refused', async () => {
    await run({ type: 'notify', repo: 'acme/webapp', pr_number: 12, text: 'hi <!channel> & <https://evil|docs>', source: 'x' })
    expect(slack.messages).toEqual(['[acme/webapp #12] hi &lt;!channel&gt; &amp; &lt;https://evil|docs&gt;'])
    const p = publisherFor(redis, keys, config)
    await p.publishCommand({ type: 'notify', repo: 'acme/webapp', text: 'x', source: 'x' })
    await coordinatorFor(redis, keys, config, github.url, { timings: fast }).drainOnce()
    expect((await p.audit.list({ limit: 1 })).entries[0]).toMatchObject({ result: 'refused', reason: expect.stringContaining('no notify webhook') })
  })

  it('turns ci:events into notifications when the config asks (once per event, however often it is seen)', async () => {
    const cfg = testConfig('  notify: { on: [pr_failure, stage_failed] }')
    const p = publisherFor(redis, keys, cfg, 'ci_watcher')
    const event = { type: 'pr_failure', repo: 'acme/webapp', pr_number: 12, pr_title: 'Add <!here> login', head_sha: SHA, failing_checks: ['unit'], source: 'ci_watcher' }
    await p.publishEvent(event)
    await p.publishEvent(event)
    await p.publishEvent({ ...event, type: 'pr_success', failing_checks: [] }) // not in notify.on: quiet
    await p.publishEvent({ ...event, repo: 'acme/locked' }) // another repository that allows notify
    const c = coordinatorFor(redis, keys, cfg, github.url, { notifyUrl: slack.url, timings: fast })
    const first = await c.drainOnce()
    expect(first.events).toBe(4)
    await c.drainOnce() // the notify commands the rules queued
    expect(slack.messages.sort()).toEqual(['[acme/locked #12] PR #12 "Add &lt;!here&gt; login" is failing: unit', '[acme/webapp #12] PR #12 "Add &lt;!here&gt; login" is failing: unit'])
  })
})
