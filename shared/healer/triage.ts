import type { Octokit } from '@octokit/rest'
import { classifyFailure } from '../../agents/healer/classify'
import { decideHealer } from '../../agents/healer/decide'
import { cleanLog, failingStepText } from '../../agents/healer/log'
import type { HealerAgent, HealerFacts } from '../../agents/healer/schema'
import type { ModelRuntime } from '../../agents/runtime/decide'
import { problem, type HttpAnswer } from '../ingress/answer'
import type { ClaimResult, RemediationLedger } from './dedup'
import { readFailureLog, type LogSource } from './failure-log'
import type { RemediationRecord, RoutingCorrection } from './record'
import { agentNamedIn, correction, correctionsOf, originalAgentOf, rerouted } from './routing'
import { skipHealerCheck } from './skip-healer'
import { recordFailedFix } from './failed-fix'
import type { SuccessOf } from './tracking'

export const DEFAULT_ACTIVE_TTL_MS = 3_600_000

/** A remediation's storage key: seed 001's name with the failure's run id and attempt, so no later failure on the commit overwrites it. */
export const remediationId = (name: string, runId: number | string, attempt: number): string => `${name}-${String(runId).replace(/[^A-Za-z0-9_.-]/g, '_')}-${attempt}`

/** Where the fix goes: the failing branch (`same`), or `healer/…` named for the remediation (`new`). */
export const fixBranchOf = (strategy: 'same' | 'new', branch: string, id: string): string => (strategy === 'same' ? branch : `healer/${id.replace(/^healer-/, '')}`)

export interface RemediateDeps {
  token: string | undefined
  github: Octokit
  ledger: RemediationLedger
  /** Seed 001: no second fix on a branch within 10 minutes. */
  branchWindowMs: number
  /** Process commits by bots (seed 001's open question; default no, to avoid loops). */
  processBots: boolean
  save: (r: RemediationRecord) => Promise<void>
  /** How long a remediation holds its branch when nobody reports its end (`healer.active_ttl`; 1 h by default). */
  activeTtlMs?: number
  /** Seed 001's branch strategy (`healer.fix_branch`): fixes go to the failing branch or a new one (the default). */
  fixBranch?: 'same' | 'new'
  /** Who may command `/healer fix` and `/healer retry` (`healer.allowed_associations`; OWNER, MEMBER, COLLABORATOR by default). */
  allowedAssociations?: readonly string[]
  /** A success on a branch (of a workflow, or a check): open remediations of that workflow there are fixed. */
  onSuccess?: (repo: string, branch: string, of?: SuccessOf) => Promise<string[]>
  /** The LLM the HealerAgent may ask to refine the classifier's answer (within its guardrails). */
  model?: ModelRuntime
  /** The LLM for a failure the classifier routed to `agent` (`healer.models`); `model` when absent. */
  modelFor?: (agent: HealerAgent) => Promise<ModelRuntime>
  /** Reads a remediation by its key (`id`), so that `/healer fix <agent>` can re-route one that already exists and a failed fix is counted. */
  load?: (id: string) => Promise<RemediationRecord | null | undefined>
  /** How long a failure waits for its commit message (`[skip-healer]`); 5 s by default. */
  commitLookupTimeoutMs?: number
}

/** One failed CI job (or run) to triage, from whichever intake saw it. */
export interface FailureInput extends LogSource {
  attempt: number
  branch: string
  sha: string
  workflow: string
  conclusion: string | null
  commitMessage?: string
  /** The payload carries no commit message: read it from GitHub (bounded) for `[skip-healer]`. */
  lookupCommitMessage?: boolean
  sender?: string
  /** A person asked (`/healer fix`): never counted as evidence that a fix failed. */
  requested?: boolean
  /** A person's hint (`/healer fix <hint>`): untrusted text for the specialist's prompt; it may name an agent. */
  hint?: string
  /** The pull request the failure belongs to, when the payload says. */
  pull?: number
  /** The failing commit's changed files, when the intake knows them (else read with the commit, `GET /commits/{sha}`). */
  changedFiles?: string[]
  /** What the intake could not find out (said in the answer and kept with the remediation). */
  warnings?: string[]
}

/** Conclusions the Healer triages (a timed-out job or suite is a failure too). */
const FAILED = new Set(['failure', 'timed_out'])

export const skipped = (reason: string): HttpAnswer => ({ status: 200, body: { status: 'skipped', dedup_status: 'skipped', reason } })

/**
 * The Healer's triage, whatever the intake: filters (seed 001), the failed job's log from GitHub,
 * root-cause classification and routing (the model's refinement and a person's `/healer fix <agent>`
 * recorded as routing corrections), and atomic de-duplication. Answers seed 001's response.
 */
