import type { HttpAnswer } from '../ingress/answer'
import type { KeyValueState } from '../runs/store'
import { healerIntakeSchema, intakeRepo, processHealerIntake, type HealerIntake } from './intake-queue'
import { loadIntake, queuedRecord, resultOf, saveIntake, type IntakeRecord } from './intake-record'
import type { RemediateDeps } from './triage'

export interface IntakeWorkerDeps {
  state: KeyValueState
  /** The triage's dependencies (GitHub, the ledger, the model…), built only for a delivery that is triaged. */
  healer: () => Promise<Omit<RemediateDeps, 'token'>>
  /** The queue's attempts (`maxRetries + 1`): the last failed one is recorded as `failed` instead of thrown. */
  maxAttempts: number
  now?: () => Date
}

export type IntakeOutcome =
  | { outcome: 'invalid'; issues: string }
  | { outcome: 'done-before'; record: IntakeRecord }
  | { outcome: 'triaged'; record: IntakeRecord; answer: HttpAnswer }
  | { outcome: 'failed'; record: IntakeRecord }

/** A queued triage that failed and is to be retried by the queue. */
export class IntakeRetry extends Error {
  override readonly name = 'IntakeRetry'
}

const firstLine = (err: unknown) => (err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err)).slice(0, 500)

/**
 * One `ci.healer.intake` event: the delivery's triage, with its record. A delivery triaged before
 * (the queue delivered the event again) starts nothing. A triage that throws, or answers 5xx (GitHub
 * or Redis unavailable), throws `IntakeRetry` so the queue retries it; the last attempt's failure is
 * recorded (`failed`, with the reason) rather than lost.
 */
export async function runQueuedIntake(data: unknown, deps: IntakeWorkerDeps): Promise<IntakeOutcome> {
  const parsed = healerIntakeSchema.safeParse(data)
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }
  const intake: HealerIntake = parsed.data
  const now = () => (deps.now ?? (() => new Date()))()
  const prior = await loadIntake(deps.state, intake.deliveryId)
  if (prior && prior.status !== 'queued') return { outcome: 'done-before', record: prior }
  const record: IntakeRecord = { ...(prior ?? queuedRecord(intake.deliveryId, intake.event, intakeRepo(intake), now())), attempts: (prior?.attempts ?? 0) + 1, updatedAt: now().toISOString() }
  await saveIntake(deps.state, record)

  let answer: HttpAnswer | undefined
  let error: string | undefined
  try {
    answer = await processHealerIntake(intake, await deps.healer())
    if (answer.status >= 500) error = `${String(answer.body.error ?? answer.status)}: ${firstLine(String(answer.body.message ?? ''))}`
  } catch (err) {
    error = firstLine(err)
  }
  if (answer && error === undefined) {
    const done: IntakeRecord = { ...record, status: 'triaged', result: resultOf(answer), updatedAt: now().toISOString() }
    delete done.error
    await saveIntake(deps.state, done)
    return { outcome: 'triaged', record: done, answer }
  }
  const last = record.attempts >= deps.maxAttempts
  const failed: IntakeRecord = { ...record, status: last ? 'failed' : 'queued', error: error ?? 'unknown error', updatedAt: now().toISOString(), ...(answer ? { result: resultOf(answer) } : {}) }
  await saveIntake(deps.state, failed)
  if (last) return { outcome: 'failed', record: failed }
  throw new IntakeRetry(`delivery ${intake.deliveryId} (${intake.event}), attempt ${record.attempts} of ${deps.maxAttempts}: ${failed.error}`)
}
