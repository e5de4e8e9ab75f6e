import type { ApiRouteConfig, FlowContext } from 'motia'
import type { RemediationRecord } from '../../shared/healer/intake'
import { REMEDIATIONS_GROUP, healerStats } from '../../shared/healer/tracking'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'HealerStatus',
  description: 'Remediations: newest first, with category, specialist and failure type',
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
      remediations: all.slice(0, 100).map((r) => ({ name: r.name, repo: r.repo, branch: r.branch, workflow: r.workflow, job: r.job, category: r.decision.category, agent: r.decision.agent, failure_type: r.decision.failureType, confidence: r.decision.confidence, status: r.status, createdAt: r.createdAt })),
      total: all.length,
      stats: healerStats(all),
    },
  }
}
