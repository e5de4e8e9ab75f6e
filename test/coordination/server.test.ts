/**
 * The coordination steps inside the real server (scripts/start.mjs, Motia): the publish and audit
 * APIs with the API token, the coordinator woken by a queued command, and the watcher's cron
 * polling the fake GitHub.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { subscribe, type Heard, type Subscription } from '../../shared/coordination/channels'
import { CoordinationKeys } from '../../shared/coordination/keys'
import { FakeGitHub } from '../helpers/fake-github'
import { TempRepo } from '../helpers/git-repo'
import { startServer, waitFor, type RunningServer } from '../helpers/server'
import { testRedisUrl } from '../helpers/services'
import { FakeSlack, testConfigText, testKeys, testRedis } from './setup'

const TOKEN = 'coordination-e2e-token'
type Json = Record<string, unknown>
interface CommandsPage {
  commands: Array<Record<string, unknown>>
  queues: Record<string, unknown>
  agents: Array<{ name: string }>
}

const github = new FakeGitHub()
const slack = new FakeSlack()
const redis = testRedis(13)
const keys: CoordinationKeys = testKeys('server')
const heard: Heard[] = []
let sub: Subscription
let server: RunningServer
let tmp: string
const smokeRepo = new TempRepo('cicd-coord-smoke-')
const smokeSha = smokeRepo.commit({ 'smoke.sh': 'echo "smoke ok at $CICD_COMMIT"\n' }, 'smoke [run-smoke]')

beforeAll(async () => {
  await Promise.all([github.start(), slack.start()])
  github.pulls.set(12, { repo: 'acme/webapp', ref: 'feature', sha: 'd'.repeat(40), title: 'Add login' })
  github.commits.set('d'.repeat(40), 'Add login')
  github.checkRuns.push({ id: 1, repo: 'acme/webapp', sha: 'd'.repeat(40), name: 'unit', status: 'completed', conclusion: 'failure', runId: 90 })
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-coord-e2e-'))
  const config = path.join(tmp, 'cicd.yml')
  const smoky = `  - name: smoky\n    path: ${JSON.stringify(smokeRepo.dir)}\n    github: acme/smoky\n    coordination: { watch: false }\n    smoke: { commands: ["sh smoke.sh"], timeout: 30s }\n`
  const text = testConfigText('  watcher: { enabled: true, interval: 2s }\n  notify: { on: [pr_failure] }').replace('repositories:\n', `defaults: { executor: local, workspace_root: ${JSON.stringify(path.join(tmp, 'ws'))}, llm: { enabled: 'off' } }\nrepositories:\n${smoky}`)
  writeFileSync(config, text)
  sub = await subscribe(redis, keys, ['ci:events', 'ci:status'], (h) => heard.push(h))
  server = await startServer({
    REDIS_URL: testRedisUrl(13),
    CICD_COORDINATION_NAMESPACE: keys.namespace,
    CICD_CONFIG: config,
    CICD_STATE_DIR: path.join(tmp, 'state'),
    CICD_API_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
    CICD_NOTIFY_WEBHOOK_URL: slack.url,
  })
})

afterAll(async () => {
  await server?.stop()
  await sub?.close()
  redis.disconnect()
  await Promise.all([github.stop(), slack.stop()])
  if (tmp) rmSync(tmp, { recursive: true, force: true })
  smokeRepo.remove()
})

async function call(method: string, p: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${server.url}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, body: (await res.json()) as Json }
}

describe('coordination in the server (fake GitHub, real Redis, Motia)', () => {
  it('guards the APIs with the token and answers bad input with 4xx JSON naming the field', async () => {
    expect((await call('GET', '/api/cicd/commands', undefined, null)).status).toBe(401)
    expect((await call('POST', '/api/cicd/publish', { channel: 'ci:commands', message: {} }, 'wrong')).status).toBe(401)
    expect(await call('GET', '/api/cicd/commands?limit=0')).toMatchObject({ status: 400, body: { field: 'limit' } })
    expect(await call('POST', '/api/cicd/publish', { channel: 'ci:nope', message: {} })).toMatchObject({ status: 400, body: { field: 'channel' } })
    expect(await call('POST', '/api/cicd/publish', { channel: 'ci:commands', message: { type: 'label', repo: 'acme/webapp', pr_number: 12, labels: [] } })).toMatchObject({ status: 400, body: { field: 'message.labels', message: 'labels: at least one label' } })
    expect(await call('POST', '/api/cicd/publish', { channel: 'ci:commands', message: { type: 'merge', repo: 'acme/locked', pr_number: 1 } })).toMatchObject({ status: 403, body: { error: 'not_allowed', field: 'message.type' } })
  })

  it('executes a published command through the coordinator and lists it in GET /api/cicd/commands', async () => {
    const queued = await call('POST', '/api/cicd/publish', { channel: 'ci:commands', message: { type: 'label', repo: 'acme/webapp', pr_number: 12, labels: ['triaged'], requested_by: 'carol' } })
    expect(queued).toMatchObject({ status: 202, body: { queued: true, queue: `${keys.namespace}ci:label` } })
    await waitFor(async () => (github.labels.get('acme/webapp#12')?.includes('triaged') ? true : undefined), 30_000, 'the label on the fake GitHub')
    const list = await waitFor(
      async () => {
        const r = await call('GET', '/api/cicd/commands?type=label&limit=10')
        const page = r.body as unknown as CommandsPage
        return page.commands.some((c) => c.result === 'executed') ? page : undefined
      },
      10_000,
      'the executed label in the audit log',
    )
    expect(list.commands[0]).toMatchObject({ command_type: 'label', repo: 'acme/webapp', pr_number: 12, source: 'api', requested_by: 'carol', result: 'executed' })
    expect(list.commands.map((c) => c.result)).toEqual(['executed', 'queued', 'rejected']) // the empty-labels one of the test above
    expect(list.queues[`${keys.namespace}ci:label`]).toEqual({ waiting: 0, pending: 0 })
  })

  it('runs the watcher on its cron: a failing PR on the fake GitHub becomes one pr_failure on ci:events, and a notification', async () => {
    await waitFor(async () => (heard.some((h) => h.channel === 'ci:events' && h.json.includes('"pr_failure"')) ? true : undefined), 45_000, 'pr_failure from the watcher cron')
    expect(JSON.parse(heard.find((h) => h.channel === 'ci:events')?.json ?? '{}')).toMatchObject({ type: 'pr_failure', repo: 'acme/webapp', pr_number: 12, failing_checks: ['unit'], source: 'ci_watcher', version: 1 })
    await waitFor(async () => (slack.messages.length ? true : undefined), 30_000, 'the notification')
    expect(slack.messages).toEqual(['[acme/webapp #12] PR #12 "Add login" is failing: unit'])
    // the coordinator's heartbeat follows its drain (which sent the notification): wait for it
    const names = await waitFor(
      async () => {
        const { agents } = (await call('GET', '/api/cicd/commands')).body as unknown as CommandsPage
        const n = agents.map((a) => String(a.name).split('@')[0])
        return n.includes('ci_coordinator') && n.includes('ci_watcher') ? n : undefined
      },
      30_000,
      'heartbeats of the watcher and the coordinator',
    )
    expect(names).toEqual(expect.arrayContaining(['ci_coordinator', 'ci_watcher']))
    expect(server.logs()).not.toContain(TOKEN)
    expect(server.logs()).not.toContain('XXXXSECRETXXXX')
  })

  it('a raw PUBLISH of smoke_requested (the bridge) starts a smoke run, visible in GET /api/cicd/runs with its stage, log and result, and smoke_passed follows', async () => {
    await redis.publish(keys.channel('ci:events'), JSON.stringify({ type: 'smoke_requested', repo: 'acme/smoky', pr_number: 5, head_sha: smokeSha, trigger: 'commit_message', source: 'zsh_agent' }))
    const passed = await waitFor(async () => heard.map((h) => JSON.parse(h.json) as Json).find((m) => m.type === 'smoke_passed'), 60_000, 'smoke_passed on ci:events')
    expect(passed).toMatchObject({ repo: 'acme/smoky', pr_number: 5, head_sha: smokeSha, source: 'cicd_pipeline' })
    const runs = (await call('GET', '/api/cicd/runs?repo=smoky')).body as unknown as { runs: Array<Record<string, unknown> & { stages: Array<Record<string, unknown>> }> }
    const mine = runs.runs.filter((r) => r.commit === smokeSha) // Motia's state in this Redis may hold earlier suites' runs
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ id: passed.run_id, repo: 'smoky', commit: smokeSha, trigger: 'smoke', status: 'succeeded', stages: [{ name: 'smoke', status: 'succeeded' }] })
    const one = (await call('GET', `/api/cicd/runs/${String(passed.run_id)}`)).body as unknown as { run?: { stages: Array<{ log: string }> }; stages?: Array<{ log: string }> }
    expect(JSON.stringify(one)).toContain(`smoke ok at ${smokeSha}`)
    const statuses = heard.map((h) => JSON.parse(h.json) as Json).filter((m) => m.type === 'smoke_result').map((m) => m.result)
    expect(statuses).toEqual(['started', 'passed'])
    const audit = (await call('GET', '/api/cicd/commands?type=smoke')).body as unknown as CommandsPage
    expect(audit.commands.map((c) => c.result)).toEqual(['executed', 'queued'])
  })
})
