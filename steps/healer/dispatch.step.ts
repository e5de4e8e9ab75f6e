import type { EventConfig, FlowContext } from 'motia'
import { z } from 'zod'
import { LocalExecutor } from '../../shared/executors/local/executor'
import { githubClient } from '../../shared/github/actions-client'
import { dispatchRemediation } from '../../shared/healer/dispatch'
import type { RemediationRecord } from '../../shared/healer/intake'
import { REMEDIATIONS_GROUP } from '../../shared/healer/tracking'
import { knownSecrets } from '../../shared/pipeline/env'
import { currentConfig } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'DispatchRemediation',
  description: "Renders the specialist's prompt and delivers it through the configured sinks (comments on the pull request or commit), escalating to Atlas, then a human (human_label on the pull request)",
  subscribes: ['ci.remediation.dispatched'],
  emits: [],
  flows: ['cicd-healer'],
  infrastructure: { queue: { type: 'standard', maxRetries: 0, visibilityTimeout: 120 } },
}

const input = z.object({ name: z.string().min(1) })

export const handler = async (data: unknown, ctx: FlowContext) => {
  const parsed = input.safeParse(data)
  if (!parsed.success) return ctx.logger.error('invalid ci.remediation.dispatched payload', { issues: parsed.error.issues })
  const record = await ctx.state.get<RemediationRecord>(REMEDIATIONS_GROUP, parsed.data.name)
  if (!record || record.status !== 'dispatched') return // already delivered (redelivered event) or unknown
  const updated = await dispatchRemediation(record, currentConfig().healer, { github: githubClient(), local: new LocalExecutor(), secrets: knownSecrets() })
  await ctx.state.set(REMEDIATIONS_GROUP, updated.name, updated)
  ctx.logger.info('remediation', { name: updated.name, status: updated.status, agent: updated.decision.agent, attempts: updated.attempts.length, ...(updated.human ? { humanLabel: updated.human.label, labelled: updated.human.labelled, pull: updated.human.pull } : {}) })
}
