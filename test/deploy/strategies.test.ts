import type Docker from 'dockerode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deployRelease } from '../../shared/deploy/deploy'
import { listManaged } from '../../shared/deploy/containers'
import { rollbackEnvironment } from '../../shared/deploy/rollback'
import { watchRelease } from '../../shared/deploy/monitor/watch'
import { spawn } from 'node:child_process'
import { requireDocker, testRedisUrl } from '../helpers/services'
import { answer, buildWebapp, startLoad } from '../helpers/webapp'
import { deployHarness } from '../helpers/deploy-env'

/** Real Docker engine, real haproxy, real HTTP through the stable entrypoint. */
let docker: Docker
let h: Awaited<ReturnType<typeof deployHarness>>
const spec = (image: string, strategy: 'immediate' | 'blue-green' | 'canary' | 'rolling', runId: string) => ({ image, commit: 'a'.repeat(40), runId, strategy })
// latency limit loose: the suite runs on 2 busy cores; the failing versions here fail on success rate
const fast = { interval: '300ms', healthy_checks: 3, failed_checks: 2, max_p99_ms: 3000 }

beforeAll(async () => {
  docker = await requireDocker()
  h = await deployHarness(docker, 7)
  await Promise.all([
    buildWebapp(docker, 'webapp-test:v1', 'v1'),
    buildWebapp(docker, 'webapp-test:v2', 'v2'),
    buildWebapp(docker, 'webapp-test:v3', 'v3', 'error'),
  ])
}, 180_000)
afterAll(async () => {
  await h?.close()
})

