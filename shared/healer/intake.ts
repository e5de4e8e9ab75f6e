import { z } from 'zod'
import { latestFailedRun, pullHead, rerunFailedJobs } from '../github/actions-client'
import { pullFromPayload, pullRequestsSchema } from '../github/pull-requests'
import { checkBearer } from '../ingress/bearer'
import { invalidField, problem, type HttpAnswer, type IngressRequest } from '../ingress/answer'
import { skipped, triageFailure, type RemediateDeps } from './triage'
import { settledConclusion, type Screened } from './screened'

export type { Screened } from './screened'
export type { RemediationRecord, RoutingCorrection, HumanHandOff } from './record'
export { triageFailure, type FailureInput, type RemediateDeps } from './triage'
export { handleCheckSuite, checkSuitePayloadSchema, screenCheckSuite, processCheckSuite, type CheckSuitePayload } from './check-suite'

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
    /** Real `workflow_run` objects list their pull requests; the remediation's comment goes there. */
    pull_requests: pullRequestsSchema,
  }),
  repository: z.object({ full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'owner/name') }),
  sender: z.object({ login: z.string() }).optional(),
})
export type CiFailureRequest = z.output<typeof ciFailureRequestSchema>

/** POST /api/remediate/ci-failure (seed 001's request body), with the API token. */
export async function handleCiFailure(req: IngressRequest, deps: RemediateDeps): Promise<HttpAnswer> {
  const denied = checkBearer(req, deps.token)
  if (denied) return denied
  const parsed = ciFailureRequestSchema.safeParse(req.body)
  if (!parsed.success) return invalidField(parsed.error.issues)
  const { workflow_run: run, repository, sender } = parsed.data
  const pull = pullFromPayload(run.pull_requests, repository.full_name, run.head_sha)
  return triageFailure(
    {
      repo: repository.full_name,
      runId: run.id,
      attempt: run.run_attempt ?? 1,
      branch: run.head_branch,
      sha: run.head_sha,
      workflow: run.name,
      conclusion: run.conclusion,
      ...(run.head_commit ? { commitMessage: run.head_commit.message } : { lookupCommitMessage: true }),
      ...(sender ? { sender: sender.login } : {}),
      ...(pull !== undefined ? { pull } : {}),
    },
    deps,
  )
}

/** GitHub's `workflow_job` webhook payload, the Healer's primary signal (the part it uses). */
export const workflowJobPayloadSchema = z.object({
  action: z.string(),
  workflow_job: z.object({
    id: z.number().int(),
    run_id: z.number().int(),
    run_attempt: z.number().int().positive().default(1),
    workflow_name: z.string().nullish(),
    name: z.string(),
    head_branch: z.string().nullish(),
    head_sha: z.string(),
    conclusion: z.string().nullable(),
    html_url: z.string().nullish(),
    steps: z.array(z.object({ name: z.string(), conclusion: z.string().nullable() })).default([]),
  }),
  repository: z.object({ full_name: z.string() }),
  sender: z.object({ login: z.string() }).nullish(),
})

export type WorkflowJobPayload = z.output<typeof workflowJobPayloadSchema>

/** A `workflow_job` delivery: completed jobs are triaged (or track fixes); anything else is acknowledged. */
export function screenWorkflowJob(payload: unknown): Screened<WorkflowJobPayload> {
  const parsed = workflowJobPayloadSchema.safeParse(payload)
  if (!parsed.success) return { answer: invalidField(parsed.error.issues) }
  const { action, workflow_job: job } = parsed.data
  if (action !== 'completed') return { answer: { status: 202, body: { ignored: true, reason: `workflow_job ${action}: only completed jobs are triaged` } } }
  const answer = settledConclusion(job.conclusion)
  return answer ? { answer } : { job: parsed.data }
}

export async function processWorkflowJob(p: WorkflowJobPayload, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const { workflow_job: job, repository, sender } = p
  if (job.conclusion === 'success' && job.head_branch && deps.onSuccess) {
    const fixed = await deps.onSuccess(repository.full_name, job.head_branch, { workflow: job.workflow_name ?? undefined, job: job.name })
    return { status: 200, body: { status: 'tracked', fixed } }
  }
  const failedStep = job.steps.find((s) => s.conclusion === 'failure')?.name
  return triageFailure(
    {
      repo: repository.full_name,
      runId: job.run_id,
      attempt: job.run_attempt,
      branch: job.head_branch ?? 'unknown',
      sha: job.head_sha,
      workflow: job.workflow_name ?? 'workflow',
      conclusion: job.conclusion,
      // the payload has no commit message: [skip-healer] is looked up (bounded)
      lookupCommitMessage: true,
      ...(sender ? { sender: sender.login } : {}),
      job: { id: job.id, name: job.name, ...(failedStep ? { failedStep } : {}), ...(job.html_url ? { htmlUrl: job.html_url } : {}) },
    },
    deps,
  )
}

