import type { ApiRouteConfig, FlowContext } from 'motia'
import type { RemediationRecord } from '../../shared/healer/intake'
import { REMEDIATIONS_GROUP } from '../../shared/healer/tracking'
import { renderMetrics } from '../../shared/metrics/prometheus'
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
  const [runs, remediations] = await Promise.all([ctx.state.getGroup<RunRecord>(RUNS_GROUP), ctx.state.getGroup<RemediationRecord>(REMEDIATIONS_GROUP)])
  return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body: renderMetrics(runs, remediations) }
}
