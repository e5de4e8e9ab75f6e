import type { ApiRouteConfig, FlowContext } from 'motia'
import type { RemediationRecord } from '../../shared/healer/intake'
import { statusEntry } from '../../shared/healer/status-entry'
import { REMEDIATIONS_GROUP, healerStats } from '../../shared/healer/tracking'
import { INTAKES_GROUP, intakeSummary, type IntakeRecord } from '../../shared/healer/intake-record'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'HealerStatus',
  description: 'Remediations: newest first (and the queued GitHub deliveries not yet triaged, or failed), with category, specialist, failure type and re-routings; fixed, time to fix, success rate and routing corrections by agent',
  path: '/api/status',
  method: 'GET',
  emits: [],
  flows: ['cicd-healer'],
}

export const handler = async (_req: unknown, ctx: FlowContext) => {
  const all = (await ctx.state.getGroup<RemediationRecord>(REMEDIATIONS_GROUP)).sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  return {
    status: 200,
    body: {
      remediations: all.slice(0, 100).map(statusEntry),
      total: all.length,
      stats: healerStats(all),
      intake: intakeSummary(await ctx.state.getGroup<IntakeRecord>(INTAKES_GROUP)),
    },
  }
}
