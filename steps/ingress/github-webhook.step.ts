import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { handleGithubWebhook } from '../../shared/ingress/github-webhook'
import { publish } from '../../shared/pipeline/publish'
import { RunStore } from '../../shared/runs/store'
import { healerIngress } from '../../shared/healer/intake-ingress'
import { currentConfig, deliveryLedger, serverSettings } from '../../shared/server/services'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'GithubWebhook',
  description: 'Signed, de-duplicated GitHub webhook: a push to a configured branch queues a run; CI failures and /healer commands queue a triage',
  path: '/api/cicd/webhook/github',
  method: 'POST',
  emits: ['cicd.commit.received', 'ci.healer.intake'],
  flows: ['cicd-pipeline'],
}

type Emit = { topic: string; data: unknown }

export const handler = async (req: ApiRequest, ctx: FlowContext<Emit>) => {
  const answer = await handleGithubWebhook(req, {
    secret: serverSettings.webhookSecret(),
    insecure: serverSettings.insecureWebhooks(),
    loadConfig: currentConfig,
    ledger: deliveryLedger(),
    runs: new RunStore(ctx.state),
    emit: (topic, data) => publish(ctx.emit, ctx.state, topic, data as { runId: string }),
    warn: (msg) => ctx.logger.warn(msg),
    healer: healerIngress(ctx.state, ctx.emit, () => {
      const healer = currentConfig().healer
      return { processBots: healer.process_bots, allowedAssociations: healer.allowed_associations }
    }),
  })
  ctx.logger.info('github webhook', { event: req.headers['x-github-event'], delivery: req.headers['x-github-delivery'], status: answer.status, runId: answer.body.runId, queued: answer.body.queued })
  return answer
}
