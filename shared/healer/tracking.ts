import type { KeyValueState } from '../runs/store'
import type { CorrectionKind, RemediationRecord } from './record'
import { correctionsOf, originalAgentOf } from './routing'

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
  /** Remediations whose routing changed on the way (the model's refinement, a person's `/healer fix <agent>`, escalation to Atlas). */
  routingCorrections: number
  /**
   * Routing corrections by the agent a remediation was FIRST routed to: how many it was first given
   * (`routed`), how many of those were re-routed (`corrected`, and `rate`), and the corrections by kind.
   */
  routingCorrectionsByAgent: Record<string, RoutingCorrectionStats>
}

export interface RoutingCorrectionStats {
  routed: number
  corrected: number
  rate: number
  by: Record<CorrectionKind, number>
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
  const corrections: HealerStats['routingCorrectionsByAgent'] = {}
  let corrected = 0
  for (const r of records) {
    const c = (corrections[originalAgentOf(r)] ??= { routed: 0, corrected: 0, rate: 0, by: { escalation: 0, llm: 0, human: 0 } })
    c.routed++
    const list = correctionsOf(r)
    if (list.length) {
      c.corrected++
      corrected++
    }
    for (const x of list) c.by[x.by]++
  }
  for (const c of Object.values(corrections)) c.rate = c.routed ? c.corrected / c.routed : 0
  const mid = Math.floor(fixTimes.length / 2)
  return {
    total: records.length,
    fixed: fixTimes.length,
    timeToFixP50Ms: fixTimes.length === 0 ? null : fixTimes.length % 2 ? (fixTimes[mid] as number) : Math.round(((fixTimes[mid - 1] as number) + (fixTimes[mid] as number)) / 2),
    byAgent,
    routingCorrections: corrected,
    routingCorrectionsByAgent: corrections,
  }
}
