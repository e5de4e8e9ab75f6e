import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { handleGithubWebhook } from '../../shared/ingress/github-webhook'
import { publish } from '../../shared/pipeline/publish'
import { RunStore } from '../../shared/runs/store'
import { handleCheckRun, handleCheckSuite, handleIssueComment, handleStatus, handleWorkflowJob } from '../../shared/healer/intake'
import { currentConfig, deliveryLedger, healerDeps, serverSettings } from '../../shared/server/services'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'GithubWebhook',
  description: 'Signed, de-duplicated GitHub webhook: a push to a configured branch queues a run',
  path: '/api/cicd/webhook/github',
  method: 'POST',
  emits: ['cicd.commit.received', 'ci.remediation.dispatched'],
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
    onWorkflowJob: async (payload) => handleWorkflowJob(payload, await healerDeps(ctx.state, ctx.emit)),
    onCheckRun: async (payload) => handleCheckRun(payload, await healerDeps(ctx.state, ctx.emit)),
    onCheckSuite: async (payload) => handleCheckSuite(payload, await healerDeps(ctx.state, ctx.emit)),
    onIssueComment: async (payload) => handleIssueComment(payload, await healerDeps(ctx.state, ctx.emit)),
    onStatus: async (payload) => handleStatus(payload, await healerDeps(ctx.state, ctx.emit)),
  })
  ctx.logger.info('github webhook', { event: req.headers['x-github-event'], delivery: req.headers['x-github-delivery'], status: answer.status, runId: answer.body.runId })
  return answer
}
