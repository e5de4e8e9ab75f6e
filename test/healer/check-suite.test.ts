/**
 * check_suite intake against a local HTTP server speaking GitHub's REST endpoints (fake-github:
 * `GET /actions/runs?check_suite_id=`, `/actions/runs/{id}/jobs`, job logs) and a real Redis (db 9).
 * Payloads start from @octokit/webhooks-examples.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Octokit } from '@octokit/rest'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RemediationLedger } from '../../shared/healer/dedup'
import { handleCheckSuite, handleWorkflowJob, type RemediationRecord } from '../../shared/healer/intake'
import { FakeGitHub } from '../helpers/fake-github'
import { testRedisUrl } from '../helpers/services'

const FIX = path.resolve(import.meta.dirname, '../fixtures/ci-failures/logs')
const gh = new FakeGitHub()
let redis: Redis
const saved: RemediationRecord[] = []
const prefix = `cicd:test:suite:${randomUUID()}:`

type Example = { action: string; check_suite: Record<string, unknown>; repository: Record<string, unknown> } & Record<string, unknown>
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Example[] }>
const base = examples.find((e) => e.name === 'check_suite')?.examples.find((x) => x.action === 'completed') as Example
const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821' // the example's head_sha

/** A completed check suite as GitHub sends it, with the fields under test replaced. */
const suite = (over: Record<string, unknown>, repo = 'acme/suites', action = 'completed') => ({
  ...base,
  action,
  check_suite: { ...base.check_suite, ...over },
  repository: { ...base.repository, full_name: repo },
})
/** The example's pull request, based in `repo`. */
const prIn = (repo: string, n: number) => {
  const pr = (base.check_suite.pull_requests as Array<Record<string, Record<string, unknown>>>)[0] as Record<string, Record<string, unknown>>
  return { ...pr, number: n, base: { ...pr.base, repo: { ...(pr.base?.repo as Record<string, unknown>), url: `https://api.github.com/repos/${repo}` } } }
}
const actionsApp = { ...(base.check_suite.app as Record<string, unknown>), slug: 'github-actions', name: 'GitHub Actions' }

beforeAll(async () => {
  await gh.start()
  redis = new Redis(testRedisUrl(9))
  gh.runs.set(4100, [
    { id: 41001, name: 'lint / clippy', workflowName: 'CI', conclusion: 'failure', steps: [{ name: 'Run cargo clippy --locked --all-targets -- -D warnings', conclusion: 'failure' }], log: readFileSync(path.join(FIX, 'ci-0010.log'), 'utf8') },
    { id: 41002, name: 'docs', workflowName: 'CI', conclusion: 'success', steps: [], log: '' },
  ])
  gh.workflowRuns.push({ id: 4100, name: 'CI', sha: SHA, branch: 'changes', attempt: 2, checkSuiteId: 777001 })
  // a timed-out suite whose first failed job's log has expired: the next failed job's log is read
  gh.runs.set(4200, [
    { id: 42001, name: 'e2e', workflowName: 'Nightly', conclusion: 'timed_out', steps: [{ name: 'Run e2e', conclusion: 'timed_out' }], log: 'x', logGone: true },
    { id: 42002, name: 'meta', workflowName: 'Nightly', conclusion: 'failure', steps: [{ name: 'Run ./actionlint -color -shellcheck=', conclusion: 'failure' }], log: readFileSync(path.join(FIX, 'ci-0009.log'), 'utf8') },
  ])
  gh.workflowRuns.push({ id: 4200, name: 'Nightly', sha: 'a'.repeat(40), branch: 'nightly', attempt: 1, checkSuiteId: 777002, conclusion: 'timed_out' })
  gh.runs.set(4300, [{ id: 43001, name: 'e2e', workflowName: 'Gone', conclusion: 'failure', steps: [], log: 'x', logGone: true }])
  gh.workflowRuns.push({ id: 4300, name: 'Gone', sha: 'c'.repeat(40), branch: 'gone', attempt: 1, checkSuiteId: 777003 })
})
afterAll(async () => {
  await gh.stop()
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis?.disconnect()
})

const deps = () => ({
  github: new Octokit({ baseUrl: gh.url, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } }),
  ledger: new RemediationLedger(redis, prefix),
  branchWindowMs: 600_000,
  processBots: false,
  save: async (r: RemediationRecord) => {
    saved.push(r)
  },
  onSuccess: async (repo: string, branch: string) => [`fixed:${repo}:${branch}`],
})

