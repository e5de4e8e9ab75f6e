/**
 * The comment sink and the last step of the escalation against a local HTTP server speaking
 * GitHub's REST endpoints (fake-github): comments go on the failure's pull request
 * (`POST /issues/{n}/comments`, found from the payload or `GET /commits/{sha}/pulls`), else on the
 * commit; a hand-off to a person labels the pull request (`POST /issues/{n}/labels`).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Octokit } from '@octokit/rest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cicdConfigSchema } from '../../shared/config/schema'
import { LocalExecutor } from '../../shared/executors/local/executor'
import { dispatchRemediation } from '../../shared/healer/dispatch'
import { handToHuman } from '../../shared/healer/human'
import type { RemediationRecord } from '../../shared/healer/intake'
import { deliver } from '../../shared/healer/sinks'
import { FakeGitHub } from '../helpers/fake-github'

const gh = new FakeGitHub()
let refuse: Server
let refuseUrl = ''
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
const HEAD = 'feed0000feed0000feed0000feed0000feed0000'
const MERGED = 'bead0000bead0000bead0000bead0000bead0000'
const LONE = 'cafe1111cafe1111cafe1111cafe1111cafe1111'

beforeAll(async () => {
  await gh.start()
  gh.pulls.set(12, { ref: 'feat/pr', sha: HEAD })
  gh.pulls.set(11, { ref: 'feat/old', sha: MERGED, state: 'closed' })
  gh.pulls.set(14, { ref: 'feat/other', sha: 'a'.repeat(40), commits: [HEAD] }) // also contains HEAD, but is not its head
  // a sink that always refuses: every attempt fails, so the escalation reaches a person
  refuse = createServer((_req, res) => {
    res.statusCode = 500
    res.end('{}')
  })
  await new Promise<void>((r) => refuse.listen(0, '127.0.0.1', r))
  refuseUrl = `http://127.0.0.1:${(refuse.address() as AddressInfo).port}/remediate`
})
afterAll(async () => {
  await gh.stop()
  refuse.closeAllConnections()
  await new Promise((r) => refuse.close(r))
})

const record = (over: Partial<RemediationRecord> = {}): RemediationRecord => ({
  name: 'healer-ci-rex-feed0000',
  repo: 'acme/pulls',
  runId: 42,
  attempt: 1,
  branch: 'feat/pr',
  commit: HEAD,
  workflow: 'CI',
  job: 'lint / clippy',
  decision: { category: 'rust', agent: 'rex', failureType: 'rust_clippy', confidence: 0.93, evidence: ['error: unused variable'], reasons: ['clippy'] },
  logTail: 'error: unused variable',
  status: 'dispatched',
  attempts: [],
  createdAt: new Date().toISOString(),
  ...over,
})
const healer = (over: Record<string, unknown>) => cicdConfigSchema.parse({ healer: over }).healer
const deps = () => ({ github: new Octokit({ baseUrl: gh.url, log: quiet }), local: new LocalExecutor(), secrets: [] })

describe('comment sink and human hand-off (fake-github REST server)', () => {
  it("comments on the pull request the payload named, not on the commit", async () => {
    const before = gh.comments.length
    const res = await deliver({ type: 'comment' }, record({ pull: 12 }), 'rex', 'the prompt', deps())
    expect(res).toMatchObject({ sink: 'comment', ok: true })
    expect(res.detail).toMatch(/^pull #12: https:\/\/github\.com\/acme\/pulls\/pull\/12#issuecomment-\d+$/)
    expect(gh.issueComments.at(-1)).toMatchObject({ repo: 'acme/pulls', issue: 12 })
    expect(gh.issueComments.at(-1)?.body).toContain('routed this CI failure to **rex**')
    expect(gh.comments.length).toBe(before)
    expect(gh.calls).not.toContain(`GET /repos/acme/pulls/commits/${HEAD}/pulls`)
  })

  it("finds the open pull request whose head is the commit through GET /commits/{sha}/pulls, once per dispatch", async () => {
    const calls = () => gh.calls.filter((c) => c === `GET /repos/acme/pulls/commits/${HEAD}/pulls`).length
    const n = calls()
    const r = await dispatchRemediation(record(), healer({ sinks: [{ type: 'comment' }, { type: 'comment' }] }), deps())
    expect(r.status).toBe('delivered')
    expect(r.pull).toBe(12)
    expect(calls()).toBe(n + 1)
    expect(gh.issueComments.slice(-2).map((c) => c.issue)).toEqual([12, 12])
  })

  it('comments on the commit when its only pull request is closed (a commit on main after the merge)', async () => {
    const before = gh.issueComments.length
    const res = await deliver({ type: 'comment' }, record({ commit: MERGED, branch: 'main' }), 'rex', 'p', deps())
    expect(res.detail).toMatch(new RegExp(`^commit ${MERGED.slice(0, 12)}: https://github.com/acme/pulls/commit/${MERGED}#commitcomment-\\d+$`))
    expect(gh.comments.at(-1)).toMatchObject({ sha: MERGED })
    expect(gh.issueComments.length).toBe(before)
  })

  it('escalates specialist → Atlas → a person: labels the pull request with human_label, comments there, and records it', async () => {
    const r = await dispatchRemediation(record(), healer({ sinks: [{ type: 'http', url: refuseUrl }], retry_limit: 1, human_label: 'healer/needs-human' }), deps())
    expect(r.status).toBe('needs-human')
    expect(r.attempts.map((a) => a.agent)).toEqual(['rex', 'atlas'])
    expect(r.corrections).toEqual([expect.objectContaining({ from: 'rex', to: 'atlas', by: 'escalation' })])
    expect(r.originalAgent).toBe('rex')
    expect(gh.urls).toContain('POST /repos/acme/pulls/issues/12/labels')
    expect(gh.labels.get('acme/pulls#12')).toEqual(['healer/needs-human'])
    expect(r.human).toMatchObject({ label: 'healer/needs-human', pull: 12, labelled: true })
    expect(r.human?.comment).toMatch(/pull\/12#issuecomment-/)
    expect(r.human?.detail).toEqual(['labelled pull #12 healer/needs-human', 'commented on pull #12'])
    const told = gh.issueComments.at(-1)?.body ?? ''
    expect(told).toContain('hands it to a person (label `healer/needs-human`)')
    expect(told).toContain('tried: rex → atlas')
  })

  it('without a pull request the hand-off is a commit comment and the record says the label could not be applied', async () => {
    const r = await dispatchRemediation(record({ commit: LONE, branch: 'hotfix', decision: { category: 'github', agent: 'atlas', failureType: 'permissions', confidence: 0.9, evidence: [], reasons: ['403'] } }), healer({ sinks: [{ type: 'http', url: refuseUrl }], retry_limit: 1 }), deps())
    expect(r.status).toBe('needs-human')
    expect(r.corrections).toEqual([])
    expect(r.human).toMatchObject({ label: 'needs-human', labelled: false })
    expect(r.human?.pull).toBeUndefined()
    expect(r.human?.detail[0]).toBe(`no open pull request for ${LONE.slice(0, 12)}: label needs-human not applied`)
    expect(gh.comments.at(-1)).toMatchObject({ sha: LONE })
  })

  it('records a label GitHub refuses instead of throwing, and still comments', async () => {
    const h = await handToHuman(record({ pull: 99 }), 'needs-human', deps().github)
    expect(h.labelled).toBe(false)
    expect(h.detail[0]).toMatch(/^label needs-human on pull #99 failed: Not Found/)
    expect(h.detail[1]).toMatch(/^comment failed: Not Found/)
  })
})
