import type { EventConfig, FlowContext } from 'motia'
import { remediationDispatchedEvent } from '../../shared/coordination/pipeline-events'
import { publisherFromEnv } from '../../shared/coordination/wiring'

export const config: EventConfig = {
  type: 'event',
  name: 'RemediationToCiEvents',
  description: "The Healer's dispatched remediations as remediation_dispatched on ci:events (seed 000): agent, failure type, branch, pull request",
  subscribes: ['ci.remediation.dispatched'],
  emits: [],
  flows: ['cicd-coordination'],
  infrastructure: { queue: { type: 'standard', maxRetries: 2, visibilityTimeout: 30 } },
}

export const handler = async (input: unknown, ctx: FlowContext) => {
  const built = remediationDispatchedEvent(input)
  if (!built) return // not (or no longer) a dispatched remediation
  const sent = await publisherFromEnv('cicd_healer').publishEvent(built.event, built.once)
  if (!sent.ok) ctx.logger.warn('remediation_dispatched not published', { reason: sent.reason })
}
