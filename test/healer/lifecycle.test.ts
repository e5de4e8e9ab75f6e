/**
 * The remediation lifecycle: a fix that did not work (a new failure of the same workflow on the
 * branch after the dispatch) escalates specialist → Atlas → a person; a success of the same
 * workflow fixes it and frees the branch; unique storage keys; fix_branch. GitHub's REST endpoints
 * are served by a local HTTP server (fake-github; api.github.com cannot be reached here), the sink
 * is a real HTTP server on loopback, the ledger a real Redis (db 10, own key prefix).
 */
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Octokit } from '@octokit/rest'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cicdConfigSchema } from '../../shared/config/schema'
import { LocalExecutor } from '../../shared/executors/local/executor'
import { RemediationLedger } from '../../shared/healer/dedup'
import { dispatchAndSettle } from '../../shared/healer/dispatch'
import { handleCheckRun, handleWorkflowJob, type RemediateDeps } from '../../shared/healer/intake'
import { remediationPrompt } from '../../shared/healer/prompt'
import { recordKey, type RemediationRecord } from '../../shared/healer/record'
import { markFixed, REMEDIATIONS_GROUP } from '../../shared/healer/tracking'
import { MemoryState } from '../../shared/runs/store'
import { FakeGitHub } from '../helpers/fake-github'
import { testRedisUrl } from '../helpers/services'

const FIX = path.resolve(import.meta.dirname, '../fixtures/ci-failures/logs')
const CLIPPY = readFileSync(path.join(FIX, 'ci-0010.log'), 'utf8')
const gh = new FakeGitHub()
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
let redis: Redis
let sink: Server
let sinkUrl = ''
const delivered: Array<Record<string, unknown>> = []
const prefix = `cicd:test:lifecycle:${randomUUID()}:`
const sha = (n: number) => n.toString(16).padStart(8, '0').repeat(5)

