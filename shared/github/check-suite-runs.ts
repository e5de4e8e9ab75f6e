import type { Octokit } from '@octokit/rest'

export interface SuiteRun {
  id: number
  name: string
  attempt: number
  branch: string | null
  sha: string
}

/**
 * The workflow runs of a GitHub Actions check suite (one per suite):
 * `GET /repos/{owner}/{repo}/actions/runs?check_suite_id=…`. Their failed jobs and logs are read
 * like any run's (`failedJobs`, `jobLog`).
 */
export async function workflowRunsOfCheckSuite(gh: Octokit, owner: string, repo: string, checkSuiteId: number): Promise<SuiteRun[]> {
  const { data } = await gh.rest.actions.listWorkflowRunsForRepo({ owner, repo, check_suite_id: checkSuiteId, per_page: 10 })
  return data.workflow_runs.map((r) => ({ id: r.id, name: r.name ?? 'workflow', attempt: r.run_attempt ?? 1, branch: r.head_branch, sha: r.head_sha }))
}
