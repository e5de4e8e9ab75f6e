import { z } from 'zod'
import type { Octokit } from '@octokit/rest'
import { classifyFailure } from '../../agents/healer/classify'
import type { HealerDecision } from '../../agents/healer/schema'
import { failedJobs, jobLog } from '../github/actions-client'
import { checkBearer } from '../ingress/bearer'
import { invalidField, problem, type HttpAnswer, type IngressRequest } from '../ingress/answer'
import type { RemediationLedger } from './dedup'

/** Seed 001's request body (what an Argo Events sensor, or anyone, POSTs on a CI failure). */
export const ciFailureRequestSchema = z.object({
  workflow_run: z.object({
    id: z.number().int().positive(),
    name: z.string().min(1),
    conclusion: z.string().nullable(),
    html_url: z.string().optional(),
    head_branch: z.string().min(1),
    head_sha: z.string().regex(/^[0-9a-f]{7,40}$/, 'a commit SHA'),
    run_attempt: z.number().int().positive().optional(),
    head_commit: z.object({ message: z.string() }).nullish(),
  }),
  repository: z.object({ full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'owner/name') }),
  sender: z.object({ login: z.string() }).optional(),
})
export type CiFailureRequest = z.output<typeof ciFailureRequestSchema>

export interface RemediationRecord {
  name: string
  repo: string
  runId: number
  attempt: number
  branch: string
  commit: string
  workflow: string
  job?: string
  jobUrl?: string
  decision: HealerDecision
  status: 'dispatched'
  createdAt: string
}

export interface RemediateDeps {
  token: string | undefined
  github: Octokit
  ledger: RemediationLedger
  /** Seed 001: no second fix on a branch within 10 minutes. */
  branchWindowMs: number
  /** Process commits by bots (seed 001's open question; default no, to avoid loops). */
  processBots: boolean
  save: (r: RemediationRecord) => Promise<void>
}

const skipped = (reason: string): HttpAnswer => ({ status: 200, body: { status: 'skipped', dedup_status: 'skipped', reason } })

/**
 * POST /api/remediate/ci-failure (seed 001): filter, fetch the failed job's log, classify the root
 * cause, route it to a specialist, and de-duplicate atomically. Answers seed 001's response.
 */
export async function handleCiFailure(req: IngressRequest, deps: RemediateDeps): Promise<HttpAnswer> {
  const denied = checkBearer(req, deps.token)
  if (denied) return denied
  const parsed = ciFailureRequestSchema.safeParse(req.body)
  if (!parsed.success) return invalidField(parsed.error.issues)
  const { workflow_run: run, repository, sender } = parsed.data
  if (run.conclusion !== 'failure') return skipped(`conclusion is ${run.conclusion ?? 'null'}, not failure`)
  if (run.head_commit?.message.includes('[skip-healer]')) return skipped('the commit message contains [skip-healer]')
  if (sender?.login.endsWith('[bot]') && !deps.processBots) return skipped(`sender ${sender.login} is a bot`)

  const [owner, name] = repository.full_name.split('/') as [string, string]
  let facts: { log: string; job?: string; step?: string; jobUrl?: string }
  try {
    const jobs = await failedJobs(deps.github, owner, name, run.id)
    const job = jobs[0]
    facts = job
      ? { log: await jobLog(deps.github, owner, name, job.id), job: job.name, ...(job.failedStep ? { step: job.failedStep } : {}), ...(job.htmlUrl ? { jobUrl: job.htmlUrl } : {}) }
      : { log: '' }
  } catch (err) {
    return problem(502, 'github_unavailable', `could not read the run's jobs or logs from GitHub: ${err instanceof Error ? err.message : String(err)}`)
  }
  const decision = classifyFailure({ log: facts.log, workflow: run.name, ...(facts.job ? { job: facts.job } : {}), ...(facts.step ? { step: facts.step } : {}) })
  const attempt = run.run_attempt ?? 1
  const coderun = `healer-ci-${decision.agent}-${run.head_sha.slice(0, 8)}`
  let claim
  try {
    claim = await deps.ledger.claim({ repo: repository.full_name, runId: run.id, attempt, branch: run.head_branch, name: coderun, branchWindowMs: deps.branchWindowMs, activeTtlMs: 3_600_000 })
  } catch (err) {
    return problem(503, 'unavailable', `cannot de-duplicate (Redis unavailable?): ${err instanceof Error ? err.message : String(err)}`)
  }
  if (claim.status === 'new')
    await deps.save({
      name: coderun,
      repo: repository.full_name,
      runId: run.id,
      attempt,
      branch: run.head_branch,
      commit: run.head_sha,
      workflow: run.name,
      ...(facts.job ? { job: facts.job } : {}),
      ...(facts.jobUrl ? { jobUrl: facts.jobUrl } : {}),
      decision,
      status: 'dispatched',
      createdAt: new Date().toISOString(),
    })
  return {
    status: claim.status === 'new' ? 202 : 200,
    body: {
      status: claim.status === 'new' ? 'accepted' : claim.status === 'existing' ? 'duplicate' : 'skipped',
      coderun_name: claim.name,
      agent: decision.agent,
      failure_type: decision.failureType,
      category: decision.category,
      confidence: decision.confidence,
      dedup_status: claim.status,
      ...(claim.status === 'new' ? {} : { reason: claim.reason }),
    },
  }
}
