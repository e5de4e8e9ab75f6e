import type { EventConfig, FlowContext } from 'motia'
import { HEALER_INTAKE_TOPIC } from '../../shared/healer/intake-queue'
import { runQueuedIntake } from '../../shared/healer/intake-worker'
import { healerDeps } from '../../shared/server/services'

const MAX_RETRIES = 2

export const config: EventConfig = {
  type: 'event',
  name: 'HealerIntake',
  description: "GitHub's CI failures and /healer commands, queued by the webhook: the log, root cause, specialist, de-duplication; a failing triage is retried, then recorded as failed",
  subscribes: [HEALER_INTAKE_TOPIC],
  emits: ['ci.remediation.dispatched'],
  flows: ['cicd-healer'],
  // log download (bounded), commit lookup (5 s), the model (defaults.llm.timeout): well within the lock
  infrastructure: { queue: { type: 'standard', maxRetries: MAX_RETRIES, visibilityTimeout: 120 } },
}

type Emit = { topic: string; data: unknown }

export const handler = async (input: unknown, ctx: FlowContext<Emit>) => {
  // a failed attempt throws (IntakeRetry): the queue tries again; the last one is recorded as failed
  const r = await runQueuedIntake(input, { state: ctx.state, healer: () => healerDeps(ctx.state, ctx.emit), maxAttempts: MAX_RETRIES + 1 })
  if (r.outcome === 'invalid') return ctx.logger.error('invalid ci.healer.intake payload', { issues: r.issues })
  const { deliveryId, event, status, attempts, result, error } = r.record
  if (r.outcome === 'failed') ctx.logger.error('healer intake failed after every attempt', { deliveryId, event, attempts, error })
  else ctx.logger.info('healer intake', { deliveryId, event, status, attempts, outcome: r.outcome, answer: result?.status, agent: result?.agent, dedup: result?.dedup_status })
}