export async function triageFailure(f: FailureInput, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  if (!f.conclusion || !FAILED.has(f.conclusion)) return skipped(`conclusion is ${f.conclusion ?? 'null'}, not failure`)
  // the commit lookup also lists its changed files: read it for them when there is no log (names and files decide alone)
  const check = await skipHealerCheck(deps.github, f.repo, f.sha, f.commitMessage, f.lookupCommitMessage ?? false, deps.commitLookupTimeoutMs, f.noLog === true)
  if (check.skip) return skipped('the commit message contains [skip-healer]')
  const warnings = [...(f.warnings ?? []), ...(check.warning ? [check.warning] : [])]
  // a new failure of the workflow an agent is fixing on this branch: the fix did not work (before
  // the bot filter: fixes are pushed by bots, and this opens no new remediation)
  let failedFix: HttpAnswer | undefined
  try {
    failedFix = await recordFailedFix(f, deps, warnings)
  } catch (err) {
    return problem(503, 'unavailable', `cannot check the branch's remediation (Redis unavailable?): ${err instanceof Error ? err.message : String(err)}`)
  }
  if (failedFix) return failedFix
  if (f.sender?.endsWith('[bot]') && !deps.processBots) return skipped(`sender ${f.sender} is a bot`)

  let facts
  try {
    facts = await readFailureLog(deps.github, f)
  } catch (err) {
    return problem(502, 'github_unavailable', `could not read the run's jobs or logs from GitHub: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (facts.warning) warnings.push(facts.warning)
  const changedFiles = f.changedFiles ?? check.files
  const healerFacts: HealerFacts = { log: facts.log, workflow: f.workflow, ...(facts.job ? { job: facts.job } : {}), ...(facts.step ? { step: facts.step } : {}), ...(changedFiles?.length ? { changedFiles } : {}) }
  // the classifier's routing picks the model (healer.models: a model per specialist)
  const baseline: HealerAgent = classifyFailure(healerFacts).agent
  const healed = await decideHealer(healerFacts, deps.modelFor ? await deps.modelFor(baseline) : deps.model)
  let decision = healed.decision
  const corrections: RoutingCorrection[] = []
  if (decision.agent !== baseline) corrections.push(correction(baseline, decision.agent, 'llm'))
  const named = agentNamedIn(f.hint)
  if (named && named !== decision.agent) {
    corrections.push(correction(decision.agent, named, 'human'))
    decision = rerouted(decision, named, `a person's /healer fix named ${named} (the routing said ${decision.agent})`)
  }

  const coderun = `healer-ci-${decision.agent}-${f.sha.slice(0, 8)}`
  const id = remediationId(coderun, f.runId, f.attempt)
  const fixBranch = fixBranchOf(deps.fixBranch ?? 'new', f.branch, id)
  const activeTtlMs = deps.activeTtlMs ?? DEFAULT_ACTIVE_TTL_MS
  let claim: ClaimResult
  try {
    claim = await deps.ledger.claim({ repo: f.repo, runId: f.runId, attempt: f.attempt, branch: f.branch, name: coderun, id, fixBranch, branchWindowMs: deps.branchWindowMs, activeTtlMs })
    // this failure is the remediation's own: its other reports (check_run, check_suite) are no evidence against the fix
    if (claim.status === 'new') await deps.ledger.claimFailedFix(id, f.sha, f.attempt, activeTtlMs * 10)
  } catch (err) {
    return problem(503, 'unavailable', `cannot de-duplicate (Redis unavailable?): ${err instanceof Error ? err.message : String(err)}`)
  }
  const extra = { ...(warnings.length ? { warnings } : {}), ...(f.pull !== undefined ? { pull: f.pull } : {}) }
  if (claim.status !== 'new') {
    const moved = named ? await rerouteExisting(claim.id, named, f.hint, deps) : undefined
    if (moved) return { status: 202, body: { status: 'rerouted', coderun_name: moved.name, agent: named, rerouted_from: moved.from, failure_type: moved.failureType, dedup_status: claim.status, ...extra } }
  }
  if (claim.status === 'new')
    await deps.save({
      name: coderun,
      id,
      fixBranch,
      repo: f.repo,
      runId: f.runId,
      attempt: f.attempt,
      branch: f.branch,
      commit: f.sha,
      workflow: f.workflow,
      ...(facts.job ? { job: facts.job } : {}),
      ...(facts.jobUrl ? { jobUrl: facts.jobUrl } : {}),
      decision,
      source: healed.source,
      ...(healed.rejected ? { rejected: healed.rejected } : {}),
      ...(f.hint ? { hint: f.hint.slice(0, 500) } : {}),
      ...(f.pull !== undefined ? { pull: f.pull } : {}),
      originalAgent: baseline,
      corrections,
      ...(warnings.length ? { warnings } : {}),
      logTail: failingStepText(cleanLog(facts.log, facts.step ? { step: facts.step } : {})).split('\n').slice(-200).join('\n'),
      status: 'dispatched',
      attempts: [],
      createdAt: new Date().toISOString(),
    })
  return {
    status: claim.status === 'new' ? 202 : 200,
    body: {
      status: claim.status === 'new' ? 'accepted' : claim.status === 'existing' ? 'duplicate' : 'skipped',
      coderun_name: claim.name,
      remediation_id: claim.id,
      agent: decision.agent,
      failure_type: decision.failureType,
      category: decision.category,
      confidence: decision.confidence,
      dedup_status: claim.status,
      ...(claim.status === 'new' ? {} : { reason: claim.reason }),
      ...(corrections.length ? { rerouted_from: baseline } : {}),
      ...extra,
    },
  }
}

/**
 * `/healer fix <agent>` on a failure that already has a remediation: that remediation is routed to
 * the agent the person named and delivered again (the correction is counted for its first agent).
 * Nothing happens when it is fixed, already with that agent, or cannot be read.
 */
async function rerouteExisting(id: string, to: HealerAgent, hint: string | undefined, deps: Omit<RemediateDeps, 'token'>): Promise<{ name: string; from: HealerAgent; failureType: string } | undefined> {
  const existing = deps.load ? await deps.load(id) : undefined
  if (!existing || existing.status === 'fixed' || existing.decision.agent === to) return undefined
  const from = existing.decision.agent
  await deps.save({
    ...existing,
    decision: rerouted(existing.decision, to, `a person's /healer fix named ${to} (it was with ${from})`),
    originalAgent: originalAgentOf(existing),
    corrections: [...correctionsOf(existing), correction(from, to, 'human')],
    ...(hint ? { hint: hint.slice(0, 500) } : {}),
    status: 'dispatched',
  })
  return { name: existing.name, from, failureType: existing.decision.failureType }
}
