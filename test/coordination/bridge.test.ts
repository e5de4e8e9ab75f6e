/**
 * The pub/sub bridge: two coordinator processes (each with its bridge listening) on a real Redis,
 * an outside agent doing a plain `PUBLISH ci:commands|ci:events …`, the fake GitHub and a fake
 * Slack webhook.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { heardKey } from '../../shared/coordination/bridge'
import { subscribe, type Heard, type Subscription } from '../../shared/coordination/channels'
import type { CoordinationKeys } from '../../shared/coordination/keys'
import { FakeGitHub } from '../helpers/fake-github'
import { waitFor } from '../helpers/server'
import { testRedisUrl } from '../helpers/services'
import { FakeSlack, publisherFor, sleep, testConfig, testKeys, testRedis } from './setup'

const github = new FakeGitHub()
const slack = new FakeSlack()
let redis: Redis
let keys: CoordinationKeys
let workers: ChildProcess[] = []
let outputs: string[] = []
let heard: Heard[] = []
let sub: Subscription
const config = testConfig('  notify: { on: [pr_failure] }')

async function startWorker(name: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bridge-worker.ts'), testRedisUrl(14), keys.namespace, github.url, slack.url, name], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env } })
  const i = outputs.push('') - 1
  child.stdout?.on('data', (b: Buffer) => (outputs[i] += b.toString()))
  workers.push(child)
  await waitFor(async () => (outputs[i]?.includes('ready') ? true : undefined), 30_000, `bridge worker ${name} ready`)
}

const audit = async () => (await publisherFor(redis, keys, config).audit.list({ limit: 100 })).entries.reverse()
const bridged = () => outputs.join('').split('\n').filter((l) => l.includes('"result":"bridged"') || l.includes('"result":"rejected"'))

describe('pub/sub bridge: 2 coordinator processes, raw redis PUBLISH (fake GitHub)', () => {
  beforeAll(async () => {
    redis = testRedis(14)
    await Promise.all([github.start(), slack.start()])
  })
  afterAll(async () => {
    redis?.disconnect()
    await Promise.all([github.stop(), slack.stop()])
  })
  beforeEach(async () => {
    keys = testKeys('bridge')
    outputs = []
    heard = []
    sub = await subscribe(redis, keys, ['ci:status'], (h) => heard.push(h))
    github.calls.length = 0
    github.labels.clear()
    github.pulls.set(12, { repo: 'acme/webapp', ref: 'feature', sha: 'a'.repeat(40), title: 'Add login' })
    slack.messages.length = 0
    await Promise.all([startWorker('i1'), startWorker('i2')])
  })
  afterEach(async () => {
    for (const w of workers) w.kill('SIGTERM')
    await Promise.all(workers.map((w) => (w.exitCode !== null ? null : new Promise((r) => w.once('exit', r)))))
    workers = []
    await sub.close()
  })

  it('a raw PUBLISH ci:commands is executed exactly once; an invalid or disallowed one is rejected once, with the reason on ci:status and in the audit log', async () => {
    const receivers = await redis.publish(keys.channel('ci:commands'), JSON.stringify({ type: 'label', repo: 'acme/webapp', pr_number: 12, labels: ['from-zsh'], source: 'zsh_agent' }))
    expect(receivers).toBe(2) // both instances listen
    await redis.publish(keys.channel('ci:commands'), JSON.stringify({ type: 'label', repo: 'acme/webapp', pr_number: 12, labels: [], source: 'zsh_agent' }))
    await redis.publish(keys.channel('ci:commands'), JSON.stringify({ type: 'merge', repo: 'acme/locked', pr_number: 3, source: 'zsh_agent' }))
    await redis.publish(keys.channel('ci:commands'), '{not json')
    await waitFor(async () => (github.labels.get('acme/webapp#12')?.includes('from-zsh') ? true : undefined), 20_000, 'the label on the fake GitHub')
    await waitFor(async () => ((await audit()).filter((e) => e.result === 'rejected').length >= 3 ? true : undefined), 10_000, 'three rejections')
    await sleep(800) // time for a second execution or rejection, were there one
    expect(github.calls.filter((c) => c === 'POST /repos/acme/webapp/issues/12/labels')).toHaveLength(1)
    const entries = await audit()
    expect(entries.filter((e) => e.command_type === 'label' && e.result !== 'rejected').map((e) => e.result)).toEqual(['queued', 'executed'])
    const rejected = entries.filter((e) => e.result === 'rejected')
    expect(rejected).toHaveLength(3)
    expect(rejected.map((e) => e.reason)).toEqual(expect.arrayContaining([expect.stringContaining('labels: at least one label'), expect.stringContaining('merge is not allowed for locked'), expect.stringContaining('not JSON')]))
    const statuses = heard.map((h) => JSON.parse(h.json) as Record<string, unknown>).filter((s) => s.type === 'message_rejected')
    expect(statuses).toHaveLength(3)
    expect(statuses.find((s) => String(s.reason).includes('labels'))).toMatchObject({ channel: 'ci:commands', field: 'labels', message_type: 'label', repo: 'acme/webapp' })
    expect(bridged()).toHaveLength(4) // each message taken by one of the two instances
  })

  it("a raw PUBLISH ci:events reaches the coordinator's rules once; our own publisher's messages are not taken again", async () => {
    const event = { type: 'pr_failure', repo: 'acme/webapp', pr_number: 12, head_sha: 'a'.repeat(40), failing_checks: ['unit'], source: 'cls_agent' }
    await redis.publish(keys.channel('ci:events'), JSON.stringify(event))
    await redis.publish(keys.channel('ci:events'), JSON.stringify(event)) // the same text again: remembered, taken once
    await waitFor(async () => (slack.messages.length ? true : undefined), 20_000, 'the notification')
    await publisherFor(redis, keys, config, 'cls_agent').publishEvent({ ...event, pr_number: 13 })
    await publisherFor(redis, keys, config).publishCommand({ type: 'notify', repo: 'acme/webapp', text: 'via the publisher', source: 'x' })
    await waitFor(async () => (slack.messages.length >= 3 ? true : undefined), 20_000, 'three notifications')
    await sleep(800)
    expect(slack.messages.sort()).toEqual(['[acme/webapp #12] PR #12 is failing: unit', '[acme/webapp #13] PR #13 is failing: unit', '[acme/webapp] via the publisher'])
    expect(await redis.xlen(keys.eventLog)).toBe(2) // the raw one once, ours once
    expect(bridged()).toHaveLength(1)
  })
})

describe('pub/sub bridge: message keys', () => {
  it('knows a message by its id, else by its exact text on its channel', () => {
    expect(heardKey('ci:events', '{"id":"abc-1"}', { id: 'abc-1' })).toBe('id:abc-1')
    const a = heardKey('ci:events', '{"type":"x"}', { type: 'x' })
    expect(a).toMatch(/^sha:/)
    expect(heardKey('ci:commands', '{"type":"x"}', { type: 'x' })).not.toBe(a)
    expect(heardKey('ci:events', '{"type":"y"}', { type: 'y' })).not.toBe(a)
    expect(heardKey('ci:events', '{"id":"bad id with spaces"}', { id: 'bad id with spaces' })).toMatch(/^sha:/)
  })
})