describe('check_suite intake (fake-github REST server, real Redis)', () => {
  it("maps a failed GitHub Actions suite to its workflow run's failed job and log, routes it, and keeps the payload's pull request", async () => {
    const r = await handleCheckSuite(suite({ id: 777001, conclusion: 'failure', app: actionsApp, pull_requests: [prIn('someone/else', 9), prIn('acme/suites', 2)] }), deps())
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ status: 'accepted', agent: 'rex', failure_type: 'rust_clippy', dedup_status: 'new', coderun_name: `healer-ci-rex-${SHA.slice(0, 8)}`, pull: 2 })
    expect(gh.urls).toContain('GET /repos/acme/suites/actions/runs?check_suite_id=777001&per_page=10')
    expect(gh.calls).toContain('GET /repos/acme/suites/actions/runs/4100/jobs')
    expect(gh.calls).toContain('GET /repos/acme/suites/actions/jobs/41001/logs')
    expect(saved.at(-1)).toMatchObject({ runId: 4100, attempt: 2, workflow: 'CI', job: 'lint / clippy', branch: 'changes', pull: 2, originalAgent: 'rex', corrections: [] })
    // the payload carries head_commit: no commit lookup for [skip-healer]
    expect(gh.calls).not.toContain(`GET /repos/acme/suites/commits/${SHA}`)
  })

  it("is de-duplicated with the same run's workflow_job deliveries (same run id and attempt)", async () => {
    const n = saved.length
    const job = await handleWorkflowJob(
      {
        action: 'completed',
        workflow_job: { id: 41001, run_id: 4100, run_attempt: 2, workflow_name: 'CI', name: 'lint / clippy', head_branch: 'changes', head_sha: SHA, conclusion: 'failure', steps: [] },
        repository: { full_name: 'acme/suites' },
        sender: { login: 'dev' },
      },
      deps(),
    )
    expect(job.body).toMatchObject({ dedup_status: 'existing', coderun_name: `healer-ci-rex-${SHA.slice(0, 8)}` })
    expect(saved.length).toBe(n)
  })

  it('triages a timed-out suite from the failed job whose log is still there, and says which one was not', async () => {
    const r = await handleCheckSuite(suite({ id: 777002, conclusion: 'timed_out', head_sha: 'a'.repeat(40), head_branch: 'nightly', app: actionsApp, pull_requests: [] }), deps())
    expect(r.status).toBe(202)
    expect(r.body).toMatchObject({ agent: 'atlas', category: 'github', dedup_status: 'new' })
    expect(gh.calls).toContain('GET /repos/acme/suites/actions/jobs/42001/logs')
    expect(gh.calls).toContain('GET /download/job-42002.txt')
    expect((r.body.warnings as string[]).join('\n')).toMatch(/log not readable for job e2e: .*Gone/)
    expect(saved.at(-1)).toMatchObject({ job: 'meta', runId: 4200 })
    expect(saved.at(-1)?.pull).toBeUndefined()
  })

  it('answers 502 when no failed job log of the run can be read, and when GitHub cannot list the suite\'s runs', async () => {
    const gone = await handleCheckSuite(suite({ id: 777003, conclusion: 'failure', head_sha: 'c'.repeat(40), head_branch: 'gone', app: actionsApp }), deps())
    expect(gone.status).toBe(502)
    expect(String(gone.body.message)).toContain("no failed job's log could be read")
    const down = await handleCheckSuite(suite({ id: 777004, conclusion: 'failure', app: actionsApp }), { ...deps(), github: new Octokit({ baseUrl: 'http://127.0.0.1:9', request: { timeout: 2000 } }) })
    expect(down.status).toBe(502)
    expect(down.body.error).toBe('github_unavailable')
  })

  it("classifies an Actions suite GitHub lists no run for, and another app's suite, by name (no log), saying so", async () => {
    // the commits exist (their changed files are read for a failure without a log); they change nothing routable
    gh.commits.set('d'.repeat(40), 'feat: a change')
    gh.commits.set('e'.repeat(40), 'feat: another change')
    const none = await handleCheckSuite(suite({ id: 777005, conclusion: 'failure', head_sha: 'd'.repeat(40), head_branch: 'no-run', app: actionsApp }), deps())
    expect(none.body).toMatchObject({ dedup_status: 'new', agent: 'atlas' })
    expect(none.body.warnings).toEqual(['GitHub lists no workflow run for check suite 777005: classified without a log'])
    expect(none.body.pull).toBeUndefined() // the example's pull request is based in another repository
    const other = await handleCheckSuite(suite({ id: 777006, conclusion: 'failure', head_sha: 'e'.repeat(40), head_branch: 'linter' }), deps())
    expect(other.body).toMatchObject({ dedup_status: 'new', agent: 'atlas', category: 'unknown' })
    expect(saved.at(-1)).toMatchObject({ runId: 777006, workflow: 'octocoders-linter' })
    expect(gh.calls).not.toContain('GET /repos/acme/suites/actions/runs/777006/jobs')
  })

  it('honours [skip-healer] from the payload\'s head commit, tracks a successful suite, ignores the rest, and names a bad field', async () => {
    const skip = await handleCheckSuite(suite({ id: 777007, conclusion: 'failure', head_sha: 'f'.repeat(40), head_branch: 'skip', head_commit: { ...(base.check_suite.head_commit as Record<string, unknown>), message: 'wip\n\n[skip-healer]' } }), deps())
    expect(skip.body).toMatchObject({ status: 'skipped', reason: 'the commit message contains [skip-healer]' })
    const ok = await handleCheckSuite(suite({ conclusion: 'success', head_branch: 'changes' }), deps())
    expect(ok.body).toEqual({ status: 'tracked', fixed: ['fixed:acme/suites:changes'] })
    expect((await handleCheckSuite(suite({ conclusion: 'neutral' }), deps())).body.ignored).toBe(true)
    expect((await handleCheckSuite(suite({ conclusion: null }, 'acme/suites', 'requested'), deps())).body.ignored).toBe(true)
    const bad = await handleCheckSuite(suite({ id: 'x' }), deps())
    expect(bad.status).toBe(400)
    expect(bad.body.field).toBe('check_suite.id')
  })
})
