import type { CicdConfig } from '../config/schema'
import { findRepository } from '../config/load'
import { ConfigError } from '../config/errors'
import { verifySignature } from '../github/signature'
import { branchOf, pushPayloadSchema } from '../github/push-event'
import type { RunStore } from '../runs/store'
import { newRunId, newTraceId } from '../runs/ids'
import { TOPICS, type CommitReceived } from '../pipeline/events'
import type { DeliveryLedger } from './deliveries'
import { header, invalidField, problem, type HttpAnswer, type IngressRequest } from './answer'
import { branchMatches, createQueuedRun } from './start-run'
import { isHealerEvent, type HealerEvent, type HealerIntake } from '../healer/intake-queue'

export interface WebhookDeps {
  secret: string | undefined
  /** CICD_INSECURE_WEBHOOKS=1: accept unsigned webhooks when no secret is set (development only). */
  insecure: boolean
  loadConfig: () => CicdConfig
  ledger: DeliveryLedger
  runs: RunStore
  /** Queues the event (and notes it on the run's timeline). */
  emit: (topic: typeof TOPICS.commitReceived, data: CommitReceived) => Promise<void>
  warn?: (msg: string) => void
  /** The Healer's intake (workflow_job, check_run, check_suite, status, issue_comment): screened here, triaged by a queued step. */
  healer?: HealerIngress
}

export interface HealerIngress {
  /** The cheap checks (no GitHub, no model): an answer, or the delivery's parsed fields to queue. May throw (cicd.yml unreadable). */
  screen: (event: HealerEvent, deliveryId: string, payload: unknown) => { answer: HttpAnswer } | { intake: HealerIntake }
  /** Records the delivery (`queued`) and emits `ci.healer.intake`. */
  queue: (intake: HealerIntake) => Promise<void>
}

/** Events the Healer only tracks (seed 001): acknowledged, nothing started. */
const TRACKED_ONLY = new Set(['check_suite', 'pull_request_review', 'merge_group'])

const unavailable = (what: string, err: unknown) => problem(503, 'unavailable', `${what}: ${err instanceof Error ? err.message : String(err)}. GitHub can redeliver it.`)

/**
 * A Healer delivery is claimed by its `X-GitHub-Delivery` id like a push, so a redelivery (GitHub's
 * retry, or "Redeliver" in the app's settings) starts nothing: no second triage, no second
 * `/healer retry` re-run. It is then validated and screened (what can be answered at once is), and
 * queued: the log download, the classifier and the model run in the queued step, not within GitHub's
 * 10 s. An answer GitHub should retry (5xx: the queue or Redis unavailable) releases the claim.
 */
async function healerDelivery(event: HealerEvent, delivery: string | undefined, payload: unknown, healer: HealerIngress, ledger: DeliveryLedger): Promise<HttpAnswer> {
  if (!delivery) return problem(400, 'invalid_request', 'X-GitHub-Delivery header is missing', { field: 'X-GitHub-Delivery' })
  let claim
  try {
    claim = await ledger.claim(delivery, `healer:${event}`)
  } catch (err) {
    return unavailable('cannot record the delivery (Redis unavailable?)', err)
  }
  if (!claim.fresh) return { status: 200, body: { duplicate: true, deliveryId: delivery, event, reason: 'this delivery was handled before' } }
  let answer: HttpAnswer
  try {
    const screened = healer.screen(event, delivery, payload)
    if ('intake' in screened) {
      await healer.queue(screened.intake)
      answer = { status: 202, body: { queued: true, deliveryId: delivery, event } }
    } else answer = screened.answer
  } catch (err) {
    answer = unavailable(`the ${event} delivery could not be queued`, err)
  }
  if (answer.status >= 500) await ledger.release(delivery).catch(() => undefined)
  return answer
}

/**
 * POST /api/cicd/webhook/github. Verifies, de-duplicates and queues; never does pipeline work
 * inline, so GitHub gets its answer well within 10 s.
 */