beforeAll(async () => {
  await gh.start()
  redis = new Redis(testRedisUrl(10))
  sink = createServer((req, res) => {
    let raw = ''
    req.on('data', (c: Buffer) => (raw += c.toString()))
    req.on('end', () => {
      delivered.push(JSON.parse(raw) as Record<string, unknown>)
      res.statusCode = 202
      res.end('{}')
    })
  })
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r))
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/remediate`
})
afterAll(async () => {
  await gh.stop()
  sink.closeAllConnections()
  await new Promise((r) => sink.close(r))
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis?.disconnect()
})

/** A run of `workflow` with one failed clippy job (its log served by fake-github), on commit `commit`. */
let nextJob = 1000
function failedRun(runId: number, commit: string, workflow = 'CI') {
  const jobId = ++nextJob
  gh.runs.set(runId, [{ id: jobId, name: 'lint / clippy', workflowName: workflow, conclusion: 'failure', steps: [{ name: 'Run cargo clippy --locked --all-targets -- -D warnings', conclusion: 'failure' }], log: CLIPPY }])
  gh.commits.set(commit, 'change things')
  return jobId
}

const job = (repo: string, branch: string, runId: number, jobId: number, commit: string, over: Record<string, unknown> = {}, sender = 'rex-agent[bot]') => ({
  action: 'completed',
  workflow_job: { id: jobId, run_id: runId, run_attempt: 1, workflow_name: 'CI', name: 'lint / clippy', head_branch: branch, head_sha: commit, conclusion: 'failure', steps: [], ...over },
  repository: { full_name: repo },
  sender: { login: sender },
})

/** What a server process wires (shared/server/services.ts healerDeps), on a MemoryState and the test's ledger. */
function wiring(over: { fixBranch?: 'same' | 'new'; branchWindowMs?: number } = {}) {
  const state = new MemoryState()
  const ledger = new RemediationLedger(redis, `${prefix}${randomUUID()}:`)
  const queued: string[] = []
  const deps: Omit<RemediateDeps, 'token'> = {
    github: new Octokit({ baseUrl: gh.url, log: quiet }),
    ledger,
    branchWindowMs: over.branchWindowMs ?? 600_000,
    activeTtlMs: 3_600_000,
    fixBranch: over.fixBranch ?? 'same',
    processBots: false,
    commitLookupTimeoutMs: 2000,
    load: (id) => state.get<RemediationRecord>(REMEDIATIONS_GROUP, id),
    save: async (r) => {
      await state.set(REMEDIATIONS_GROUP, recordKey(r), r)
      queued.push(recordKey(r))
    },
    onSuccess: (repo, branch, of) => markFixed(state, repo, branch, of ?? {}, new Date(), (r) => ledger.finish(r, recordKey(r))),
  }
  const cfg = (retry = 2) => cicdConfigSchema.parse({ healer: { sinks: [{ type: 'http', url: sinkUrl }], retry_limit: retry, human_label: 'healer/needs-human', fix_branch: over.fixBranch ?? 'same' } }).healer
  /** The dispatch step: what was queued is delivered (its next attempt). */
  const dispatch = async (retry = 2) => {
    while (queued.length) {
      const id = queued.shift() as string
      const r = await state.get<RemediationRecord>(REMEDIATIONS_GROUP, id)
      if (!r || r.status !== 'dispatched') continue
      const { record } = await dispatchAndSettle(r, cfg(retry), { github: deps.github, local: new LocalExecutor(), secrets: [], ledger })
      await state.set(REMEDIATIONS_GROUP, recordKey(record), record)
    }
  }
  const all = () => state.getGroup<RemediationRecord>(REMEDIATIONS_GROUP)
  return { state, ledger, deps, dispatch, all }
}

describe('a fix that did not work escalates (fake-github REST server, HTTP sink on loopback, real Redis)', () => {
  it('counts a new failure of the same workflow after the dispatch as a failed fix: specialist ×retry_limit → Atlas ×retry_limit → a person, then frees the branch', async () => {
    const w = wiring()
    const repo = 'acme/escalate'
    const branch = 'feat/escalate'
    gh.pulls.set(61, { ref: branch, sha: sha(1), commits: [2, 3, 4, 5].map(sha) })
    const first = await handleWorkflowJob(job(repo, branch, 6100, failedRun(6100, sha(1)), sha(1), {}, 'dev'), w.deps)
    expect(first.body).toMatchObject({ status: 'accepted', agent: 'rex', dedup_status: 'new', coderun_name: `healer-ci-rex-${sha(1).slice(0, 8)}` })
    await w.dispatch()
    const id = first.body.remediation_id as string
    expect((await w.state.get<RemediationRecord>(REMEDIATIONS_GROUP, id))?.attempts.map((a) => `${a.agent}:${a.outcome}`)).toEqual(['rex:dispatched'])

    // another workflow failing on the branch is not this fix's business: skipped as before
    const other = await handleWorkflowJob(job(repo, branch, 6150, failedRun(6150, sha(2), 'Docs'), sha(2), { workflow_name: 'Docs', name: 'build docs' }, 'dev'), w.deps)
    expect(other.body).toMatchObject({ dedup_status: 'skipped', reason: 'a remediation is already active on this branch' })

    // each later commit's failure of CI (pushed by the agent, a bot) is the attempt's failure
    const expected = ['rex', 'rex', 'atlas', 'atlas']
    for (const [i, agent] of expected.entries()) {
      const commit = sha(i + 2)
      const runId = 6101 + i
      const jobId = failedRun(runId, commit)
      const r = await handleWorkflowJob(job(repo, branch, runId, jobId, commit), w.deps)
      expect(r.status, JSON.stringify(r.body)).toBe(202)
      expect(r.body).toMatchObject({ status: 'failed-fix', agent, remediation_id: id, dedup_status: 'existing' })
      await w.dispatch()
      if (i === expected.length - 1) break
      // the same failed run reported again (its check run, another of its jobs): counted once
      const again = await handleCheckRun(
        { action: 'completed', check_run: { id: jobId, name: 'lint / clippy', head_sha: commit, conclusion: 'failure', app: { slug: 'github-actions' }, check_suite: { id: 90000 + i, head_branch: branch }, pull_requests: [] }, repository: { full_name: repo } },
        w.deps,
      )
      expect(again.body).toMatchObject({ status: 'duplicate', dedup_status: 'existing' })
    }
    const done = (await w.state.get<RemediationRecord>(REMEDIATIONS_GROUP, id)) as RemediationRecord
    expect(done.attempts.map((a) => `${a.agent}:${a.outcome}`)).toEqual(['rex:failed-fix', 'rex:failed-fix', 'atlas:failed-fix', 'atlas:failed-fix'])
    expect(done.attempts[0]?.failure).toMatchObject({ runId: 6101, commit: sha(2), workflow: 'CI' })
    expect(done.corrections).toEqual([expect.objectContaining({ from: 'rex', to: 'atlas', by: 'escalation' })])
    expect(done.status).toBe('needs-human')
    expect(done.commit).toBe(sha(5))
    expect(gh.labels.get(`${repo}#61`)).toEqual(['healer/needs-human'])
    expect(done.human).toMatchObject({ label: 'healer/needs-human', pull: 61, labelled: true })
    expect(gh.issueComments.at(-1)?.body).toContain('4 fix(es) did not work')
    // Atlas's second attempt was told what had been tried
    const lastPrompt = String(delivered.at(-1)?.prompt)
    expect(lastPrompt).toContain('You are Atlas')
    expect(lastPrompt).toContain(`rex's fix did not work: \`CI\` failed again at ${sha(2).slice(0, 12)}`)
    // handed to a person: the branch is released (the window still holds it)
    expect(await w.ledger.activeOn(repo, branch)).toBeUndefined()
    const later = await handleWorkflowJob(job(repo, branch, 6200, failedRun(6200, sha(6)), sha(6), {}, 'dev'), w.deps)
    expect(later.body).toMatchObject({ dedup_status: 'skipped', reason: 'a remediation ran on this branch within the window' })
  })

  it('a redelivery of the same failure is still `existing`, and a failure before any delivery is not a failed fix', async () => {
    const w = wiring()
    const repo = 'acme/redeliver'
    const jobId = failedRun(6300, sha(11))
    expect((await handleWorkflowJob(job(repo, 'main', 6300, jobId, sha(11), {}, 'dev'), w.deps)).body.dedup_status).toBe('new')
    // not yet delivered (the dispatch step has not run): a new failure is skipped, not counted
    const early = await handleWorkflowJob(job(repo, 'main', 6301, failedRun(6301, sha(12)), sha(12), {}, 'dev'), w.deps)
    expect(early.body).toMatchObject({ dedup_status: 'skipped' })
    await w.dispatch()
    const again = await handleWorkflowJob(job(repo, 'main', 6300, jobId, sha(11), {}, 'dev'), w.deps)
    expect(again.body).toMatchObject({ status: 'duplicate', dedup_status: 'existing' })
    const [r] = await w.all()
    expect(r?.attempts.map((a) => a.outcome)).toEqual(['dispatched'])
  })
})

