import type { ApiRequest, ApiRouteConfig, FlowContext } from 'motia'
import { invalidField } from '../../shared/ingress/answer'
import { flakyQuerySchema, flakyReport } from '../../shared/metrics/flaky-tests'
import type { RunRecord } from '../../shared/runs/model'
import { RUNS_GROUP } from '../../shared/runs/store'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'FlakyTests',
  description: 'Tests that failed and passed on the same code, most frequent first, with their evidence',
  path: '/api/cicd/flaky-tests',
  method: 'GET',
  emits: [],
  flows: ['cicd-ops'],
  queryParams: [
    { name: 'repo', description: 'repository name' },
    { name: 'limit', description: '1..500, default 50' },
  ],
}

export const handler = async (req: ApiRequest, ctx: FlowContext) => {
  const q = flakyQuerySchema.safeParse(req.queryParams)
  if (!q.success) return invalidField(q.error.issues)
  return { status: 200, body: flakyReport(await ctx.state.getGroup<RunRecord>(RUNS_GROUP), q.data) }
}
