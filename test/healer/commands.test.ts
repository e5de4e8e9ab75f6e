/**
 * `/healer` commands through the signed webhook ingress: the webhook answers 202 queued and the
 * queued intake (runQueuedIntake, what the HealerIntake step runs) does the work; a redelivered
 * `/healer retry` (same `X-GitHub-Delivery`) re-runs the jobs once, and only
 * OWNER/MEMBER/COLLABORATOR (configurable) may command. GitHub's REST endpoints are served by a
 * local HTTP server (fake-github); the delivery ledger is the real Redis one (db 10, own prefix).
 */
import { createHmac, randomUUID } from 'node:crypto'
import { Octokit } from '@octokit/rest'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cicdConfigSchema } from '../../shared/config/schema'
import { RemediationLedger } from '../../shared/healer/dedup'
import { handleIssueComment, type RemediateDeps } from '../../shared/healer/intake'
import { healerIngress } from '../../shared/healer/intake-ingress'
import { HEALER_INTAKE_TOPIC } from '../../shared/healer/intake-queue'
import { runQueuedIntake } from '../../shared/healer/intake-worker'
import { RedisDeliveryLedger } from '../../shared/ingress/deliveries'
import { handleGithubWebhook, type WebhookDeps } from '../../shared/ingress/github-webhook'
import { MemoryState, RunStore } from '../../shared/runs/store'
import { FakeGitHub } from '../helpers/fake-github'
import { testRedisUrl } from '../helpers/services'

const gh = new FakeGitHub()
const SECRET = 'webhook-secret'
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
let redis: Redis
const prefix = `cicd:test:commands:${randomUUID()}:`
const HEAD = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'

beforeAll(async () => {
  await gh.start()
  redis = new Redis(testRedisUrl(10))
  gh.pulls.set(77, { ref: 'feat/cmd', sha: HEAD })
  gh.workflowRuns.push({ id: 7700, name: 'CI', sha: HEAD, branch: 'feat/cmd', attempt: 1 })
})
afterAll(async () => {
  await gh.stop()
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis?.disconnect()
})

const healerDeps = (allowed?: string[]): Omit<RemediateDeps, 'token'> => ({
  github: new Octokit({ baseUrl: gh.url, log: quiet }),
  ledger: new RemediationLedger(redis, `${prefix}remediations:`),
  branchWindowMs: 600_000,
  processBots: false,
  save: async () => {},
  ...(allowed ? { allowedAssociations: allowed } : {}),
})

const comment = (body: string, association: string | undefined, login = 'someone') => ({
  action: 'created',
  issue: { number: 77, pull_request: { url: 'https://api.github.com/repos/acme/cmd/pulls/77' } },
  comment: { body, user: { login }, ...(association ? { author_association: association } : {}) },
  repository: { full_name: 'acme/cmd' },
})

const state = new MemoryState()
/** What the webhook queued (ci.healer.intake), in order. */
const queued: unknown[] = []
function webhookDeps(emit: (e: { topic: string; data: unknown }) => Promise<void> = async (e) => void queued.push(e.data)): WebhookDeps {
  return {
    secret: SECRET,
    insecure: false,
    loadConfig: () => cicdConfigSchema.parse({}),
    ledger: new RedisDeliveryLedger(redis, `${prefix}delivery:`),
    runs: new RunStore(new MemoryState()),
    emit: async () => {},
    healer: healerIngress(state, async (e) => {
      expect(e.topic).toBe(HEALER_INTAKE_TOPIC)
      await emit(e)
    }, () => ({ processBots: false })),
  }
}

/** The queue's side: every intake queued since the last call, through the HealerIntake step's core. */
async function drain() {
  const out = []
  for (const data of queued.splice(0)) out.push(await runQueuedIntake(data, { state, healer: async () => healerDeps(), maxAttempts: 3 }))
  return out
}

