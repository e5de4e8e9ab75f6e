import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { invalidField } from '../../shared/ingress/answer'
import { parseRunQuery } from '../../shared/runs/query'
import { RunStore } from '../../shared/runs/store'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'ListRuns',
  description: 'Runs, newest first; filter by repo and status, paginated',
  path: '/api/cicd/runs',
  method: 'GET',
  emits: [],
  flows: ['cicd-ops'],
  queryParams: [
    { name: 'repo', description: 'repository name' },
    { name: 'status', description: 'queued | running | succeeded | failed' },
    { name: 'limit', description: '1..200, default 20' },
    { name: 'offset', description: 'default 0' },
  ],
}

export const handler = async (req: ApiRequest, ctx: FlowContext) => {
  const q = parseRunQuery(req.queryParams)
  if (!q.success) return invalidField(q.error.issues)
  const page = await new RunStore(ctx.state).list(q.data)
  return { status: 200, body: { ...page, runs: page.runs.map(({ stages, decisions, ...r }) => ({ ...r, stages: stages.map(({ log, ...s }) => s) })) } }
}