describe('deploy strategies on a real Docker engine behind haproxy', () => {
  it('blue-green v1 → v2 under steady load: no failed request, v2 serves, blue removed once validated', async () => {
    const t = await h.target('bg', 'production', { strategy: 'blue-green', monitor: fast })
    const url = `http://127.0.0.1:${t.config.port}/`
    const first = await deployRelease(h.deps, t, spec('webapp-test:v1', 'blue-green', 'r1'))
    expect(first, first.reason).toMatchObject({ success: true, monitor: true })
    expect((await watchRelease(h.deps, t)).verdict).toBe('validated')
    expect(await answer(url)).toBe('200 hello from v1')

    const load = startLoad(url, 2, 40)
    await new Promise((r) => setTimeout(r, 500))
    const second = await deployRelease(h.deps, t, spec('webapp-test:v2', 'blue-green', 'r2'))
    expect(second, second.reason).toMatchObject({ success: true, previous: 'webapp-test:v1' })
    // blue stands by until the new version is validated
    expect((await listManaged(docker, 'bg')).length).toBe(2)
    const watched = await watchRelease(h.deps, t)
    await new Promise((r) => setTimeout(r, 300))
    const report = await load.stop()
    expect(watched.verdict, watched.reason).toBe('validated')
    expect(report.failed, report.errors.join('\n')).toBe(0)
    expect(report.requests).toBeGreaterThan(20)
    expect(report.byBody.get('hello from v2')).toBeGreaterThan(0)
    expect(await answer(url)).toBe('200 hello from v2')
    const left = await listManaged(docker, 'bg')
    expect(left.map((c) => c.Labels['dev.cicd.version'])).toEqual(['webapp-test:v2'])
    const state = await h.deps.store.get('bg', 'production')
    expect(state?.validated.map((v) => v.version)).toEqual(['webapp-test:v2', 'webapp-test:v1'])
  })

  it('canary v2 → v3 (answers 500s) rolls back by itself to v2', async () => {
    const t = await h.target('canary', 'staging', { strategy: 'canary', canary_steps: [20, 50, 100], canary_step_checks: 2, monitor: fast })
    const url = `http://127.0.0.1:${t.config.port}/`
    expect((await deployRelease(h.deps, t, spec('webapp-test:v2', 'canary', 'c1'))).success).toBe(true)
    expect((await watchRelease(h.deps, t)).verdict).toBe('validated')
    const load = startLoad(url, 2, 40)
    const d = await deployRelease(h.deps, t, spec('webapp-test:v3', 'canary', 'c2'))
    expect(d.success, d.reason).toBe(true)
    const state = await h.deps.store.get('canary', 'staging')
    expect(state?.canaryWeight).toBe(20)
    const watched = await watchRelease(h.deps, t)
    expect(watched.verdict).toBe('rollback')
    expect(watched.reason).toMatch(/success rate/)
    const rb = await rollbackEnvironment(h.deps, t, watched.reason, 'c2')
    expect(rb).toMatchObject({ success: true, how: 'drop-canary', from: 'webapp-test:v3', to: 'webapp-test:v2' })
    const report = await load.stop()
    // only the canary's share failed, and only before the rollback
    expect(report.byBody.get('error from v3') ?? 0).toBeGreaterThan(0)
    for (let i = 0; i < 20; i++) expect(await answer(url)).toBe('200 hello from v2')
    expect((await listManaged(docker, 'canary')).map((c) => c.Labels['dev.cicd.version'])).toEqual(['webapp-test:v2'])
  })

  it('rolling with 3 replicas replaces them one at a time; a failing image part-way leaves v1 serving', async () => {
    const t = await h.target('roll', 'staging', { strategy: 'rolling', replicas: 3, monitor: fast })
    const url = `http://127.0.0.1:${t.config.port}/`
    expect((await deployRelease(h.deps, t, spec('webapp-test:v1', 'rolling', 'o1'))).success).toBe(true)
    expect((await watchRelease(h.deps, t)).verdict).toBe('validated')
    expect((await listManaged(docker, 'roll')).length).toBe(3)

    // an image with no server: its containers never answer their health check
    const broken = await h.target('roll', 'staging', { strategy: 'rolling', replicas: 3, monitor: fast }, { start_timeout: 2 })
    broken.config.port = t.config.port
    const load = startLoad(url, 2, 40)
    const bad = await deployRelease(h.deps, broken, spec('ci/busybox:latest', 'rolling', 'o2'))
    expect(bad.success).toBe(false)
    expect(bad.reason, bad.reason).toMatch(/exited|did not answer/)
    expect((await listManaged(docker, 'roll')).map((c) => c.Labels['dev.cicd.version'])).toEqual(['webapp-test:v1', 'webapp-test:v1', 'webapp-test:v1'])

    const good = await deployRelease(h.deps, t, spec('webapp-test:v2', 'rolling', 'o3'))
    expect(good.success, good.reason).toBe(true)
    const report = await load.stop()
    expect(report.failed, report.errors.join('\n')).toBe(0)
    const lines = h.lines.filter((l) => /replica \d\/3 of webapp-test:v2/.test(l))
    // one in, one out: each new replica takes its share, then an old one leaves (never more than 4 running)
    expect(lines).toEqual([
      expect.stringMatching(/replica 1\/3 .*33%.*; \S+ of webapp-test:v1 removed/),
      expect.stringMatching(/replica 2\/3 .*67%.*; \S+ of webapp-test:v1 removed/),
      expect.stringMatching(/replica 3\/3 .*100%.*; \S+ of webapp-test:v1 removed/),
    ])
    const versions = (await listManaged(docker, 'roll')).map((c) => c.Labels['dev.cicd.version'])
    expect(versions).toEqual(['webapp-test:v2', 'webapp-test:v2', 'webapp-test:v2'])
    expect(await answer(url)).toBe('200 hello from v2')
  })

  it('a deployer killed (SIGKILL) part-way: the next deploy undoes what it left, v1 serves meanwhile, v2 goes live', async () => {
    const t = await h.target('cut', 'staging', { strategy: 'rolling', replicas: 3, monitor: fast })
    const url = `http://127.0.0.1:${t.config.port}/`
    expect((await deployRelease(h.deps, t, spec('webapp-test:v1', 'rolling', 'k1'))).success).toBe(true)
    expect((await watchRelease(h.deps, t)).verdict).toBe('validated')
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/deploy-child.ts', testRedisUrl(7), h.edge.dir, JSON.stringify(t), JSON.stringify(spec('webapp-test:v2', 'rolling', 'k2'))], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    // kill it as soon as its first v2 replica is up and taking traffic (two more to go)
    const deadline = Date.now() + 60_000
    while (!/replica 1\/3 of webapp-test:v2 up/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child deployer did not get going:\n${out}`)
      await new Promise((r) => setTimeout(r, 20))
    }
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    const cut = await h.deps.store.get('cut', 'staging')
    expect(cut?.phase).toBe('deploying')
    expect(cut?.deploying?.runId).toBe('k2')
    expect((await listManaged(docker, 'cut')).some((c) => c.Labels['dev.cicd.run'] === 'k2')).toBe(true)
    // the old version still serves (the replica that was up shares the traffic, and answers too)
    expect(await answer(url)).toMatch(/^200 hello from v[12]$/)

    // a live deployer keeps its lock; the dead one's runs out (1.5 s here), then the next deploy recovers
    await new Promise((r) => setTimeout(r, 2000))
    const next = await deployRelease(h.deps, t, spec('webapp-test:v2', 'rolling', 'k3'))
    expect(next.success, next.reason).toBe(true)
    const after = await h.deps.store.get('cut', 'staging')
    expect(after?.history.find((e) => e.kind === 'failed')?.reason).toMatch(/interrupted deploy of webapp-test:v2 was undone/)
    const left = await listManaged(docker, 'cut')
    expect(left.map((c) => c.Labels['dev.cicd.run'])).toEqual(['k3', 'k3', 'k3'])
    expect(await answer(url)).toBe('200 hello from v2')
  })

  it('immediate replaces the live version; a manual rollback starts the last validated one again', async () => {
    const t = await h.target('imm', 'staging', { strategy: 'immediate', monitor: fast })
    const url = `http://127.0.0.1:${t.config.port}/`
    expect((await deployRelease(h.deps, t, spec('webapp-test:v1', 'immediate', 'i1'))).success).toBe(true)
    expect((await watchRelease(h.deps, t)).verdict).toBe('validated')
    expect((await deployRelease(h.deps, t, spec('webapp-test:v2', 'immediate', 'i2'))).success).toBe(true)
    expect((await listManaged(docker, 'imm')).map((c) => c.Labels['dev.cicd.version'])).toEqual(['webapp-test:v2'])
    expect(await answer(url)).toBe('200 hello from v2')
    // a deploy while v2 is being monitored is refused, with what to do
    const busy = await deployRelease(h.deps, t, spec('webapp-test:v1', 'immediate', 'i3'))
    expect(busy.success).toBe(false)
    expect(busy.reason).toMatch(/monitoring .*roll it back/)
    expect(busy.refused).toBe(true) // nothing was tried: no code failure for the Healer
    const rb = await rollbackEnvironment(h.deps, t, 'manual', 'i2')
    expect(rb).toMatchObject({ success: true, how: 'redeploy', from: 'webapp-test:v2', to: 'webapp-test:v1' })
    expect(await answer(url)).toBe('200 hello from v1')
    expect((await listManaged(docker, 'imm')).map((c) => c.Labels['dev.cicd.version'])).toEqual(['webapp-test:v1'])
  })

  it('the environment survives a restart of the proxy: state in Redis brings the entrypoint back', async () => {
    const t = await h.target('restart', 'staging', { strategy: 'immediate', monitor: fast })
    const url = `http://127.0.0.1:${t.config.port}/`
    expect((await deployRelease(h.deps, t, spec('webapp-test:v1', 'immediate', 'x1'))).success).toBe(true)
    expect((await watchRelease(h.deps, t)).verdict).toBe('validated')
    await h.edge.stop()
    await expect(answer(url)).rejects.toThrow()
    const { restoreEdge } = await import('../../shared/deploy/restore')
    const restored = await restoreEdge(h.deps)
    expect(restored.routes).toBeGreaterThanOrEqual(1)
    expect(await answer(url)).toBe('200 hello from v1')
  })

  it('a missing entrypoint port is a clear error', async () => {
    const t = await h.target('noport', 'staging', {})
    delete t.config.port
    const d = await deployRelease(h.deps, t, spec('webapp-test:v1', 'immediate', 'n1')).catch((e: Error) => ({ success: false, reason: e.message }))
    expect(d.success).toBe(false)
    expect(d.reason).toMatch(/deploy\.staging\.port is not set for noport/)
  })
})
