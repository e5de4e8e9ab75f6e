/**
 * `[skip-healer]` for deliveries without a commit message (workflow_job, check_run, seed 001's body
 * without head_commit): the message is read through `GET /repos/{o}/{r}/commits/{sha}` on a local
 * HTTP server speaking GitHub's REST endpoints (fake-github), bounded by a timeout; a failed lookup
 * never drops the failure. Real Redis (db 9, own key prefix).
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Octokit } from '@octokit/rest'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { RemediationLedger } from '../../shared/healer/dedup'
import { handleCheckRun, handleCiFailure, handleWorkflowJob, type RemediationRecord } from '../../shared/healer/intake'
import { FakeGitHub } from '../helpers/fake-github'
import { testRedisUrl } from '../helpers/services'

const FIX = path.resolve(import.meta.dirname, '../fixtures/ci-failures/logs')
const gh = new FakeGitHub()
let redis: Redis
const saved: RemediationRecord[] = []
const prefix = `cicd:test:skip:${randomUUID()}:`
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
const sha = (c: string) => c.repeat(40)

beforeAll(async () => {
  await gh.start()
  redis = new Redis(testRedisUrl(9))
  gh.runs.set(5100, [{ id: 51001, name: 'lint / clippy', workflowName: 'CI', conclusion: 'failure', steps: [{ name: 'Run cargo clippy --locked --all-targets -- -D warnings', conclusion: 'failure' }], log: readFileSync(path.join(FIX, 'ci-0010.log'), 'utf8') }])
  gh.commits.set(sha('1'), 'chore: bump deps\n\n[skip-healer] the bot will redo it')
  gh.commits.set(sha('2'), 'fix: the parser')
})
beforeEach(() => {
  gh.commitDelayMs = 0
  gh.commitStatus = undefined
})
afterAll(async () => {
  await gh.stop()
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis?.disconnect()
})

const deps = (timeout?: number) => ({
  github: new Octokit({ baseUrl: gh.url, log: quiet }),
  ledger: new RemediationLedger(redis, prefix),
  branchWindowMs: 600_000,
  processBots: false,
  save: async (r: RemediationRecord) => {
    saved.push(r)
  },
  ...(timeout ? { commitLookupTimeoutMs: timeout } : {}),
})

const job = (headSha: string, branch: string) => ({
  action: 'completed',
  workflow_job: { id: 51001, run_id: 5100, run_attempt: 1, workflow_name: 'CI', name: 'lint / clippy', head_branch: branch, head_sha: headSha, conclusion: 'failure', steps: [{ name: 'Run cargo clippy --locked --all-targets -- -D warnings', conclusion: 'failure' }] },
  repository: { full_name: 'acme/skip' },
  sender: { login: 'dev' },
})

describe('[skip-healer] looked up for workflow_job, check_run and seed 001 deliveries (fake-github)', () => {
  it("skips a failed job whose commit message (read from GitHub) has [skip-healer], before reading any log", async () => {
    const r = await handleWorkflowJob(job(sha('1'), 'skip-a'), deps())
    expect(r.body).toMatchObject({ status: 'skipped', dedup_status: 'skipped', reason: 'the commit message contains [skip-healer]' })
    expect(gh.calls).toContain(`GET /repos/acme/skip/commits/${sha('1')}`)
    expect(gh.calls).not.toContain('GET /repos/acme/skip/actions/jobs/51001/logs')
  })

  it('triages a failed job whose message has no mark, without a warning', async () => {
    const r = await handleWorkflowJob(job(sha('2'), 'skip-b'), deps())
    expect(r.body).toMatchObject({ status: 'accepted', agent: 'rex' })
    expect(r.body.warnings).toBeUndefined()
  })

  it('does not wait past the timeout: a slow lookup proceeds, and says [skip-healer] was not checked', async () => {
    gh.commitDelayMs = 3_000
    const t0 = Date.now()
    const r = await handleWorkflowJob({ ...job(sha('1'), 'skip-c'), workflow_job: { ...job(sha('1'), 'skip-c').workflow_job, run_id: 5100, run_attempt: 2 } }, deps(300))
    expect(Date.now() - t0).toBeLessThan(2_500)
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ status: 'accepted', agent: 'rex' })
    expect(r.body.warnings).toEqual([`could not read commit ${sha('1').slice(0, 12)}'s message (no answer within 300 ms): [skip-healer] was not checked`])
    expect(saved.at(-1)?.warnings).toEqual(r.body.warnings)
  })

  it('proceeds when GitHub answers the lookup with an error (a failed check_run, from its real payload shape)', async () => {
    gh.commitStatus = 503
    type CheckRunExample = { action: string; check_run: Record<string, unknown>; repository: Record<string, unknown> }
    const ex = (createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: CheckRunExample[] }>).find((e) => e.name === 'check_run')?.examples.find((x) => x.action === 'completed') as CheckRunExample
    const payload = { ...ex, check_run: { ...ex.check_run, id: 31337, head_sha: sha('3'), name: 'external', conclusion: 'failure', app: { slug: 'circleci' }, check_suite: { ...(ex.check_run.check_suite as Record<string, unknown>), id: 6100, head_branch: 'skip-d' } }, repository: { ...ex.repository, full_name: 'acme/skip' } }
    const r = await handleCheckRun(payload, deps())
    expect(r.body).toMatchObject({ status: 'accepted', dedup_status: 'new' })
    expect(String((r.body.warnings as string[])[0])).toMatch(/could not read commit 333333333333's message \(.*\): \[skip-healer\] was not checked/)
    expect(gh.calls).toContain(`GET /repos/acme/skip/commits/${sha('3')}`)
  })

  it("seed 001's body looks the message up only when head_commit is absent", async () => {
    const body = (id: number, headSha: string, branch: string, headCommit?: { message: string }) => ({
      workflow_run: { id, name: 'CI', conclusion: 'failure', head_branch: branch, head_sha: headSha, ...(headCommit ? { head_commit: headCommit } : {}) },
      repository: { full_name: 'acme/skip' },
    })
    const call = (b: unknown) => handleCiFailure({ headers: { authorization: 'Bearer t' }, rawBody: JSON.stringify(b), body: b }, { token: 't', ...deps() })
    gh.runs.set(5200, [])
    gh.runs.set(5201, [])
    const looked = await call(body(5200, sha('1'), 'skip-e'))
    expect(looked.body.reason).toBe('the commit message contains [skip-healer]')
    const n = gh.calls.filter((c) => c.includes('/commits/')).length
    const given = await call(body(5201, sha('1'), 'skip-f', { message: 'fix: no mark here' }))
    expect(given.body).toMatchObject({ status: 'accepted', dedup_status: 'new' })
    expect(gh.calls.filter((c) => c.includes('/commits/')).length).toBe(n)
  })
})
