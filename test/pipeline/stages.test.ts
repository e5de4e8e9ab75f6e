/** The build and test stages on real git repositories, the local executor and a real Docker engine. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type Docker from 'dockerode'
import { cicdConfigSchema, type CicdConfig } from '../../shared/config/schema'
import { createQueuedRun } from '../../shared/ingress/start-run'
import { runBuildStage } from '../../shared/pipeline/build-stage'
import { createPipelineEnv, type PipelineEnv, type Progress } from '../../shared/pipeline/env'
import { runTestStage } from '../../shared/pipeline/test-stage'
import { newRunId } from '../../shared/runs/ids'
import { MemoryState, RunStore } from '../../shared/runs/store'
import { nodeProject, TempRepo } from '../helpers/git-repo'
import { requireDocker } from '../helpers/services'

let tmp: string
let docker: Docker
const repos: TempRepo[] = []
const tags: string[] = []

beforeAll(async () => {
  docker = await requireDocker()
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-stages-'))
})
afterAll(async () => {
  for (const r of repos) r.remove()
  for (const t of tags) await docker.getImage(t).remove({ force: true }).catch(() => undefined)
  rmSync(tmp, { recursive: true, force: true })
})

function repoConfig(name: string, dir: string, extra: Record<string, unknown> = {}): CicdConfig {
  return cicdConfigSchema.parse({ defaults: { workspace_root: path.join(tmp, 'ws') }, repositories: [{ name, path: dir, ...extra }] })
}

async function pipeline(config: CicdConfig, commit: string, before?: string) {
  const progress: Progress[] = []
  const env: PipelineEnv = await createPipelineEnv({ config, runs: new RunStore(new MemoryState()), progress: (p) => progress.push(p) })
  const repo = config.repositories[0]
  if (!repo) throw new Error('no repo')
  const runId = newRunId()
  const received = await createQueuedRun(env.runs, { runId, traceId: 't', repo, commit, trigger: 'push', ...(before ? { before } : {}) })
  const build = await runBuildStage(env, received)
  const test = build.completed.success ? await runTestStage(env, build.completed) : undefined
  const run = await env.runs.get(runId)
  if (!run) throw new Error('run lost')
  return { env, run, build, test, progress, received }
}

const stage = (run: { stages: Array<{ name: string }> }, name: string) => run.stages.find((s) => s.name === name) as Record<string, any>

describe('build stage', () => {
  it('builds a Docker image through the engine and tags it <repo>:<short sha>', async () => {
    const repo = new TempRepo()
    repos.push(repo)
    const sha = repo.commit(nodeProject({ dockerfile: 'FROM ci/busybox:latest\nCOPY package.json /p.json\nRUN echo from-docker\n' }))
    tags.push(`dockerized:${sha.slice(0, 7)}`)
    const { run, build } = await pipeline(repoConfig('dockerized', repo.dir, { test: { commands: ['npm test'], report: { paths: ['reports/*.xml'] } } }), sha)
    expect(build.completed).toMatchObject({ success: true, imageTag: `dockerized:${sha.slice(0, 7)}` })
    expect((await docker.getImage(`dockerized:${sha.slice(0, 7)}`).inspect()).Id).toBe(stage(run, 'build').summary.imageId)
    expect(stage(run, 'build').log).toContain('from-docker')
    // COPY and RUN (FROM and the engine's LABEL step do not count); the cache may hold them from an earlier run
    expect(stage(run, 'build').summary.layerCache).toMatchObject({ steps: 2 })
    expect(stage(run, 'build').summary.layerCache.cached).toBeLessThanOrEqual(2)
    expect(run.status).toBe('succeeded')
  })

  it('reports a failing Dockerfile step in one line and emits a failure', async () => {
    const repo = new TempRepo()
    repos.push(repo)
    const sha = repo.commit({ Dockerfile: 'FROM ci/busybox:latest\nRUN echo compiling && exit 7\n' })
    const { run, build, test } = await pipeline(repoConfig('dockerfail', repo.dir), sha)
    expect(build.completed.success).toBe(false)
    expect(build.failure).toMatchObject({ stage: 'build' })
    expect(build.failure?.reason).toMatch(/exit 7|exit code 7/)
    expect(test).toBeUndefined()
    expect(run.status).toBe('failed')
    expect(stage(run, 'test').status).toBe('skipped')
    expect(existsSync(path.join(tmp, 'ws', run.id))).toBe(false) // workspace removed
  })

  it('runs the build commands locally when the repo has no Dockerfile, and names the failing command', async () => {
    const repo = new TempRepo()
    repos.push(repo)
    const sha = repo.commit(nodeProject({ buildScript: 'node -e "process.exit(4)"' }))
    const { run, build } = await pipeline(repoConfig('cmdfail', repo.dir, { build: { commands: ['npm run build'] } }), sha)
    expect(build.completed.success).toBe(false)
    expect(stage(run, 'build').executor).toBe('local')
    expect(run.reason).toBe('build failed: `npm run build` exit code 4')
  })

  it('is idempotent: a redelivered event does not run the stage again', async () => {
    const repo = new TempRepo()
    repos.push(repo)
    const sha = repo.commit(nodeProject())
    const { env, received, run } = await pipeline(repoConfig('idem', repo.dir, { build: { commands: ['npm run build'] } }), sha)
    const again = await runBuildStage(env, received)
    expect(again.completed.success).toBe(true)
    expect((await env.runs.get(run.id))?.decisions.filter((d) => d.agent === 'build')).toHaveLength(1)
  })
})

describe('test stage', () => {
  it('runs only the tests affected by the change and reads the JUnit totals', async () => {
    const repo = new TempRepo()
    repos.push(repo)
    const c1 = repo.commit(nodeProject())
    const c2 = repo.commit({ 'src/other.mjs': 'export const other = () => 40 + 2\n' })
    const cfg = repoConfig('affected', repo.dir, { build: { commands: ['npm run build'] }, test: { commands: ['npm test -- {tests}'], select: 'affected', report: { paths: ['reports/*.xml'] } } })
    const { run } = await pipeline(cfg, c2, c1)
    const t = stage(run, 'test')
    expect(t.status).toBe('succeeded')
    expect(t.summary.totals).toEqual({ total: 1, passed: 1, failed: 0, errors: 0, skipped: 0 })
    const decision = run.decisions.find((d) => d.agent === 'test')?.decision as { selected: Array<{ file: string }>; skipped: Array<{ file: string }> }
    expect(decision.selected.map((s) => s.file)).toEqual(['test/other.test.mjs'])
    expect(decision.skipped.map((s) => s.file)).toContain('test/math.test.mjs')
  })

  it('fails with the failing test names from the JUnit report', async () => {
    const repo = new TempRepo()
    repos.push(repo)
    const sha = repo.commit(nodeProject({ failing: true }))
    const { run, test } = await pipeline(repoConfig('failing', repo.dir, { build: { commands: ['npm run build'] }, test: { commands: ['npm test'], report: { paths: ['reports/*.xml'] } } }), sha)
    expect(test?.completed.success).toBe(false)
    expect(test?.completed.failing).toEqual(['adds'])
    expect(test?.completed.totals).toMatchObject({ total: 3, failed: 1 })
    expect(stage(run, 'test').reason).toBe('1 of 3 test(s) failed: adds')
    expect(test?.failure?.logTail).toContain('adds')
  })

  it('lets the exit code decide without a JUnit report', async () => {
    const repo = new TempRepo()
    repos.push(repo)
    const sha = repo.commit({ 'check.sh': 'echo checking; exit 3\n' })
    const { run } = await pipeline(repoConfig('noreport', repo.dir, { test: { commands: ['sh check.sh'] } }), sha)
    expect(stage(run, 'test').status).toBe('failed')
    expect(stage(run, 'test').reason).toBe('`sh check.sh` exit code 3')
    expect(stage(run, 'test').log).toContain('checking')
  })

  it('skips build and tests for a docs-only push, and the run succeeds', async () => {
    const repo = new TempRepo()
    repos.push(repo)
    const c1 = repo.commit(nodeProject())
    const c2 = repo.commit({ 'README.md': '# docs only\n' })
    const { run } = await pipeline(repoConfig('docs', repo.dir, { build: { commands: ['npm run build'] }, test: { commands: ['npm test'], select: 'affected' } }), c2, c1)
    expect(stage(run, 'build').status).toBe('skipped')
    expect(stage(run, 'test').status).toBe('skipped')
    expect(run.status).toBe('succeeded')
  })

  it('fails clearly when the commit is not in the repository', async () => {
    const repo = new TempRepo()
    repos.push(repo)
    repo.commit(nodeProject())
    const { run } = await pipeline(repoConfig('ghost', repo.dir), 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef')
    expect(run.status).toBe('failed')
    expect(run.reason).toContain('commit deadbeefdeadbeefdeadbeefdeadbeefdeadbeef is not in')
  })
})
