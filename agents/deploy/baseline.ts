import type { DeployDecision, DeployFacts } from './schema'

export const RISK_ORDER = ['low', 'medium', 'high'] as const
/** Strategies from the most to the least cautious about user-visible failures. */
export const STRATEGY_SAFETY: Record<DeployDecision['strategy'], number> = { canary: 3, 'blue-green': 2, rolling: 1, immediate: 0 }

/** cicd.yml's monitor defaults (Flagger's interval, seed 004's 5 healthy checks, 3 failed). */
export const DEFAULT_MONITOR: NonNullable<DeployFacts['monitor']> = { healthPath: '/health', intervalSeconds: 10, healthyChecks: 5, failedChecks: 3 }

export function approvalRequired(f: DeployFacts): boolean {
  return f.configured.require_approval ?? (f.environment === 'production' && !f.configured.auto_deploy)
}

/** The deterministic deploy plan from the facts and cicd.yml. */
export function baselineDeploy(f: DeployFacts): DeployDecision {
  const reasons: string[] = []
  const failing = f.tests ? f.tests.failed + f.tests.errors : 0
  const lines = f.change.additions + f.change.deletions
  let risk: DeployDecision['risk'] = lines > 1000 || f.change.files > 50 ? 'high' : lines > 200 || f.change.files > 15 ? 'medium' : 'low'
  reasons.push(`${f.change.files} file(s), ${lines} line(s) changed: ${risk} risk from size`)
  if (f.environment === 'production' && risk === 'low') {
    risk = 'medium'
    reasons.push('production: at least medium risk')
  }
  if (f.currentHealthy === false || f.recentRollbacks > 0) {
    risk = 'high'
    reasons.push(f.currentHealthy === false ? 'the live version is unhealthy' : `${f.recentRollbacks} recent rollback(s)`)
  }
  const deploy = failing === 0 && f.tests !== null
  if (f.tests === null) reasons.push('no test results: do not deploy')
  else if (failing > 0) {
    risk = 'high'
    reasons.push(`${failing} failing test(s): do not deploy`)
  } else reasons.push(`${f.tests.total} test(s) passed`)
  const approval = approvalRequired(f)
  reasons.push(approval ? `${f.environment} needs approval (cicd.yml)` : `${f.environment} deploys automatically`)
  reasons.push(`strategy ${f.configured.strategy} from cicd.yml`)
  const m = f.monitor ?? DEFAULT_MONITOR
  return {
    deploy,
    strategy: f.configured.strategy,
    risk,
    approvalRequired: approval,
    // high risk: roll back sooner than cicd.yml asks (never later)
    rollback: { automatic: true, failedChecks: risk === 'high' ? Math.min(m.failedChecks, 2) : m.failedChecks },
    healthCheck: { path: m.healthPath, intervalSeconds: m.intervalSeconds, healthyChecksRequired: m.healthyChecks },
    reasons,
  }
}
