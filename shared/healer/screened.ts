import type { HttpAnswer } from '../ingress/answer'
import { skipped } from './triage'

/**
 * What a Healer delivery is worth, decided without GitHub or a model (so the webhook can answer at
 * once): an answer (invalid, ignored, skipped), or the parsed delivery (its minimal fields) to triage.
 */
export type Screened<T> = { answer: HttpAnswer } | { job: T }

/** Conclusions that need no triage and track no fix (cancelled, skipped, neutral…): answered at once. */
export function settledConclusion(conclusion: string | null): HttpAnswer | undefined {
  return conclusion === 'success' || conclusion === 'failure' || conclusion === 'timed_out' ? undefined : skipped(`conclusion is ${conclusion ?? 'null'}, not failure`)
}