export async function handleGithubWebhook(req: IngressRequest, deps: WebhookDeps): Promise<HttpAnswer> {
  if (!deps.secret) {
    if (!deps.insecure)
      return problem(401, 'webhook_secret_not_configured', 'GITHUB_WEBHOOK_SECRET is not set, so no webhook can be verified. Set it to the secret configured on GitHub (or CICD_INSECURE_WEBHOOKS=1 for local experiments only).')
    deps.warn?.('accepting an unsigned webhook: CICD_INSECURE_WEBHOOKS=1 and no GITHUB_WEBHOOK_SECRET')
  } else if (!verifySignature(deps.secret, req.rawBody, header(req, 'x-hub-signature-256'))) {
    const given = header(req, 'x-hub-signature-256')
    return problem(401, given ? 'invalid_signature' : 'missing_signature', given ? 'X-Hub-Signature-256 does not match the body (is GITHUB_WEBHOOK_SECRET the same as on GitHub?)' : 'X-Hub-Signature-256 header is missing', { field: 'X-Hub-Signature-256' })
  }

  const event = header(req, 'x-github-event')
  const delivery = header(req, 'x-github-delivery')
  if (!event) return problem(400, 'invalid_request', 'X-GitHub-Event header is missing', { field: 'X-GitHub-Event' })
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) return problem(400, 'invalid_request', 'the body must be a JSON object', { field: '(body)' })
  if (event === 'ping') return { status: 200, body: { ok: true, event: 'ping' } }
  if (deps.healer && isHealerEvent(event)) return healerDelivery(event, delivery, req.body, deps.healer, deps.ledger)
  if (TRACKED_ONLY.has(event)) return { status: 202, body: { tracked: true, event } }
  if (event !== 'push') return { status: 202, body: { ignored: true, reason: `event "${event}" does not start a pipeline` } }

  const raw = req.body as Record<string, unknown>
  if (raw.deleted === true) return { status: 202, body: { ignored: true, reason: 'the push deleted a branch or tag' } }
  const parsed = pushPayloadSchema.safeParse(raw)
  if (!parsed.success) return invalidField(parsed.error.issues)
  const push = parsed.data
  const branch = branchOf(push.ref)
  if (!branch) return { status: 202, body: { ignored: true, reason: `ref ${push.ref} is not a branch` } }

  let config: CicdConfig
  try {
    config = deps.loadConfig()
  } catch (err) {
    return problem(503, 'config_invalid', err instanceof ConfigError ? err.message : String(err))
  }
  const repo = findRepository(config, push.repository.full_name) ?? findRepository(config, push.repository.name)
  if (!repo) return { status: 202, body: { ignored: true, reason: `repository ${push.repository.full_name} is not configured in cicd.yml` } }
  if (!branchMatches(repo, branch)) return { status: 202, body: { ignored: true, reason: `branch ${branch} is not in ${repo.name}'s branches (${repo.branches.join(', ')})` } }
  if (!delivery) return problem(400, 'invalid_request', 'X-GitHub-Delivery header is missing', { field: 'X-GitHub-Delivery' })

  const runId = newRunId()
  let claim
  try {
    claim = await deps.ledger.claim(delivery, runId)
  } catch (err) {
    return problem(503, 'unavailable', `cannot record the delivery (Redis unavailable?): ${err instanceof Error ? err.message : String(err)}. GitHub can redeliver it.`)
  }
  if (!claim.fresh) return { status: 200, body: { duplicate: true, runId: claim.runId, deliveryId: delivery } }

  try {
    const data = await createQueuedRun(deps.runs, {
      runId,
      traceId: newTraceId(),
      repo,
      commit: push.after,
      branch,
      before: push.before,
      trigger: 'push',
      deliveryId: delivery,
      ...(push.head_commit?.message ? { message: push.head_commit.message } : {}),
      ...(push.pusher?.name ? { author: push.pusher.name } : {}),
    })
    await deps.emit(TOPICS.commitReceived, data)
  } catch (err) {
    await deps.ledger.release(delivery).catch(() => undefined)
    return problem(503, 'unavailable', `the run could not be queued: ${err instanceof Error ? err.message : String(err)}. GitHub can redeliver it.`)
  }
  return { status: 202, body: { runId, repo: repo.name, commit: push.after, branch, status: 'queued', run: `/api/cicd/runs/${runId}` } }
}
