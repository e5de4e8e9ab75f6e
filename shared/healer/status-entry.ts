import type { RemediationRecord } from './record'
import { correctionsOf, originalAgentOf } from './routing'

/** One remediation as `GET /api/status` lists it. */
export function statusEntry(r: RemediationRecord) {
  const corrections = correctionsOf(r)
  return {
    name: r.name,
    repo: r.repo,
    branch: r.branch,
    workflow: r.workflow,
    job: r.job,
    category: r.decision.category,
    agent: r.decision.agent,
    original_agent: originalAgentOf(r),
    corrections: corrections.map((c) => ({ from: c.from, to: c.to, by: c.by, at: c.at })),
    failure_type: r.decision.failureType,
    confidence: r.decision.confidence,
    status: r.status,
    ...(typeof r.pull === 'number' ? { pull: r.pull } : {}),
    ...(r.human ? { human: { label: r.human.label, labelled: r.human.labelled, ...(r.human.pull !== undefined ? { pull: r.human.pull } : {}) } } : {}),
    ...(r.warnings?.length ? { warnings: r.warnings } : {}),
    createdAt: r.createdAt,
  }
}
