/**
 * Smoke gating acted on: smoke_requested on ci:events → the smoke gate (the `smoke` consumer group
 * of the event log, real Redis) → a run with trigger `smoke` in the run store → the smoke
 * commands on the local executor in a checkout of a real git repository → smoke_passed /
 * smoke_failed on ci:events. Without Motia: the step's emit is a function here (server.test.ts
 * runs the same through the server).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { subscribe, type Heard, type Subscription } from '../../shared/coordination/channels'
import type { CoordinationKeys } from '../../shared/coordination/keys'
import { publishSmokeOutcome, SmokeGate } from '../../shared/coordination/smoke-gate'
import { parseConfig } from '../../shared/config/load'
import { createPipelineEnv } from '../../shared/pipeline/env'
import { runSmokeStage, startSmokeRun, type SmokeRun } from '../../shared/pipeline/smoke-stage'
import { MemoryState, RunStore } from '../../shared/runs/store'
import { TempRepo } from '../helpers/git-repo'
import { publisherFor, sleep, testKeys, testRedis } from './setup'

const repo = new TempRepo('cicd-smoke-')
const work = mkdtempSync(path.join(os.tmpdir(), 'cicd-smoke-ws-'))
const good = repo.commit({ 'smoke.sh': 'echo "smoke says hello from $CICD_REPO"\n' }, 'good')
const bad = repo.commit({ 'smoke.sh': 'echo "about to fail"; exit 3\n' }, 'bad')
const config = parseConfig(
  `defaults: { executor: local, workspace_root: ${JSON.stringify(work)}, llm: { enabled: 'off' } }
repositories:
  - name: smoky
    path: ${JSON.stringify(repo.dir)}
    github: acme/smoky
    smoke: { commands: ["sh smoke.sh"], timeout: 30s }
  - name: webapp
    path: /tmp
    github: acme/webapp
`,
  '/tmp/cicd.yml',
)

let redis: Redis
let keys: CoordinationKeys
let heard: Heard[]
let sub: Subscription
let runs: RunStore
let emitted: SmokeRun[]

const request = (over: Record<string, unknown> = {}) => ({ type: 'smoke_requested', repo: 'acme/smoky', pr_number: 7, head_sha: good, trigger: 'label', source: 'ci_watcher', ...over })
const gate = (r: Redis = redis, consumer = 'g1') => new SmokeGate(publisherFor(r, keys, config, 'ci_smoke'), (s) => startSmokeRun(runs, async (_topic, data) => void emitted.push(data), s).then(() => undefined), consumer)
const on = (channel: string, type: string) => heard.filter((h) => h.channel === channel).map((h) => JSON.parse(h.json) as Record<string, unknown>).filter((m) => m.type === type)

beforeAll(() => {
  redis = testRedis(15)
})
afterAll(() => {
  redis?.disconnect()
  repo.remove()
  rmSync(work, { recursive: true, force: true })
})
beforeEach(async () => {
  await sub?.close()
  keys = testKeys('smoke')
  heard = []
  emitted = []
  runs = new RunStore(new MemoryState())
  sub = await subscribe(redis, keys, ['ci:events', 'ci:status'], (h) => heard.push(h))
})

describe('smoke gating (real Redis, real git, local executor)', () => {
  it('runs the smoke commands at the requested commit, once per commit across two gates, and publishes smoke_passed / smoke_failed', async () => {
    const p = publisherFor(redis, keys, config, 'ci_watcher')
    await p.publishEvent(request())
    await p.publishEvent(request({ pr_number: 8 })) // the same commit from another PR: already started
    await p.publishEvent(request({ pr_number: 9, head_sha: bad, trigger: 'commit_message' }))
    await p.publishEvent({ type: 'pr_success', repo: 'acme/smoky', pr_number: 7, source: 'ci_watcher' }) // not a smoke request
    const other = testRedis(15)
    const reports = await Promise.all([gate(redis, 'g1').drainOnce(1), gate(other, 'g2').drainOnce(1)])
    const rest = await gate(redis, 'g1').drainOnce()
    other.disconnect()
    expect([...reports, rest].reduce((n, r) => n + r.seen, 0)).toBe(3)
    expect([...reports, rest].reduce((n, r) => n + r.started, 0)).toBe(2)
    expect(emitted.map((e) => e.commit).sort()).toEqual([good, bad].sort())

    const env = await createPipelineEnv({ config, runs })
    for (const data of emitted) {
      const { run } = await runSmokeStage(env, data)
      await publishSmokeOutcome(publisherFor(redis, keys, config, 'cicd_pipeline'), run, data)
      await publishSmokeOutcome(publisherFor(redis, keys, config, 'cicd_pipeline'), run, data) // redelivered: published once
    }
    const all = (await runs.list({ limit: 10, offset: 0 })).runs
    expect(all).toHaveLength(2)
    const passed = all.find((r) => r.commit === good)
    const failed = all.find((r) => r.commit === bad)
    expect(passed).toMatchObject({ repo: 'smoky', trigger: 'smoke', status: 'succeeded', stages: [{ name: 'smoke', status: 'succeeded', executor: 'local' }] })
    expect(passed?.stages[0]?.log).toContain('smoke says hello from smoky')
    expect(failed).toMatchObject({ trigger: 'smoke', status: 'failed', stages: [{ name: 'smoke', status: 'failed', reason: '`sh smoke.sh` exit code 3' }] })
    expect(failed?.stages[0]?.log).toContain('about to fail')

    await sleep(100)
    expect(on('ci:events', 'smoke_passed')).toEqual([expect.objectContaining({ version: 1, repo: 'acme/smoky', pr_number: 7, head_sha: good, run_id: passed?.id, source: 'cicd_pipeline' })])
    expect(on('ci:events', 'smoke_failed')).toEqual([expect.objectContaining({ repo: 'acme/smoky', pr_number: 9, head_sha: bad, run_id: failed?.id, reason: '`sh smoke.sh` exit code 3' })])
    expect(on('ci:status', 'smoke_result').map((s) => s.result).sort()).toEqual(['duplicate', 'failed', 'passed', 'started', 'started'])
    const audit = (await p.audit.list({ limit: 20, type: 'smoke' })).entries.map((e) => `${e.pr_number}:${e.result}`)
    expect(audit.sort()).toEqual(['7:executed', '7:queued', '8:duplicate', '9:failed', '9:queued'])
  })

  it('a repository without smoke: in cicd.yml gets the reason on ci:status and in the audit log, and no run', async () => {
    await publisherFor(redis, keys, config, 'cls_agent').publishEvent(request({ repo: 'acme/webapp', source: 'cls_agent' }))
    await publisherFor(redis, keys, config, 'cls_agent').publishEvent(request({ repo: 'acme/unknown', source: 'cls_agent' }))
    expect(await gate().drainOnce()).toMatchObject({ seen: 2, started: 0, answered: 2 })
    expect(emitted).toEqual([])
    expect((await runs.list({ limit: 10, offset: 0 })).total).toBe(0)
    await sleep(100)
    const answers = on('ci:status', 'smoke_result')
    expect(answers).toEqual([
      expect.objectContaining({ repo: 'acme/webapp', pr_number: 7, head_sha: good, result: 'not_configured', reason: expect.stringContaining('webapp has no smoke pipeline') }),
      expect.objectContaining({ repo: 'acme/unknown', result: 'refused', reason: expect.stringContaining('is not a repository in cicd.yml') }),
    ])
    const audit = (await publisherFor(redis, keys, config).audit.list({ limit: 5, type: 'smoke' })).entries
    expect(audit.map((e) => [e.repo, e.result, e.source])).toEqual([
      ['acme/unknown', 'refused', 'cls_agent'],
      ['acme/webapp', 'refused', 'cls_agent'],
    ])
  })

  it('a request whose run could not be started stays pending and is started on a later pass', async () => {
    await publisherFor(redis, keys, config, 'ci_watcher').publishEvent(request())
    const failing = new SmokeGate(publisherFor(redis, keys, config, 'ci_smoke'), async () => { throw new Error('state store down') }, 'g1')
    expect(await failing.drainOnce()).toMatchObject({ seen: 1, failed: 1, started: 0 })
    const cfg = { ...config, coordination: { ...config.coordination, coordinator: { ...config.coordination.coordinator, reclaim_after: 100 } } }
    await sleep(150)
    const later = new SmokeGate(publisherFor(redis, keys, cfg, 'ci_smoke'), (s) => startSmokeRun(runs, async (_t, d) => void emitted.push(d), s).then(() => undefined), 'g2')
    expect(await later.drainOnce()).toMatchObject({ seen: 1, started: 1 })
    expect(emitted).toHaveLength(1)
  })
})

describe('smoke: in cicd.yml', () => {
  it('is validated with errors naming the path, and is in config/cicd.schema.json', async () => {
    const bad = 'repositories:\n  - name: a\n    path: /tmp\n    smoke: { commands: [], timout: 3 }\n'
    expect(() => parseConfig(bad, '/tmp/x.yml')).toThrow(/repositories\[0\]\.smoke\.commands: at least one smoke command[\s\S]*repositories\[0\]\.smoke\.timout: is not a known setting/)
    expect(config.repositories[0]?.smoke).toEqual({ commands: ['sh smoke.sh'], timeout: 30_000 })
    const { readFileSync } = await import('node:fs')
    const schema = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../config/cicd.schema.json'), 'utf8')) as { properties: { repositories: { items: { properties: Record<string, { properties?: Record<string, unknown> }> } } } }
    expect(Object.keys(schema.properties.repositories.items.properties.smoke?.properties ?? {})).toEqual(['commands', 'timeout'])
  })
})
