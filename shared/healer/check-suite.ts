import { z } from 'zod'
import { workflowRunsOfCheckSuite } from '../github/check-suite-runs'
import { pullFromPayload, pullRequestsSchema } from '../github/pull-requests'
import { invalidField, problem, type HttpAnswer } from '../ingress/answer'
import { triageFailure, type FailureInput, type RemediateDeps } from './triage'
import type { Screened } from './screened'

/** GitHub's `check_suite` webhook payload (the part the Healer uses; shapes from @octokit/webhooks-examples). */
export const checkSuitePayloadSchema = z.object({
  action: z.string(),
  check_suite: z.object({
    id: z.number().int(),
    head_branch: z.string().nullish(),
    head_sha: z.string(),
    conclusion: z.string().nullable(),
    app: z.object({ slug: z.string().nullish(), name: z.string().nullish() }).nullish(),
    pull_requests: pullRequestsSchema,
    head_commit: z.object({ message: z.string() }).nullish(),
  }),
  repository: z.object({ full_name: z.string() }),
  sender: z.object({ login: z.string() }).nullish(),
})

/**
 * A completed `check_suite`: a failed or timed-out suite is triaged like a check run. A GitHub
 * Actions suite is its workflow run (`GET /actions/runs?check_suite_id=…`), so its failed jobs'
 * logs are read and it is de-duplicated with the run's `workflow_job` deliveries (same run and
 * attempt); another app's suite has no log and is classified by the app's name. A successful
 * suite tracks fixes; other conclusions are acknowledged.
 */
export async function handleCheckSuite(payload: unknown, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const screened = screenCheckSuite(payload)
  return 'answer' in screened ? screened.answer : processCheckSuite(screened.job, deps)
}

export type CheckSuitePayload = z.output<typeof checkSuitePayloadSchema>

/** What the webhook answers at once (invalid, not completed, a conclusion that neither fails nor fixes), else the suite to queue. */
export function screenCheckSuite(payload: unknown): Screened<CheckSuitePayload> {
  const parsed = checkSuitePayloadSchema.safeParse(payload)
  if (!parsed.success) return { answer: invalidField(parsed.error.issues) }
  const { action, check_suite: s } = parsed.data
  if (action !== 'completed') return { answer: { status: 202, body: { ignored: true, reason: `check_suite ${action}: only completed suites count` } } }
  if (s.conclusion !== 'success' && s.conclusion !== 'failure' && s.conclusion !== 'timed_out')
    return { answer: { status: 202, body: { ignored: true, reason: `check_suite concluded ${s.conclusion ?? 'null'}: only failure and timed_out are triaged` } } }
  return { job: parsed.data }
}

export async function processCheckSuite(p: CheckSuitePayload, deps: Omit<RemediateDeps, 'token'>): Promise<HttpAnswer> {
  const { check_suite: s, repository, sender } = p
  const branch = s.head_branch ?? 'unknown'
  const appName = s.app?.name ?? s.app?.slug ?? 'check suite'
  const [owner, name] = repository.full_name.split('/') as [string, string]
  if (s.conclusion === 'success') {
    if (!deps.onSuccess) return { status: 200, body: { status: 'tracked', fixed: [] } }
    // a passing Actions suite is its whole workflow run: it fixes that workflow's remediations
    let workflow = appName
    if (s.app?.slug === 'github-actions') {
      try {
        const run = (await workflowRunsOfCheckSuite(deps.github, owner, name, s.id))[0]
        if (!run) return { status: 200, body: { status: 'tracked', fixed: [], reason: `GitHub lists no workflow run for check suite ${s.id}` } }
        workflow = run.name
      } catch (err) {
        return problem(502, 'github_unavailable', `could not read check suite ${s.id}'s workflow run from GitHub: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const fixed = await deps.onSuccess(repository.full_name, branch, { workflow })
    return { status: 200, body: { status: 'tracked', fixed } }
  }
  if (s.conclusion !== 'failure' && s.conclusion !== 'timed_out') return { status: 202, body: { ignored: true, reason: `check_suite concluded ${s.conclusion ?? 'null'}: only failure and timed_out are triaged` } }

  const pull = pullFromPayload(s.pull_requests, repository.full_name, s.head_sha)
  const common: Omit<FailureInput, 'runId' | 'attempt' | 'workflow'> = {
    repo: repository.full_name,
    branch,
    sha: s.head_sha,
    conclusion: s.conclusion,
    // check_suite payloads carry the head commit; look it up only when they do not
    ...(s.head_commit ? { commitMessage: s.head_commit.message } : { lookupCommitMessage: true }),
    ...(sender ? { sender: sender.login } : {}),
    ...(pull !== undefined ? { pull } : {}),
  }
  if (s.app?.slug !== 'github-actions') return triageFailure({ ...common, runId: s.id, attempt: 1, workflow: appName, noLog: true }, deps)

  let runs
  try {
    runs = await workflowRunsOfCheckSuite(deps.github, owner, name, s.id)
  } catch (err) {
    return problem(502, 'github_unavailable', `could not read check suite ${s.id}'s workflow run from GitHub: ${err instanceof Error ? err.message : String(err)}`)
  }
  const run = runs[0]
  if (!run) return triageFailure({ ...common, runId: s.id, attempt: 1, workflow: appName, noLog: true, warnings: [`GitHub lists no workflow run for check suite ${s.id}: classified without a log`] }, deps)
  return triageFailure({ ...common, branch: s.head_branch ?? run.branch ?? 'unknown', runId: run.id, attempt: run.attempt, workflow: run.name }, deps)
}