function deliver(deps: WebhookDeps, event: string, body: unknown, delivery?: string) {
  const raw = JSON.stringify(body)
  const headers: Record<string, string> = { 'x-github-event': event, 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}` }
  if (delivery) headers['x-github-delivery'] = delivery
  return handleGithubWebhook({ headers, rawBody: raw, body }, deps)
}

describe('Healer deliveries are claimed by X-GitHub-Delivery (real Redis ledger, fake-github REST server)', () => {
  it('queues a /healer retry (202, nothing done in the request); the queued intake re-runs the failed jobs; a redelivery starts nothing', async () => {
    const deps = webhookDeps()
    const before = gh.reruns.length
    const calls = gh.calls.length
    const id = randomUUID()
    const first = await deliver(deps, 'issue_comment', comment('/healer retry', 'MEMBER'), id)
    expect(first.status).toBe(202)
    expect(first.body).toEqual({ queued: true, deliveryId: id, event: 'issue_comment' })
    expect(gh.calls.length).toBe(calls) // no GitHub call inside the webhook request
    expect(queued).toEqual([{ deliveryId: id, event: 'issue_comment', payload: { repo: 'acme/cmd', pull: 77, command: 'retry' } }])
    const again = await deliver(deps, 'issue_comment', comment('/healer retry', 'MEMBER'), id)
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ duplicate: true, deliveryId: id, event: 'issue_comment' })
    expect(queued).toHaveLength(1)
    const intake = queued[0]
    const [done] = await drain()
    expect(done).toMatchObject({ outcome: 'triaged', answer: { body: { status: 'rerun', run_id: 7700 } }, record: { status: 'triaged', attempts: 1, result: { http: 202, status: 'rerun' } } })
    expect(gh.reruns.length).toBe(before + 1)
    // the queue delivering the same event again (a stalled job) re-runs nothing either
    expect(await runQueuedIntake(intake, { state, healer: async () => healerDeps(), maxAttempts: 3 })).toMatchObject({ outcome: 'done-before' })
    expect(gh.reruns.length).toBe(before + 1)
    // another delivery (a second comment) is another command
    await deliver(deps, 'issue_comment', comment('/healer retry', 'MEMBER'), randomUUID())
    await drain()
    expect(gh.reruns.length).toBe(before + 2)
  })

  it('requires the delivery id, and releases the claim when the delivery cannot be queued (5xx)', async () => {
    const missing = await deliver(webhookDeps(), 'issue_comment', comment('/healer retry', 'MEMBER'))
    expect(missing.status).toBe(400)
    expect(missing.body.field).toBe('X-GitHub-Delivery')
    const down = webhookDeps(async () => {
      throw new Error('queue unavailable')
    })
    const id = randomUUID()
    const refused = await deliver(down, 'issue_comment', comment('/healer retry', 'MEMBER'), id)
    expect(refused.status).toBe(503)
    expect(String(refused.body.message)).toContain('queue unavailable')
    const retried = await deliver(webhookDeps(), 'issue_comment', comment('/healer retry', 'MEMBER'), id)
    expect(retried.body).toEqual({ queued: true, deliveryId: id, event: 'issue_comment' })
    const before = gh.reruns.length
    expect((await drain()).map((d) => d.outcome)).toEqual(['triaged'])
    expect(gh.reruns.length).toBe(before + 1)
  })

  it('answers what it filters out cheaply at once (not a command, a disallowed association, a bad payload) and queues nothing', async () => {
    const deps = webhookDeps()
    const notCommand = await deliver(deps, 'issue_comment', comment('thanks!', 'MEMBER'), randomUUID())
    expect(notCommand).toMatchObject({ status: 202, body: { ignored: true, reason: 'not a /healer command on a pull request' } })
    const drive = await deliver(deps, 'issue_comment', comment('/healer fix', 'NONE', 'drive-by'), randomUUID())
    expect(drive).toMatchObject({ status: 202, body: { ignored: true, reason: expect.stringContaining('drive-by is NONE of acme/cmd') } })
    const bad = await deliver(deps, 'issue_comment', { ...comment('/healer retry', 'MEMBER'), repository: {} }, randomUUID())
    expect(bad.status).toBe(400)
    expect(bad.body.field).toBe('repository.full_name')
    expect(queued).toHaveLength(0)
  })
})

describe('who may command the Healer (author_association)', () => {
  it('answers a commenter who is not OWNER, MEMBER or COLLABORATOR with an ignored reason, and runs nothing', async () => {
    const before = gh.reruns.length
    for (const association of ['NONE', 'CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', undefined]) {
      const r = await handleIssueComment(comment('/healer retry', association, 'drive-by'), healerDeps())
      expect(r.status).toBe(202)
      expect(r.body.ignored).toBe(true)
      expect(String(r.body.reason)).toContain(`drive-by is ${association ?? 'NONE'} of acme/cmd: /healer retry is accepted from OWNER, MEMBER, COLLABORATOR`)
    }
    const fix = await handleIssueComment(comment('/healer fix it', 'CONTRIBUTOR'), healerDeps())
    expect(fix.body.ignored).toBe(true)
    expect(gh.reruns.length).toBe(before)
    expect((await handleIssueComment(comment('/healer retry', 'COLLABORATOR'), healerDeps())).body).toEqual({ status: 'rerun', run_id: 7700 })
    expect(gh.reruns.length).toBe(before + 1)
  })

  it('follows healer.allowed_associations from cicd.yml', async () => {
    const allowed = cicdConfigSchema.parse({ healer: { allowed_associations: ['OWNER'] } }).healer.allowed_associations
    const member = await handleIssueComment(comment('/healer retry', 'MEMBER'), healerDeps(allowed))
    expect(member.body).toMatchObject({ ignored: true, reason: expect.stringContaining('accepted from OWNER (healer.allowed_associations)') })
    expect(cicdConfigSchema.safeParse({ healer: { allowed_associations: ['ADMIN'] } }).success).toBe(false)
  })
})
