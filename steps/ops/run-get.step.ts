import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { problem } from '../../shared/ingress/answer'
import { RUN_ID_PATTERN } from '../../shared/runs/ids'
import { RunStore } from '../../shared/runs/store'
import { readTimeline } from '../../shared/runs/timeline'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'GetRun',
  description: 'One run: stages, timings, log tails and every agent decision with its reasons',
  path: '/api/cicd/runs/:id',
  method: 'GET',
  emits: [],
  flows: ['cicd-ops'],
}

export const handler = async (req: ApiRequest, ctx: FlowContext) => {
  const id = req.pathParams.id ?? ''
  if (!RUN_ID_PATTERN.test(id)) return problem(400, 'invalid_request', 'id: not a run id', { field: 'id' })
  const run = await new RunStore(ctx.state).get(id)
  if (!run) return problem(404, 'not_found', `run ${id} does not exist`)
  return { status: 200, body: { ...run, timeline: await readTimeline(ctx.state, id) } }
}
