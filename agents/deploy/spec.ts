import type { AgentSpec } from '../runtime/decide'
import { RISK_ORDER, STRATEGY_SAFETY } from './baseline'
import { deployDecisionSchema, type DeployDecision, type DeployFacts } from './schema'

/**
 * DeployAgent for the model runtime. Guardrails: production never deploys without approval
 * unless cicd.yml says so; failing tests never deploy; the strategy may only become more
 * cautious; risk never goes down; automatic rollback stays on and its trigger never loosens.
 */
export const deployAgentSpec: AgentSpec<DeployFacts, DeployDecision> = {
  agent: 'deploy',
  schema: deployDecisionSchema,
  instructions: 'You are the DeployAgent of a CI/CD server. Assess the deployment risk and choose the strategy, rollback and health-check settings.',
  facts: ({ message: _m, ...facts }) => facts,
  untrusted: (f) => f.message,
  guard: (c, b) => {
    const clamped: string[] = []
    const d: DeployDecision = structuredClone(c)
    if (b.approvalRequired && !d.approvalRequired) clamped.push('approval stays required (cicd.yml)')
    d.approvalRequired = b.approvalRequired || d.approvalRequired
    if (!b.deploy && d.deploy) clamped.push('no deploy: the baseline found failing or missing tests')
    d.deploy = b.deploy && d.deploy
    if (STRATEGY_SAFETY[d.strategy] < STRATEGY_SAFETY[b.strategy]) {
      clamped.push(`strategy ${b.strategy}: ${d.strategy} is less cautious than cicd.yml's`)
      d.strategy = b.strategy
    }
    if (RISK_ORDER.indexOf(d.risk) < RISK_ORDER.indexOf(b.risk)) {
      clamped.push(`risk ${b.risk}: the model cannot lower it`)
      d.risk = b.risk
    }
    if (!d.rollback.automatic) clamped.push('automatic rollback stays on')
    if (d.rollback.failedChecks > b.rollback.failedChecks) clamped.push(`rollback after ${b.rollback.failedChecks} failed checks, not ${d.rollback.failedChecks}`)
    d.rollback = { automatic: true, failedChecks: Math.min(d.rollback.failedChecks, b.rollback.failedChecks) }
    if (d.healthCheck.healthyChecksRequired < b.healthCheck.healthyChecksRequired) clamped.push(`${b.healthCheck.healthyChecksRequired} healthy checks required`)
    d.healthCheck.healthyChecksRequired = Math.max(d.healthCheck.healthyChecksRequired, b.healthCheck.healthyChecksRequired)
    return { decision: d, clamped }
  },
  reasonsOf: (d) => d.reasons,
}
