import type { Octokit } from '@octokit/rest'

/**
 * A commit's message (`GET /repos/{owner}/{repo}/commits/{ref}`), given up after `timeoutMs`.
 * The message is untrusted text: callers only search it, never log it.
 */
export async function commitMessage(gh: Octokit, owner: string, repo: string, sha: string, timeoutMs: number): Promise<string> {
  const { data } = await gh.rest.repos.getCommit({ owner, repo, ref: sha, per_page: 1, request: { signal: AbortSignal.timeout(timeoutMs) } })
  return data.commit.message
}
