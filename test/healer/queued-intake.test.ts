/**
 * The webhook answers a CI failure at once (202 queued) and the triage runs in the queue: a real
 * BullMQ queue and worker on the real Redis (db 9, own prefix) with the HealerIntake step's own
 * retry setting, the step's core (runQueuedIntake) as the job, and GitHub's REST endpoints served
 * by a local HTTP server (fake-github). A triage that keeps failing is retried by the queue and
 * finally recorded as failed, with the reason, where GET /api/status reads it.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Octokit } from '@octokit/rest'
import { Queue, QueueEvents, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cicdConfigSchema } from '../../shared/config/schema'
import { RemediationLedger } from '../../shared/healer/dedup'
import type { RemediateDeps, RemediationRecord } from '../../shared/healer/intake'
import { healerIngress } from '../../shared/healer/intake-ingress'
import { HEALER_INTAKE_TOPIC } from '../../shared/healer/intake-queue'
import { INTAKES_GROUP, intakeSummary, type IntakeRecord } from '../../shared/healer/intake-record'
import { runQueuedIntake } from '../../shared/healer/intake-worker'
import { recordKey } from '../../shared/healer/record'
import { statusEntry } from '../../shared/healer/status-entry'
import { REMEDIATIONS_GROUP } from '../../shared/healer/tracking'
import { RedisDeliveryLedger } from '../../shared/ingress/deliveries'
import { handleGithubWebhook, type WebhookDeps } from '../../shared/ingress/github-webhook'
import { MemoryState, RunStore } from '../../shared/runs/store'
import { config as intakeStep } from '../../steps/healer/intake.step'
import { FakeGitHub } from '../helpers/fake-github'
import { testRedisUrl } from '../helpers/services'

const FIX = path.resolve(import.meta.dirname, '../fixtures/ci-failures/logs')
const SECRET = 'queued-intake-secret'
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
const prefix = `cicd:test:queued-intake:${randomUUID()}`
const gh = new FakeGitHub()
const state = new MemoryState()
const maxRetries = intakeStep.infrastructure?.queue?.maxRetries ?? 0
let redis: Redis
let queue: Queue
let events: QueueEvents
let worker: Worker

const healerDeps = (): Omit<RemediateDeps, 'token'> => ({
  github: new Octokit({ baseUrl: gh.url, log: quiet }),
  ledger: new RemediationLedger(redis, `${prefix}:remediations:`),
  branchWindowMs: 600_000,
  processBots: false,
  commitLookupTimeoutMs: 2000,
  load: (id) => state.get<RemediationRecord>(REMEDIATIONS_GROUP, id),
  save: async (r) => void (await state.set(REMEDIATIONS_GROUP, recordKey(r), r)),
})

beforeAll(async () => {
  await gh.start()
  redis = new Redis(testRedisUrl(9))
  const connection = { host: redis.options.host ?? '127.0.0.1', port: redis.options.port ?? 6379, db: 9 }
  gh.runs.set(6100, [{ id: 61001, name: 'lint / clippy', workflowName: 'CI', conclusion: 'failure', steps: [{ name: 'Run cargo clippy --locked --all-targets -- -D warnings', conclusion: 'failure' }], log: readFileSync(path.join(FIX, 'ci-0010.log'), 'utf8') }])
  gh.runs.set(6200, [{ id: 62001, name: 'build', workflowName: 'CI', conclusion: 'failure', steps: [{ name: 'Run cargo build', conclusion: 'failure' }], log: '', logGone: true }])
  // Motia's BullMQ adapter: attempts = maxRetries + 1, a fixed backoff between them
  queue = new Queue(HEALER_INTAKE_TOPIC, { connection, prefix, defaultJobOptions: { attempts: maxRetries + 1, backoff: { type: 'fixed', delay: 200 } } })
  events = new QueueEvents(HEALER_INTAKE_TOPIC, { connection, prefix })
  worker = new Worker(HEALER_INTAKE_TOPIC, async (job) => runQueuedIntake(job.data, { state, healer: async () => healerDeps(), maxAttempts: maxRetries + 1 }), { connection, prefix })
  await events.waitUntilReady()
})
afterAll(async () => {
  await worker?.close()
  await events?.close()
  await queue?.obliterate({ force: true }).catch(() => undefined)
  await queue?.close()
  await gh.stop()
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
  redis?.disconnect()
})

/** Jobs added by the webhook, to wait for. */
const added: Promise<unknown>[] = []
const webhookDeps = (): WebhookDeps => ({
  secret: SECRET,
  insecure: false,
  loadConfig: () => cicdConfigSchema.parse({}),
  ledger: new RedisDeliveryLedger(redis, `${prefix}:delivery:`),
  runs: new RunStore(new MemoryState()),
  emit: async () => {},
  healer: healerIngress(state, async (e) => {
    const job = await queue.add(e.topic, e.data)
    added.push(job.waitUntilFinished(events, 30_000).catch((err: unknown) => err))
  }, () => ({ processBots: false })),
})