/** Screens and triages in one go (seed 001's synchronous contract; the webhook queues between the two). */
export async function handleWorkflowJob(payload: unknown, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const s = screenWorkflowJob(payload)
  return 'answer' in s ? s.answer : processWorkflowJob(s.job, deps)
}

/** `check_run` deliveries: a failed check is triaged (for GitHub Actions its id is the job's id); a passing one tracks fixes. */
export const checkRunPayloadSchema = z.object({
  action: z.string(),
  check_run: z.object({
    id: z.number().int(),
    name: z.string(),
    head_sha: z.string(),
    conclusion: z.string().nullable(),
    html_url: z.string().nullish(),
    app: z.object({ slug: z.string().nullish() }).nullish(),
    check_suite: z.object({ id: z.number().int(), head_branch: z.string().nullish() }),
    pull_requests: pullRequestsSchema,
  }),
  repository: z.object({ full_name: z.string() }),
  sender: z.object({ login: z.string() }).nullish(),
})

export type CheckRunPayload = z.output<typeof checkRunPayloadSchema>

export function screenCheckRun(payload: unknown): Screened<CheckRunPayload> {
  const parsed = checkRunPayloadSchema.safeParse(payload)
  if (!parsed.success) return { answer: invalidField(parsed.error.issues) }
  const { action, check_run: c } = parsed.data
  if (action !== 'completed') return { answer: { status: 202, body: { ignored: true, reason: `check_run ${action}: only completed checks count` } } }
  const answer = settledConclusion(c.conclusion)
  return answer ? { answer } : { job: parsed.data }
}

export async function processCheckRun(p: CheckRunPayload, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const { check_run: c, repository, sender } = p
  const branch = c.check_suite.head_branch ?? 'unknown'
  if (c.conclusion === 'success') {
    const fixed = deps.onSuccess ? await deps.onSuccess(repository.full_name, branch, { check: c.name }) : []
    return { status: 200, body: { status: 'tracked', fixed } }
  }
  const actions = c.app?.slug === 'github-actions'
  const pull = pullFromPayload(c.pull_requests, repository.full_name, c.head_sha)
  return triageFailure(
    {
      repo: repository.full_name,
      runId: c.check_suite.id,
      attempt: 1,
      branch,
      sha: c.head_sha,
      workflow: c.name,
      conclusion: c.conclusion,
      lookupCommitMessage: true,
      ...(sender ? { sender: sender.login } : {}),
      ...(pull !== undefined ? { pull } : {}),
      // a GitHub Actions check run is a job (same id); other apps' checks have no log to read
      job: actions ? { id: c.id, name: c.name, ...(c.html_url ? { htmlUrl: c.html_url } : {}) } : undefined,
      ...(actions ? {} : { noLog: true }),
    },
    deps,
  )
}

export async function handleCheckRun(payload: unknown, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const s = screenCheckRun(payload)
  return 'answer' in s ? s.answer : processCheckRun(s.job, deps)
}

/** `issue_comment` on a pull request: `/healer fix [hint]` triages its latest failed run; `/healer retry` re-runs the failed jobs. */
export const issueCommentPayloadSchema = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int(), pull_request: z.object({ url: z.string().optional() }).nullish() }),
  comment: z.object({ body: z.string(), user: z.object({ login: z.string() }), author_association: z.string().optional() }),
  repository: z.object({ full_name: z.string() }),
})

/** Who may command the Healer when cicd.yml does not say (`healer.allowed_associations`). */
export const DEFAULT_ASSOCIATIONS: readonly string[] = ['OWNER', 'MEMBER', 'COLLABORATOR']

export function parseHealerCommand(body: string): { command: 'fix'; hint?: string } | { command: 'retry' } | null {
  const m = /^\s*\/healer\s+(fix|retry)\b[ \t]*(.*)$/m.exec(body)
  if (!m) return null
  if (m[1] === 'retry') return { command: 'retry' }
  const hint = (m[2] ?? '').trim()
  return hint ? { command: 'fix', hint } : { command: 'fix' }
}

/** A `/healer` command as it is queued: the comment's text is not carried, only the command and its hint. */
export const healerCommandSchema = z.object({
  repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'owner/name'),
  pull: z.number().int().positive(),
  command: z.enum(['fix', 'retry']),
  hint: z.string().max(2000).optional(),
})
export type HealerCommand = z.output<typeof healerCommandSchema>

