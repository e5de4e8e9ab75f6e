import type { ApiRouteConfig, ApiRequest, FlowContext } from 'motia'
import { githubClient } from '../../shared/github/actions-client'
import { handleCiFailure } from '../../shared/healer/intake'
import { remediationLedger, serverSettings } from '../../shared/server/services'

export const config: ApiRouteConfig = {
  type: 'api',
  name: 'RemediateCiFailure',
  description: "Seed 001: a failed workflow run → its log → root cause → specialist, de-duplicated",
  path: '/api/remediate/ci-failure',
  method: 'POST',
  emits: ['ci.remediation.dispatched'],
  flows: ['cicd-healer'],
}

type Emit = { topic: string; data: unknown }

export const handler = async (req: ApiRequest, ctx: FlowContext<Emit>) => {
  const answer = await handleCiFailure(req, {
    token: serverSettings.apiToken(),
    github: githubClient(),
    ledger: remediationLedger(),
    branchWindowMs: serverSettings.healerBranchWindowMs(),
    processBots: serverSettings.healerProcessBots(),
    save: async (record) => {
      await ctx.state.set('cicd-remediations', record.name, record)
      await ctx.emit({ topic: 'ci.remediation.dispatched', data: record })
    },
  })
  ctx.logger.info('ci failure', { status: answer.status, dedup: answer.body.dedup_status, coderun: answer.body.coderun_name })
  return answer
}
