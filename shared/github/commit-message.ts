import type { Octokit } from '@octokit/rest'

/** How many changed files are read of a commit (its first page: GitHub lists at most 100 per page). */
export const MAX_CHANGED_FILES = 100

/**
 * A commit's message and changed files (`GET /repos/{owner}/{repo}/commits/{ref}`: `files[].filename`),
 * given up after `timeoutMs`. Both are untrusted text: callers search and classify them, never log them.
 */
export async function commitDetails(gh: Octokit, owner: string, repo: string, sha: string, timeoutMs: number): Promise<{ message: string; files: string[] }> {
  const { data } = await gh.rest.repos.getCommit({ owner, repo, ref: sha, per_page: MAX_CHANGED_FILES, request: { signal: AbortSignal.timeout(timeoutMs) } })
  const files = (data.files ?? []).map((f) => f.filename).filter((f): f is string => typeof f === 'string' && f !== '')
  return { message: data.commit.message, files: files.slice(0, MAX_CHANGED_FILES) }
}

/** A commit's message alone (see `commitDetails`). */
export async function commitMessage(gh: Octokit, owner: string, repo: string, sha: string, timeoutMs: number): Promise<string> {
  return (await commitDetails(gh, owner, repo, sha, timeoutMs)).message
}