describe('fixed: a success of the same workflow after the dispatch, and the branch window', () => {
  it("unrelated successes fix nothing; the same workflow's success fixes it, frees the branch, and the window governs re-triage", async () => {
    const w = wiring({ branchWindowMs: 3_000 })
    const repo = 'acme/fixed'
    const r = await handleWorkflowJob(job(repo, 'main', 6400, failedRun(6400, sha(21)), sha(21), {}, 'dev'), w.deps)
    await w.dispatch()
    const id = r.body.remediation_id as string
    const success = (over: Record<string, unknown>) => handleWorkflowJob(job(repo, 'main', 6499, 64999, sha(22), { conclusion: 'success', ...over }), w.deps)
    expect((await success({ workflow_name: 'Docs', name: 'build docs' })).body).toEqual({ status: 'tracked', fixed: [] })
    expect((await success({ name: 'unit tests' })).body).toEqual({ status: 'tracked', fixed: [] }) // same workflow, another job
    expect((await handleCheckRun({ action: 'completed', check_run: { id: 1, name: 'external-ci', head_sha: sha(22), conclusion: 'success', check_suite: { id: 2, head_branch: 'main' }, pull_requests: [] }, repository: { full_name: repo } }, w.deps)).body).toEqual({ status: 'tracked', fixed: [] })
    expect(await w.ledger.activeOn(repo, 'main')).toMatchObject({ id })
    expect((await success({})).body).toEqual({ status: 'tracked', fixed: [r.body.coderun_name] })
    const fixed = await w.state.get<RemediationRecord>(REMEDIATIONS_GROUP, id)
    expect(fixed).toMatchObject({ status: 'fixed' })
    expect(fixed?.attempts.map((a) => a.outcome)).toEqual(['fixed'])
    expect(await w.ledger.activeOn(repo, 'main')).toBeUndefined()
    // within the window a new failure is skipped; after it a new remediation starts on the same commit
    // (a re-run): same seed-001 name, its own record
    const rerun = (attempt: number) => handleWorkflowJob(job(repo, 'main', 6400, 64001, sha(21), { run_attempt: attempt }, 'dev'), w.deps)
    gh.runs.get(6400)?.push({ id: 64001, name: 'lint / clippy', workflowName: 'CI', conclusion: 'failure', steps: [], log: CLIPPY })
    expect((await rerun(2)).body).toMatchObject({ dedup_status: 'skipped', reason: 'a remediation ran on this branch within the window' })
    await new Promise((res) => setTimeout(res, 3_100))
    const second = await rerun(3)
    expect(second.body).toMatchObject({ dedup_status: 'new', coderun_name: r.body.coderun_name })
    expect(second.body.remediation_id).not.toBe(id)
    const all = await w.all()
    expect(all.map((x) => x.name)).toEqual([r.body.coderun_name, r.body.coderun_name])
    expect(all.find((x) => recordKey(x) === id)?.status).toBe('fixed') // not overwritten
  })

  it('holds the branch for active_ttl from cicd.yml (not a hard-coded hour)', async () => {
    const w = wiring()
    const deps = { ...w.deps, activeTtlMs: 5_000 }
    const r = await handleWorkflowJob(job('acme/ttl', 'main', 6500, failedRun(6500, sha(31)), sha(31), {}, 'dev'), deps)
    expect(r.body.dedup_status).toBe('new')
    const keys = await redis.keys(`${prefix}*active:acme/ttl:main`)
    expect(keys).toHaveLength(1)
    const ttl = await redis.pttl(keys[0] as string)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(5_000)
    expect(cicdConfigSchema.parse({ healer: { active_ttl: '2h', branch_window: '5m' } }).healer).toMatchObject({ active_ttl: 7_200_000, branch_window: 300_000 })
  })
})

