import type { HttpAnswer } from '../ingress/answer'
import { cleanLog, failingStepText } from '../../agents/healer/log'
import { readFailureLog } from './failure-log'
import { outcomeOf, recordKey, type RemediationRecord } from './record'
import type { FailureInput, RemediateDeps } from './triage'

/** How long a failure counted against a fix is remembered (longer than any remediation stays active). */
const EVIDENCE_TTL_FACTOR = 10

/**
 * Whether a failure is of the workflow a remediation's failure came from: the same workflow (or
 * status context), or the check run that is its job (a check run's name is the job's name).
 */
export function sameKind(r: Pick<RemediationRecord, 'workflow' | 'job'>, f: Pick<FailureInput, 'workflow' | 'job'>): boolean {
  return r.workflow === f.workflow || (r.job !== undefined && r.job === f.workflow) || (f.job !== undefined && f.job.name === r.workflow)
}

/**
 * Seed 001's "track remediation attempts and outcomes": a failure on a branch whose remediation is
 * with an agent (a delivery every sink accepted), of the same workflow, on another commit or a
 * later run attempt than any failure already counted, shows that agent's fix did not work. The
 * attempt becomes `failed-fix`, the new failure's log replaces the old one for the next agent, and
 * the remediation is dispatched again: the dispatcher picks the next attempt (the same agent up to
 * `retry_limit`, then Atlas, then a person). The branch may be the failing one or the one the fix
 * went to (`fix_branch: new`). Bots' failures count too (fixes are pushed by bots).
 *
 * Returns the answer when the failure was taken as (or already was) evidence against a fix;
 * undefined when it is none of this remediation's business and triage goes on as usual.
 */
export async function recordFailedFix(f: FailureInput, deps: Omit<RemediateDeps, 'token'>, warnings: string[]): Promise<HttpAnswer | undefined> {
  // a person's /healer fix is a request, not evidence (it may re-route the remediation instead)
  if (!deps.load || f.requested) return undefined
  const owner = await deps.ledger.activeOn(f.repo, f.branch)
  if (!owner) return undefined
  const r = await deps.load(owner.id)
  if (!r || (r.status !== 'delivered' && r.status !== 'escalated') || !sameKind(r, f)) return undefined
  // the remediation's own failure, delivered again: the ledger answers `existing`
  if (String(r.runId) === String(f.runId) && r.attempt === f.attempt) return undefined
  const i = r.attempts.findLastIndex((a) => outcomeOf(a) === 'dispatched')
  const tried = r.attempts[i]
  if (!tried) return undefined
  const id = recordKey(r)
  const ttl = (deps.activeTtlMs ?? 3_600_000) * EVIDENCE_TTL_FACTOR
  // GitHub reports one failed run several times (each job's workflow_job and check_run, the check suite): it counts once
  if (!(await deps.ledger.claimFailedFix(id, f.sha, f.attempt, ttl)))
    return { status: 200, body: { status: 'duplicate', dedup_status: 'existing', coderun_name: r.name, remediation_id: id, reason: `this failure (${f.sha.slice(0, 12)}, attempt ${f.attempt}) already counted for ${r.name}` } }

  const at = new Date().toISOString()
  let next: RemediationRecord = { ...r, attempts: [...r.attempts], status: 'dispatched', commit: f.sha }
  try {
    const facts = await readFailureLog(deps.github, f)
    if (facts.log) next = { ...next, logTail: failingStepText(cleanLog(facts.log, facts.step ? { step: facts.step } : {})).split('\n').slice(-200).join('\n'), ...(facts.job ? { job: facts.job } : {}), ...(facts.jobUrl ? { jobUrl: facts.jobUrl } : {}) }
    if (facts.warning) warnings.push(facts.warning)
  } catch (err) {
    warnings.push(`the new failure's log could not be read (the previous log is kept): ${err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err)}`)
  }
  next.attempts[i] = {
    ...tried,
    outcome: 'failed-fix',
    settledAt: at,
    failure: { runId: f.runId, attempt: f.attempt, commit: f.sha, workflow: f.workflow, ...(f.job ? { job: f.job.name } : {}), ...(f.job?.htmlUrl ? { url: f.job.htmlUrl } : {}) },
  }
  if (warnings.length) next.warnings = [...new Set([...(r.warnings ?? []), ...warnings])]
  await deps.save(next)
  return {
    status: 202,
    body: {
      status: 'failed-fix',
      coderun_name: r.name,
      remediation_id: id,
      agent: tried.agent,
      failure_type: r.decision.failureType,
      dedup_status: 'existing',
      attempts: next.attempts.length,
      reason: `${tried.agent}'s fix did not work: ${f.workflow} failed again on ${f.branch} at ${f.sha.slice(0, 12)}; the remediation is dispatched again (retry_limit, then Atlas, then a person)`,
      ...(warnings.length ? { warnings } : {}),
    },
  }
}