function deliver(body: unknown, delivery: string, event = 'workflow_job') {
  const raw = JSON.stringify(body)
  const headers = { 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}` }
  return handleGithubWebhook({ headers, rawBody: raw, body }, webhookDeps())
}

const job = (runId: number, jobId: number, name: string, sha: string, conclusion = 'failure') => ({
  action: 'completed',
  workflow_job: { id: jobId, run_id: runId, run_attempt: 1, workflow_name: 'CI', name, head_branch: `feat/${runId}`, head_sha: sha, conclusion, steps: [{ name: `Run ${name}`, conclusion }], labels: ['ubuntu-latest'], runner_name: 'GitHub Actions 2' },
  repository: { full_name: 'acme/queued', private: false, owner: { login: 'acme' } },
  sender: { login: 'dev' },
})

const intakes = async () => state.getGroup<IntakeRecord>(INTAKES_GROUP)

describe('the Healer webhook queues its triage (real BullMQ queue on real Redis, fake-github)', () => {
  it('answers 202 queued without calling GitHub, then the queued step triages it and /api/status lists the remediation', async () => {
    gh.commits.set('6'.repeat(40), 'feat: parser')
    const calls = gh.calls.length
    const id = randomUUID()
    const r = await deliver(job(6100, 61001, 'lint / clippy', '6'.repeat(40)), id)
    expect(r).toEqual({ status: 202, body: { queued: true, deliveryId: id, event: 'workflow_job' } })
    expect(gh.calls.length).toBe(calls) // neither the log nor the commit was read inside the request
    // the queued event carries the parsed fields, not the raw payload
    const [queuedJob] = await queue.getJobs(['waiting', 'active', 'completed'])
    expect(JSON.stringify(queuedJob?.data)).not.toContain('runner_name')
    await Promise.all(added.splice(0))
    expect(gh.calls).toContain('GET /repos/acme/queued/actions/jobs/61001/logs')
    const remediations = (await state.getGroup<RemediationRecord>(REMEDIATIONS_GROUP)).map(statusEntry)
    expect(remediations).toEqual([expect.objectContaining({ name: 'healer-ci-rex-66666666', repo: 'acme/queued', job: 'lint / clippy', agent: 'rex', category: 'rust', status: 'dispatched' })])
    expect(await state.get<IntakeRecord>(INTAKES_GROUP, id)).toMatchObject({ status: 'triaged', attempts: 1, result: { http: 202, status: 'accepted', agent: 'rex', dedup_status: 'new' } })
    // a redelivery (same X-GitHub-Delivery) queues nothing
    const again = await deliver(job(6100, 61001, 'lint / clippy', '6'.repeat(40)), id)
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, deliveryId: id } })
    expect(added).toHaveLength(0)
  })

  it('answers what it filters out cheaply (in progress, cancelled, an invalid payload) at once and queues nothing', async () => {
    const inProgress = await deliver({ ...job(6100, 61001, 'lint / clippy', '6'.repeat(40)), action: 'in_progress' }, randomUUID())
    expect(inProgress).toMatchObject({ status: 202, body: { ignored: true, reason: 'workflow_job in_progress: only completed jobs are triaged' } })
    const cancelled = await deliver(job(6100, 61001, 'lint / clippy', '6'.repeat(40), 'cancelled'), randomUUID())
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'skipped', reason: 'conclusion is cancelled, not failure' } })
    const bad = await deliver({ action: 'completed', workflow_job: { id: 1 }, repository: { full_name: 'acme/queued' } }, randomUUID())
    expect(bad.status).toBe(400)
    expect(bad.body.field).toBe('workflow_job.run_id')
    expect(added).toHaveLength(0)
  })

  it('retries a triage that fails (the job log is gone: GitHub answers 410) and finally records it as failed with the reason', async () => {
    gh.commits.set('7'.repeat(40), 'fix: build')
    const id = randomUUID()
    expect((await deliver(job(6200, 62001, 'build', '7'.repeat(40)), id)).body).toMatchObject({ queued: true })
    const [outcome] = await Promise.all(added.splice(0))
    expect(outcome).toMatchObject({ outcome: 'failed' })
    expect(maxRetries).toBeGreaterThanOrEqual(1)
    expect(gh.calls.filter((c) => c === 'GET /repos/acme/queued/actions/jobs/62001/logs')).toHaveLength(maxRetries + 1)
    const record = await state.get<IntakeRecord>(INTAKES_GROUP, id)
    expect(record).toMatchObject({ status: 'failed', attempts: maxRetries + 1, repo: 'acme/queued', event: 'workflow_job' })
    expect(record?.error).toContain('github_unavailable')
    expect(intakeSummary(await intakes())).toMatchObject({ failed: 1, deliveries: [expect.objectContaining({ deliveryId: id, status: 'failed', error: expect.stringContaining('could not read') })] })
  })
})
