import type { EventConfig, FlowContext } from 'motia'
import { z } from 'zod'
import { LocalExecutor } from '../../shared/executors/local/executor'
import { githubClient } from '../../shared/github/actions-client'
import { dispatchAndSettle } from '../../shared/healer/dispatch'
import { recordKey, type RemediationRecord } from '../../shared/healer/record'
import { REMEDIATIONS_GROUP } from '../../shared/healer/tracking'
import { knownSecrets } from '../../shared/pipeline/env'
import { currentConfig, remediationLedger } from '../../shared/server/services'

export const config: EventConfig = {
  type: 'event',
  name: 'DispatchRemediation',
  description: "Renders the specialist's prompt and delivers it through the configured sinks (comments on the pull request or commit), escalating to Atlas, then a human (human_label on the pull request)",
  subscribes: ['ci.remediation.dispatched'],
  emits: [],
  flows: ['cicd-healer'],
  infrastructure: { queue: { type: 'standard', maxRetries: 0, visibilityTimeout: 120 } },
}

const input = z.object({ name: z.string().min(1), id: z.string().min(1).optional() })

export const handler = async (data: unknown, ctx: FlowContext) => {
  const parsed = input.safeParse(data)
  if (!parsed.success) return ctx.logger.error('invalid ci.remediation.dispatched payload', { issues: parsed.error.issues })
  const record = await ctx.state.get<RemediationRecord>(REMEDIATIONS_GROUP, recordKey(parsed.data))
  if (!record || record.status !== 'dispatched') return // already delivered (redelivered event) or unknown
  const { record: updated, ledgerError } = await dispatchAndSettle(record, currentConfig().healer, { github: githubClient(), local: new LocalExecutor(), secrets: knownSecrets(), ledger: remediationLedger() })
  await ctx.state.set(REMEDIATIONS_GROUP, recordKey(updated), updated)
  if (ledgerError) ctx.logger.warn('remediation ledger not updated (its markers expire with their TTL)', { id: recordKey(updated), error: ledgerError })
  ctx.logger.info('remediation', { name: updated.name, id: recordKey(updated), outcome: updated.attempts.at(-1)?.outcome, status: updated.status, agent: updated.decision.agent, attempts: updated.attempts.length, ...(updated.human ? { humanLabel: updated.human.label, labelled: updated.human.labelled, pull: updated.human.pull } : {}) })
}
