import type { HttpAnswer } from '../ingress/answer'
import type { KeyValueState } from '../runs/store'

/** Where the webhook records each queued Healer delivery, and the queued step what became of it. */
export const INTAKES_GROUP = 'cicd-healer-intakes'

/** One GitHub delivery on its way through the Healer's queue. */
export interface IntakeRecord {
  deliveryId: string
  event: string
  repo: string
  /** `queued` (waiting or being retried), `triaged` (the triage answered), `failed` (every attempt failed: `error` says why). */
  status: 'queued' | 'triaged' | 'failed'
  /** Triage attempts so far (the queue retries a failed one). */
  attempts: number
  receivedAt: string
  updatedAt: string
  /** What the triage answered (what the webhook used to return), in brief. */
  result?: IntakeResult
  /** The last attempt's failure, first line. */
  error?: string
}

export interface IntakeResult {
  http: number
  status?: string
  remediation_id?: string
  coderun_name?: string
  agent?: string
  dedup_status?: string
  reason?: string
  fixed?: string[]
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 300) : undefined)

/** The answer's fields that say what happened (no log text, no payload). */
export function resultOf(a: HttpAnswer): IntakeResult {
  const b = a.body
  const fields = { status: str(b.status), remediation_id: str(b.remediation_id), coderun_name: str(b.coderun_name), agent: str(b.agent), dedup_status: str(b.dedup_status), reason: str(b.reason ?? b.message) }
  const fixed = Array.isArray(b.fixed) ? b.fixed.filter((x): x is string => typeof x === 'string').slice(0, 50) : undefined
  return { http: a.status, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)), ...(fixed ? { fixed } : {}) }
}

export function queuedRecord(deliveryId: string, event: string, repo: string, at: Date = new Date()): IntakeRecord {
  return { deliveryId, event, repo, status: 'queued', attempts: 0, receivedAt: at.toISOString(), updatedAt: at.toISOString() }
}

export const saveIntake = (state: KeyValueState, r: IntakeRecord): Promise<IntakeRecord> => state.set(INTAKES_GROUP, r.deliveryId, r)
export const loadIntake = (state: KeyValueState, deliveryId: string): Promise<IntakeRecord | null> => state.get<IntakeRecord>(INTAKES_GROUP, deliveryId)

/** `GET /api/status`'s view of the queue: counts, and the deliveries not (yet) triaged, newest first. */
export function intakeSummary(all: readonly IntakeRecord[], limit = 50) {
  const count = (s: IntakeRecord['status']) => all.filter((r) => r.status === s).length
  const open = all.filter((r) => r.status !== 'triaged').sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
  return {
    queued: count('queued'),
    triaged: count('triaged'),
    failed: count('failed'),
    deliveries: open.slice(0, limit).map((r) => ({ deliveryId: r.deliveryId, event: r.event, repo: r.repo, status: r.status, attempts: r.attempts, receivedAt: r.receivedAt, ...(r.error ? { error: r.error } : {}) })),
  }
}

/**
 * Deletes the records of deliveries that ended (`triaged` or `failed`) before `now - retentionMs`;
 * queued ones stay whatever their age (the queue still owes them a triage). Returns how many went.
 */
export async function pruneIntakes(state: KeyValueState, retentionMs: number, now: Date = new Date()): Promise<number> {
  const before = now.getTime() - retentionMs
  let pruned = 0
  for (const r of await state.getGroup<IntakeRecord>(INTAKES_GROUP)) {
    if (!r || typeof r.deliveryId !== 'string' || r.status === 'queued' || !(Date.parse(r.updatedAt) < before)) continue
    await state.delete(INTAKES_GROUP, r.deliveryId)
    pruned++
  }
  return pruned
}
