import type { KeyValueState } from '../runs/store'
import type { RemediationRecord } from './intake'

export const REMEDIATIONS_GROUP = 'cicd-remediations'

/**
 * A successful check on a branch after a remediation began counts as the fix (seed 001's
 * tracking): open remediations of that repository and branch become `fixed`. Returns their names.
 */
export async function markFixed(state: KeyValueState, repo: string, branch: string, at: Date = new Date()): Promise<string[]> {
  const open = (await state.getGroup<RemediationRecord>(REMEDIATIONS_GROUP)).filter(
    (r) => r.repo === repo && r.branch === branch && r.status !== 'fixed' && Date.parse(r.createdAt) <= at.getTime(),
  )
  for (const r of open) await state.set(REMEDIATIONS_GROUP, r.name, { ...r, status: 'fixed', fixedAt: at.toISOString() })
  return open.map((r) => r.name)
}

export interface HealerStats {
  total: number
  fixed: number
  /** Median time from the remediation's start to the first successful check, in ms. */
  timeToFixP50Ms: number | null
  byAgent: Record<string, { total: number; fixed: number; successRate: number }>
  /** How often the routing changed on the way (escalations to Atlas, hand-offs to a human). */
  routingCorrections: number
}

export function healerStats(records: RemediationRecord[]): HealerStats {
  const fixTimes = records.filter((r) => r.fixedAt).map((r) => Date.parse(r.fixedAt as string) - Date.parse(r.createdAt)).sort((a, b) => a - b)
  const byAgent: HealerStats['byAgent'] = {}
  for (const r of records) {
    const a = (byAgent[r.decision.agent] ??= { total: 0, fixed: 0, successRate: 0 })
    a.total++
    if (r.status === 'fixed') a.fixed++
  }
  for (const a of Object.values(byAgent)) a.successRate = a.total ? a.fixed / a.total : 0
  const mid = Math.floor(fixTimes.length / 2)
  return {
    total: records.length,
    fixed: fixTimes.length,
    timeToFixP50Ms: fixTimes.length === 0 ? null : fixTimes.length % 2 ? (fixTimes[mid] as number) : Math.round(((fixTimes[mid - 1] as number) + (fixTimes[mid] as number)) / 2),
    byAgent,
    routingCorrections: records.filter((r) => r.attempts.some((a) => a.agent !== r.decision.agent)).length,
  }
}
