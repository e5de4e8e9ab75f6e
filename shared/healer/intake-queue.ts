import { z } from 'zod'
import type { HttpAnswer } from '../ingress/answer'
import { checkSuitePayloadSchema, processCheckSuite, screenCheckSuite } from './check-suite'
import {
  checkRunPayloadSchema,
  healerCommandSchema,
  processCheckRun,
  processHealerCommand,
  processStatus,
  processWorkflowJob,
  screenCheckRun,
  screenIssueComment,
  screenStatus,
  screenWorkflowJob,
  statusPayloadSchema,
  workflowJobPayloadSchema,
} from './intake'
import type { Screened } from './screened'
import type { RemediateDeps } from './triage'

/** The queued Healer intake: one GitHub delivery, its parsed minimal fields, triaged by a queued step. */
export const HEALER_INTAKE_TOPIC = 'ci.healer.intake'

/** GitHub events the Healer takes. */
export const HEALER_EVENTS = ['workflow_job', 'check_run', 'check_suite', 'status', 'issue_comment'] as const
export type HealerEvent = (typeof HEALER_EVENTS)[number]
export const isHealerEvent = (event: string): event is HealerEvent => (HEALER_EVENTS as readonly string[]).includes(event)

const deliveryId = z.string().min(1).max(200)

/** `ci.healer.intake`'s data: the delivery id, its event, and the payload's fields the triage uses (never the raw payload). */
export const healerIntakeSchema = z.discriminatedUnion('event', [
  z.object({ deliveryId, event: z.literal('workflow_job'), payload: workflowJobPayloadSchema }),
  z.object({ deliveryId, event: z.literal('check_run'), payload: checkRunPayloadSchema }),
  z.object({ deliveryId, event: z.literal('check_suite'), payload: checkSuitePayloadSchema }),
  z.object({ deliveryId, event: z.literal('status'), payload: statusPayloadSchema }),
  z.object({ deliveryId, event: z.literal('issue_comment'), payload: healerCommandSchema }),
])
export type HealerIntake = z.output<typeof healerIntakeSchema>

/** The repository a queued delivery is about (for its record). */
export function intakeRepo(i: HealerIntake): string {
  return i.event === 'issue_comment' ? i.payload.repo : i.payload.repository.full_name
}

/**
 * The webhook's cheap part of a Healer delivery: validation (400 naming the field), and what is
 * answered without GitHub or a model (not completed, nothing to triage, a bot or a commenter who
 * may not command). Everything else becomes a `ci.healer.intake` to queue.
 */
export function screenHealerDelivery(event: HealerEvent, id: string, payload: unknown, deps: Pick<RemediateDeps, 'processBots' | 'allowedAssociations'>): { answer: HttpAnswer } | { intake: HealerIntake } {
  const queue = <T, I extends HealerIntake>(s: Screened<T>, make: (job: T) => I) => ('answer' in s ? { answer: s.answer } : { intake: make(s.job) })
  switch (event) {
    case 'workflow_job':
      return queue(screenWorkflowJob(payload), (p) => ({ deliveryId: id, event, payload: p }))
    case 'check_run':
      return queue(screenCheckRun(payload), (p) => ({ deliveryId: id, event, payload: p }))
    case 'check_suite':
      return queue(screenCheckSuite(payload), (p) => ({ deliveryId: id, event, payload: p }))
    case 'status':
      return queue(screenStatus(payload), (p) => ({ deliveryId: id, event, payload: p }))
    case 'issue_comment':
      return queue(screenIssueComment(payload, deps), (p) => ({ deliveryId: id, event, payload: p }))
  }
}

/** The queued part: the existing intakes' triage (the log, the classifier, the model, de-duplication). */
export function processHealerIntake(i: HealerIntake, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  switch (i.event) {
    case 'workflow_job':
      return processWorkflowJob(i.payload, deps)
    case 'check_run':
      return processCheckRun(i.payload, deps)
    case 'check_suite':
      return processCheckSuite(i.payload, deps)
    case 'status':
      return processStatus(i.payload, deps)
    case 'issue_comment':
      return processHealerCommand(i.payload, deps)
  }
}
