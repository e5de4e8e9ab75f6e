import type { PromptSpec } from '../runtime/prompt'
import { coded, codedReasons, num, type ReasonRule } from '../runtime/prompt-reasons'
import { RISK_ORDER, STRATEGY_SAFETY } from './baseline'
import { deployDecisionSchema, type DeployDecision, type DeployFacts } from './schema'

/** The baseline's reasons (baseline.ts) as codes with their numbers. */
const REASONS: ReasonRule[] = [
  { re: /^(\d+) file\(s\), (\d+) line\(s\) changed: (low|medium|high) risk from size$/, code: (m) => coded('size', { files: num(m[1]), lines: num(m[2]), risk: m[3] ?? '' }) },
  { re: /^production: at least medium risk$/, code: () => coded('production', { risk: 'medium' }) },
  { re: /^the live version is unhealthy$/, code: () => coded('liveUnhealthy', { risk: 'high' }) },
  { re: /^(\d+) recent rollback\(s\)$/, code: (m) => coded('recentRollbacks', { n: num(m[1]), risk: 'high' }) },
  { re: /^no test results: do not deploy$/, code: () => coded('noTestResults', { deploy: false }) },
  { re: /^(\d+) failing test\(s\): do not deploy$/, code: (m) => coded('failingTests', { n: num(m[1]), risk: 'high', deploy: false }) },
  { re: /^(\d+) test\(s\) passed$/, code: (m) => coded('testsPassed', num(m[1])) },
  { re: /^(?:staging|production) needs approval \(cicd\.yml\)$/, code: () => coded('approval', 'cicd.yml') },
  { re: /^(?:staging|production) deploys automatically$/, code: () => coded('autoDeploy', 'cicd.yml') },
  { re: /^strategy [a-z-]+ from cicd\.yml$/, code: () => coded('strategy', 'cicd.yml') },
]

/**
 * DeployAgent for the model runtime. Guardrails: production never deploys without approval
 * unless cicd.yml says so; failing tests never deploy; the strategy may only become more
 * cautious; risk never goes down; automatic rollback stays on and its trigger never loosens;
 * health checks stay on cicd.yml's path, never less often, never fewer to validate.
 */
export const deployAgentSpec: PromptSpec<DeployFacts, DeployDecision> = {
  agent: 'deploy',
  schema: deployDecisionSchema,
  instructions:
    "You are the DeployAgent of a CI/CD server. Assess the deployment risk and choose the strategy, rollback and health-check settings. BASELINE's reasons are the rules it applied, with their numbers; write yours as plain sentences.",
  facts: ({ message: _m, monitor: _monitor, ...facts }) => facts,
  baselineForPrompt: (b) => ({ ...b, reasons: codedReasons(b.reasons, REASONS) }),
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
    if (d.healthCheck.intervalSeconds > b.healthCheck.intervalSeconds) clamped.push(`a check every ${b.healthCheck.intervalSeconds} s at most, not ${d.healthCheck.intervalSeconds} s`)
    d.healthCheck.intervalSeconds = Math.min(d.healthCheck.intervalSeconds, b.healthCheck.intervalSeconds)
    if (d.healthCheck.path !== b.healthCheck.path) clamped.push(`health path ${b.healthCheck.path} (cicd.yml), not ${d.healthCheck.path}`)
    d.healthCheck.path = b.healthCheck.path
    return { decision: d, clamped }
  },
  reasonsOf: (d) => d.reasons,
}
