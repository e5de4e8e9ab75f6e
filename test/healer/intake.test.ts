/**
 * POST /api/remediate/ci-failure's core against a local HTTP server that speaks GitHub's REST
 * endpoints for jobs and logs (api.github.com cannot be reached here) and a real Redis.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Octokit } from '@octokit/rest'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RemediationLedger } from '../../shared/healer/dedup'
import { handleCheckRun, handleCiFailure, handleIssueComment, handleStatus, parseHealerCommand, type RemediationRecord } from '../../shared/healer/intake'
import { createRequire } from 'node:module'
import { FakeGitHub } from '../helpers/fake-github'
import { testRedisUrl } from '../helpers/services'

const FIX = path.resolve(import.meta.dirname, '../fixtures/ci-failures/logs')
const gh = new FakeGitHub()
let redis: Redis
const saved: RemediationRecord[] = []
const TOKEN = 'healer-token'

beforeAll(async () => {
  await gh.start()
  redis = new Redis(testRedisUrl(5))
  await redis.flushdb()
  gh.runs.set(111, [
    { id: 9001, name: 'lint / clippy', workflowName: 'CI', conclusion: 'failure', steps: [{ name: 'Set up job', conclusion: 'success' }, { name: 'Run cargo clippy --locked --all-targets -- -D warnings', conclusion: 'failure' }], log: readFileSync(path.join(FIX, 'ci-0010.log'), 'utf8') },
    { id: 9002, name: 'docs', workflowName: 'CI', conclusion: 'success', steps: [], log: '' },
  ])
  gh.runs.set(222, [{ id: 9101, name: 'meta', workflowName: 'Lint GitHub workflows', conclusion: 'failure', steps: [{ name: 'Run ./actionlint -color -shellcheck=', conclusion: 'failure' }], log: readFileSync(path.join(FIX, 'ci-0009.log'), 'utf8') }])
})
afterAll(async () => {
  await gh.stop()
  redis?.disconnect()
})

function deps() {
  return {
    token: TOKEN,
    github: new Octokit({ baseUrl: gh.url }),
    ledger: new RemediationLedger(redis),
    branchWindowMs: 600_000,
    processBots: false,
    save: async (r: RemediationRecord) => {
      saved.push(r)
    },
  }
}

const body = (over: Record<string, unknown> = {}, run: Record<string, unknown> = {}) => ({
  workflow_run: { id: 111, name: 'CI', conclusion: 'failure', html_url: 'https://github.com/acme/api/actions/runs/111', head_branch: 'feat/new-feature', head_sha: 'abc123def4567890abc123def4567890abc123de', head_commit: { message: 'feat: add new feature' }, ...run },
  repository: { full_name: 'acme/api' },
  ...over,
})
const call = (b: unknown, token: string | null = TOKEN) =>
  handleCiFailure({ headers: token ? { authorization: `Bearer ${token}` } : {}, rawBody: JSON.stringify(b), body: b }, deps())

describe('Healer intake (seed 001)', () => {
  it('reads the failed job and its log from GitHub, routes a clippy failure to Rex, and answers seed 001', async () => {
    const r = await call(body())
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ status: 'accepted', coderun_name: 'healer-ci-rex-abc123de', agent: 'rex', failure_type: 'rust_clippy', dedup_status: 'new' })
    expect(gh.calls).toContain('GET /repos/acme/api/actions/runs/111/jobs')
    expect(gh.calls).toContain('GET /repos/acme/api/actions/jobs/9001/logs')
    expect(gh.calls).toContain('GET /download/job-9001.txt')
    expect(saved.at(-1)).toMatchObject({ name: 'healer-ci-rex-abc123de', job: 'lint / clippy', decision: { category: 'rust' } })
  })

  it('answers a redelivery with dedup_status existing and starts nothing', async () => {
    const n = saved.length
    const r = await call(body())
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'duplicate', dedup_status: 'existing', coderun_name: 'healer-ci-rex-abc123de' })
    expect(saved.length).toBe(n)
  })

  it('skips a second failure on the same branch within the window, and routes another repo\'s workflow error to Atlas', async () => {
    const again = await call(body({}, { run_attempt: 2 }))
    expect(again.body.dedup_status).toBe('skipped')
    const other = await call(body({ repository: { full_name: 'acme/web' } }, { id: 222, name: 'Lint GitHub workflows', head_branch: 'main' }))
    expect(other.body).toMatchObject({ agent: 'atlas', dedup_status: 'new', category: 'github' })
  })

  it('filters as seed 001: [skip-healer], bots, successes', async () => {
    expect((await call(body({}, { id: 333, head_commit: { message: 'wip [skip-healer]' } }))).body).toMatchObject({ status: 'skipped', dedup_status: 'skipped' })
    expect((await call(body({ sender: { login: 'dependabot[bot]' } }, { id: 334 }))).body.reason).toContain('bot')
    expect((await call(body({}, { id: 335, conclusion: 'success' }))).body.dedup_status).toBe('skipped')
  })

  it('names a bad field, requires the token, and reports GitHub being unreachable', async () => {
    const bad = await call({ workflow_run: { id: 'x' }, repository: { full_name: 'acme/api' } })
    expect(bad.status).toBe(400)
    expect(bad.body.field).toBe('workflow_run.id')
    expect((await call(body(), null)).status).toBe(401)
    const missingRun = await call(body({}, { id: 999 }))
    expect(missingRun.status).toBe(502)
    expect(String(missingRun.body.message)).toContain('could not read the run')
  })
})

describe('check_run intake (real payload shape from @octokit/webhooks-examples)', () => {
  type Example = { action: string; check_run: { check_suite: Record<string, unknown> } & Record<string, unknown>; repository: Record<string, unknown> }
  const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Example[] }>
  const base = examples.find((e) => e.name === 'check_run')?.examples.find((x) => x.action === 'completed') as Example
  const payload = (over: Record<string, unknown>, suite: Record<string, unknown> = {}) => ({
    ...base,
    check_run: { ...base.check_run, ...over, check_suite: { ...base.check_run.check_suite, ...suite } },
    repository: { ...base.repository, full_name: 'acme/checks' },
  })
  const d = () => ({ ...deps(), onSuccess: async () => ['fixed-one'] })

  it('triages a failed GitHub Actions check run through its job log', async () => {
    const r = await handleCheckRun(payload({ id: 9001, name: 'lint / clippy', conclusion: 'failure', app: { slug: 'github-actions' } }, { id: 5551, head_branch: 'check-a' }), d())
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ agent: 'rex', dedup_status: 'new' })
  })

  it("routes another app's failed check without a log to Atlas, and tracks a passing one", async () => {
    const other = await handleCheckRun(payload({ id: 31337, name: 'external-ci', conclusion: 'failure', app: { slug: 'circleci' } }, { id: 5552, head_branch: 'check-b' }), d())
    expect(other.body).toMatchObject({ agent: 'atlas', category: 'unknown' })
    const ok = await handleCheckRun(payload({ conclusion: 'success' }, { head_branch: 'check-a' }), d())
    expect(ok.body).toEqual({ status: 'tracked', fixed: ['fixed-one'] })
  })
})

describe('/healer commands on pull requests', () => {
  const comment = (body: string, pr = true) => ({
    action: 'created',
    issue: { number: 7, ...(pr ? { pull_request: { url: 'https://api.github.com/repos/acme/prs/pulls/7' } } : {}) },
    comment: { body, user: { login: 'maintainer' }, author_association: 'MEMBER' },
    repository: { full_name: 'acme/prs' },
  })

  it('parses the commands and ignores anything else', () => {
    expect(parseHealerCommand('/healer fix the lockfile is stale')).toEqual({ command: 'fix', hint: 'the lockfile is stale' })
    expect(parseHealerCommand('thanks!\n/healer retry')).toEqual({ command: 'retry' })
    expect(parseHealerCommand('please /healer fix')).toBeNull()
  })

  it('/healer fix triages the PR head\'s latest failed run with the hint; /healer retry re-runs its failed jobs', async () => {
    gh.pulls.set(7, { ref: 'feat/pr', sha: 'cafe0000cafe0000cafe0000cafe0000cafe0000' })
    gh.workflowRuns.push({ id: 111, name: 'CI', sha: 'cafe0000cafe0000cafe0000cafe0000cafe0000', branch: 'feat/pr', attempt: 3 })
    const fix = await handleIssueComment(comment('/healer fix clippy wants a let-else'), deps())
    expect(fix.status).toBe(202)
    expect(fix.body).toMatchObject({ agent: 'rex', dedup_status: 'new', coderun_name: 'healer-ci-rex-cafe0000' })
    expect(saved.at(-1)?.hint).toBe('clippy wants a let-else')
    const retry = await handleIssueComment(comment('/healer retry'), deps())
    expect(retry.body).toEqual({ status: 'rerun', run_id: 111 })
    expect(gh.reruns).toEqual([111])
    expect((await handleIssueComment(comment('/healer fix', false), deps())).body.ignored).toBe(true)
  })
})

describe('commit status intake', () => {
  const status = (state: string) => ({ id: 880, sha: 'dddd0000dddd0000dddd0000dddd0000dddd0000', state, context: 'ci/jenkins: build', branches: [{ name: 'rel' }], repository: { full_name: 'acme/status' } })
  it('triages a failed status by name (no log to read) and tracks a success', async () => {
    const failed = await handleStatus(status('error'), deps())
    expect(failed.body).toMatchObject({ agent: 'atlas', dedup_status: 'new' })
    expect(saved.at(-1)?.source).toBe('heuristic')
    expect((await handleStatus(status('pending'), deps())).body.ignored).toBe(true)
    expect((await handleStatus(status('success'), { ...deps(), onSuccess: async () => ['x'] })).body).toEqual({ status: 'tracked', fixed: ['x'] })
  })
})