describe('fix_branch (seed 001: the failing branch or a new one)', () => {
  it('new: the fix goes to healer/<remediation>, the agent and the sinks are told, and a failure or success there is the fix’s', async () => {
    const w = wiring({ fixBranch: 'new' })
    const repo = 'acme/fixbranch'
    const r = await handleWorkflowJob(job(repo, 'feat/y', 6600, failedRun(6600, sha(41)), sha(41), {}, 'dev'), w.deps)
    const id = r.body.remediation_id as string
    const rec = (await w.state.get<RemediationRecord>(REMEDIATIONS_GROUP, id)) as RemediationRecord
    const fixBranch = `healer/${id.replace(/^healer-/, '')}`
    expect(rec.fixBranch).toBe(fixBranch)
    expect(remediationPrompt(rec)).toContain(`Push the fix to a new branch \`${fixBranch}\` and open a pull request against feat/y`)
    await w.dispatch()
    expect(delivered.at(-1)).toMatchObject({ remediation_id: id, fix_strategy: 'new', fix_branch: fixBranch, coderun_name: rec.name })
    const onFix = await handleWorkflowJob(job(repo, fixBranch, 6601, failedRun(6601, sha(42)), sha(42)), w.deps)
    expect(onFix.body).toMatchObject({ status: 'failed-fix', remediation_id: id })
    await w.dispatch()
    const ok = await handleWorkflowJob(job(repo, fixBranch, 6602, 66029, sha(43), { conclusion: 'success' }), w.deps)
    expect(ok.body).toEqual({ status: 'tracked', fixed: [rec.name] })
    expect(await w.ledger.activeOn(repo, fixBranch)).toBeUndefined()
    expect(await w.ledger.activeOn(repo, 'feat/y')).toBeUndefined()
  })

  it('same: the agent is told to push to the failing branch', async () => {
    const w = wiring({ fixBranch: 'same' })
    const r = await handleWorkflowJob(job('acme/same', 'feat/z', 6700, failedRun(6700, sha(51)), sha(51), {}, 'dev'), w.deps)
    const rec = (await w.state.get<RemediationRecord>(REMEDIATIONS_GROUP, r.body.remediation_id as string)) as RemediationRecord
    expect(rec.fixBranch).toBe('feat/z')
    expect(remediationPrompt(rec)).toContain('Push the fix as a new commit to feat/z (the failing branch)')
  })
})