/** Who may command is decided here, before anything is queued (cheap: the payload and cicd.yml). */
export function screenIssueComment(payload: unknown, deps: Pick<RemediateDeps, 'processBots' | 'allowedAssociations'>): Screened<HealerCommand> {
  const parsed = issueCommentPayloadSchema.safeParse(payload)
  if (!parsed.success) return { answer: invalidField(parsed.error.issues) }
  const { action, issue, comment, repository } = parsed.data
  const cmd = action === 'created' && issue.pull_request ? parseHealerCommand(comment.body) : null
  if (!cmd) return { answer: { status: 202, body: { ignored: true, reason: 'not a /healer command on a pull request' } } }
  if (comment.user.login.endsWith('[bot]') && !deps.processBots) return { answer: skipped(`commenter ${comment.user.login} is a bot`) }
  const allowed = deps.allowedAssociations ?? DEFAULT_ASSOCIATIONS
  const association = comment.author_association ?? 'NONE'
  if (!allowed.includes(association))
    return { answer: { status: 202, body: { ignored: true, reason: `${comment.user.login} is ${association} of ${repository.full_name}: /healer ${cmd.command} is accepted from ${allowed.join(', ') || 'nobody'} (healer.allowed_associations)` } } }
  const job = healerCommandSchema.safeParse({ repo: repository.full_name, pull: issue.number, command: cmd.command, ...(cmd.command === 'fix' && cmd.hint ? { hint: cmd.hint.slice(0, 2000) } : {}) })
  return job.success ? { job: job.data } : { answer: invalidField(job.error.issues) }
}

/** `/healer fix [hint]` triages the pull request's latest failed run; `/healer retry` re-runs its failed jobs. */
export async function processHealerCommand(cmd: HealerCommand, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const [owner, name] = cmd.repo.split('/') as [string, string]
  try {
    const head = await pullHead(deps.github, owner, name, cmd.pull)
    const run = await latestFailedRun(deps.github, owner, name, head.sha)
    if (!run) return { status: 200, body: { status: 'skipped', dedup_status: 'skipped', reason: `no failed workflow run for ${head.sha.slice(0, 7)}` } }
    if (cmd.command === 'retry') {
      await rerunFailedJobs(deps.github, owner, name, run.id)
      return { status: 202, body: { status: 'rerun', run_id: run.id } }
    }
    return triageFailure(
      // a person asked: [skip-healer] does not apply; a hint naming an agent re-routes the remediation
      { repo: cmd.repo, runId: run.id, attempt: run.attempt, branch: head.ref, sha: head.sha, workflow: run.name, conclusion: 'failure', pull: cmd.pull, requested: true, ...(cmd.hint ? { hint: cmd.hint } : {}) },
      deps,
    )
  } catch (err) {
    return problem(502, 'github_unavailable', `could not read the pull request or its runs from GitHub: ${err instanceof Error ? err.message : String(err)}`)
  }
}

export async function handleIssueComment(payload: unknown, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const s = screenIssueComment(payload, deps)
  return 'answer' in s ? s.answer : processHealerCommand(s.job, deps)
}

/** A commit `status` in state failure or error: triaged by its context name (there is no log to read). */
export const statusPayloadSchema = z.object({
  sha: z.string(),
  state: z.string(),
  context: z.string(),
  id: z.number().int(),
  branches: z.array(z.object({ name: z.string() })).default([]),
  commit: z.object({ commit: z.object({ message: z.string() }).nullish() }).nullish(),
  repository: z.object({ full_name: z.string() }),
  sender: z.object({ login: z.string() }).nullish(),
})

export type StatusPayload = z.output<typeof statusPayloadSchema>

export function screenStatus(payload: unknown): Screened<StatusPayload> {
  const parsed = statusPayloadSchema.safeParse(payload)
  if (!parsed.success) return { answer: invalidField(parsed.error.issues) }
  const { state } = parsed.data
  if (state !== 'success' && state !== 'failure' && state !== 'error') return { answer: { status: 202, body: { ignored: true, reason: `status ${state}` } } }
  return { job: parsed.data }
}

export async function processStatus(st: StatusPayload, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const branch = st.branches[0]?.name ?? 'unknown'
  if (st.state === 'success') {
    const fixed = deps.onSuccess ? await deps.onSuccess(st.repository.full_name, branch, { check: st.context }) : []
    return { status: 200, body: { status: 'tracked', fixed } }
  }
  return triageFailure(
    { repo: st.repository.full_name, runId: st.id, attempt: 1, branch, sha: st.sha, workflow: st.context, conclusion: 'failure', noLog: true, ...(st.commit?.commit ? { commitMessage: st.commit.commit.message } : {}), ...(st.sender ? { sender: st.sender.login } : {}) },
    deps,
  )
}

export async function handleStatus(payload: unknown, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const s = screenStatus(payload)
  return 'answer' in s ? s.answer : processStatus(s.job, deps)
}

/** Our own pipeline's failures (`ci.failure.detected`): the stage's log tail is already here. */
export async function triagePipelineFailure(
  e: { runId: string; repo: string; commit: string; stage: string; reason: string; logTail: string },
  branch: string,
  deps: Omit<RemediateDeps, 'token'>,
): Promise<HttpAnswer> {
  return triageFailure(
    { repo: e.repo, runId: e.runId, attempt: 1, branch, sha: e.commit, workflow: `cicd ${e.stage}`, conclusion: 'failure', log: { text: `${e.logTail}\n${e.reason}`, job: e.stage, url: `/api/cicd/runs/${e.runId}` } },
    deps,
  )
}
