import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { handleManualEvent } from '../../shared/ingress/manual-events'
import { publish } from '../../shared/pipeline/publish'
import { RunStore } from '../../shared/runs/store'
import { currentConfig, serverSettings } from '../../shared/server/services'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'ManualEvent',
  description: 'Seed 004 manual trigger: POST {event, data} with a bearer token',
  path: '/api/events',
  method: 'POST',
  emits: ['cicd.commit.received', 'cicd.deploy.requested', 'cicd.rollback.requested'],
  flows: ['cicd-pipeline'],
}

type Emit = { topic: string; data: unknown }

export const handler = async (req: ApiRequest, ctx: FlowContext<Emit>) => {
  const answer = await handleManualEvent(req, {
    token: serverSettings.apiToken(),
    loadConfig: currentConfig,
    runs: new RunStore(ctx.state),
    emit: (topic, data) => publish(ctx.emit, ctx.state, topic, data as { runId: string }),
  })
  ctx.logger.info('manual event', { status: answer.status, runId: answer.body.runId })
  return answer
}
