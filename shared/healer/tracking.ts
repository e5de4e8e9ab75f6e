import type { KeyValueState } from '../runs/store'
import { outcomeOf, recordKey, type CorrectionKind, type RemediationRecord } from './record'
import { correctionsOf, originalAgentOf } from './routing'

export const REMEDIATIONS_GROUP = 'cicd-remediations'

/** What passed: a workflow (and the job, for a `workflow_job`), or a check by name (a check run, a commit status). */
export interface SuccessOf {
  workflow?: string | undefined
  job?: string | undefined
  check?: string | undefined
}

/** When the attempt now being judged was dispatched (the remediation's start when nothing was delivered: no sinks). */
export function dispatchedAt(r: RemediationRecord): string {
  return r.attempts.findLast((a) => outcomeOf(a) === 'dispatched')?.at ?? r.createdAt
}

/** Whether a success is of the workflow (or check) the remediation's failure came from. */
export function sameWorkflow(r: Pick<RemediationRecord, 'workflow' | 'job'>, of: SuccessOf): boolean {
  if (of.workflow !== undefined && r.workflow === of.workflow) return of.job === undefined || r.job === undefined || r.job === of.job
  return of.check !== undefined && (r.job === of.check || r.workflow === of.check)
}

/**
 * Seed 001's tracking: a success of the same workflow (or the same check) on the remediation's
 * branch, or the branch its fix went to, after its attempt was dispatched marks it `fixed` (that
 * attempt's outcome too); successes of other workflows say nothing about it. `release` is called
 * for each (the ledger frees the branch). Returns their names.
 */
export async function markFixed(state: KeyValueState, repo: string, branch: string, of: SuccessOf, at: Date = new Date(), release?: (r: RemediationRecord) => Promise<void>): Promise<string[]> {
  const open = (await state.getGroup<RemediationRecord>(REMEDIATIONS_GROUP)).filter(
    (r) => r.repo === repo && (r.branch === branch || r.fixBranch === branch) && r.status !== 'fixed' && Date.parse(dispatchedAt(r)) <= at.getTime() && sameWorkflow(r, of),
  )
  for (const r of open) {
    const attempts = [...r.attempts]
    const i = attempts.findLastIndex((a) => outcomeOf(a) === 'dispatched')
    const last = attempts[i]
    if (last) attempts[i] = { ...last, outcome: 'fixed', settledAt: at.toISOString() }
    await state.set(REMEDIATIONS_GROUP, recordKey(r), { ...r, attempts, status: 'fixed', fixedAt: at.toISOString() })
    await release?.(r)
  }
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
