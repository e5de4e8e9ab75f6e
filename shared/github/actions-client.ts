import { Octokit } from '@octokit/rest'

export interface FailedJob {
  id: number
  name: string
  workflowName?: string
  conclusion: string | null
  /** The first step that failed, as GitHub names it (e.g. `Run cargo clippy`). */
  failedStep?: string
  htmlUrl?: string
}

/** The REST API base: GITHUB_API_URL (GitHub Enterprise, or a local stand-in in tests). */
export function githubClient(env: NodeJS.ProcessEnv = process.env): Octokit {
  return new Octokit({
    ...(env.GITHUB_TOKEN ? { auth: env.GITHUB_TOKEN } : {}),
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    userAgent: 'intelligent-cicd',
    request: { timeout: 15_000 },
  })
}

/** The failed (or timed-out) jobs of a workflow run's latest attempt. */
export async function failedJobs(gh: Octokit, owner: string, repo: string, runId: number): Promise<FailedJob[]> {
  const { data } = await gh.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: runId, filter: 'latest', per_page: 100 })
  return data.jobs
    .filter((j) => j.conclusion === 'failure' || j.conclusion === 'timed_out')
    .map((j) => {
      const step = (j.steps?.find((s) => s.conclusion === 'failure') ?? j.steps?.find((s) => s.conclusion === 'timed_out' || s.conclusion === 'cancelled'))?.name
      return {
        id: j.id,
        name: j.name,
        conclusion: j.conclusion,
        ...(j.workflow_name ? { workflowName: j.workflow_name } : {}),
        ...(step ? { failedStep: step } : {}),
        ...(j.html_url ? { htmlUrl: j.html_url } : {}),
      }
    })
}

/** A job's log (GitHub answers with a redirect to the file), cut to its last `maxBytes`. */
export async function jobLog(gh: Octokit, owner: string, repo: string, jobId: number, maxBytes = 2 * 1024 * 1024): Promise<string> {
  const res = await gh.rest.actions.downloadJobLogsForWorkflowRun({ owner, repo, job_id: jobId })
  let text: string
  if (typeof res.data === 'string') text = res.data
  else if (res.data instanceof ArrayBuffer) text = Buffer.from(res.data).toString('utf8')
  else {
    const url = (res as { url?: string }).url ?? ''
    text = url ? await (await fetch(url, { signal: AbortSignal.timeout(30_000) })).text() : ''
  }
  const buf = Buffer.from(text)
  return buf.length > maxBytes ? buf.subarray(buf.length - maxBytes).toString('utf8') : text
}

/** The head branch and commit of a pull request. */
export async function pullHead(gh: Octokit, owner: string, repo: string, pull: number): Promise<{ ref: string; sha: string }> {
  const { data } = await gh.rest.pulls.get({ owner, repo, pull_number: pull })
  return { ref: data.head.ref, sha: data.head.sha }
}

/** The newest failed workflow run for a commit, if any. */
export async function latestFailedRun(gh: Octokit, owner: string, repo: string, sha: string): Promise<{ id: number; name: string; attempt: number; branch: string } | null> {
  const { data } = await gh.rest.actions.listWorkflowRunsForRepo({ owner, repo, head_sha: sha, status: 'failure', per_page: 10 })
  const run = data.workflow_runs[0]
  return run ? { id: run.id, name: run.name ?? 'workflow', attempt: run.run_attempt ?? 1, branch: run.head_branch ?? 'unknown' } : null
}

/** Re-runs the failed jobs of a workflow run (`/healer retry`). */
export async function rerunFailedJobs(gh: Octokit, owner: string, repo: string, runId: number): Promise<void> {
  await gh.rest.actions.reRunWorkflowFailedJobs({ owner, repo, run_id: runId })
}
