import type { ApiRouteConfig, FlowContext } from 'motia'
import type { RemediationRecord } from '../../shared/healer/intake'
import { REMEDIATIONS_GROUP } from '../../shared/healer/tracking'
import { withArchive } from '../../shared/metrics/archive'
import { renderMetrics } from '../../shared/metrics/prometheus'
import { counterArchive } from '../../shared/server/services'
import type { RunRecord } from '../../shared/runs/model'
import { RUNS_GROUP } from '../../shared/runs/store'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'Metrics',
  description: 'Prometheus metrics: runs, stage durations, tests, agent decisions, healer outcomes, deploys and rollbacks',
  path: '/metrics',
  method: 'GET',
  emits: [],
  flows: ['cicd-ops'],
}

export const handler = async (_req: unknown, ctx: FlowContext) => {
  const [runs, remediations, archived] = await Promise.all([ctx.state.getGroup<RunRecord>(RUNS_GROUP), ctx.state.getGroup<RemediationRecord>(REMEDIATIONS_GROUP), counterArchive().read().catch(() => null)])
  // without the counters of pruned runs, counters would go down: no answer rather than a wrong one
  if (!archived) return { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'metrics unavailable: the archived counters (Redis) did not answer; try again\n' }
  return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body: withArchive(renderMetrics(runs, remediations), archived) }
}
