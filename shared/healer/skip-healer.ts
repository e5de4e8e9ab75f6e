import type { Octokit } from '@octokit/rest'
import { commitDetails } from '../github/commit-message'

export const SKIP_MARK = '[skip-healer]'
/** How long a failure waits for its commit message before it is triaged without the check. */
export const COMMIT_LOOKUP_TIMEOUT_MS = 5_000

/** Whether to skip; else what the commit lookup found: its changed files (for the classifier), and what could not be read. */
export type SkipCheck = { skip: true } | { skip: false; warning?: string; files?: string[] }

/**
 * Seed 001's `[skip-healer]` filter. `workflow_job` and `check_run` payloads carry no commit
 * message, so it is read from GitHub within `timeoutMs`; a lookup that fails or times out does not
 * drop the failure: it is triaged, with a warning saying the mark was not checked. The same answer
 * lists the commit's changed files, which the classifier uses (`wantFiles`: read the commit for them
 * even when the message is known, as for a failure without a log). The message is untrusted text:
 * it is searched, never logged or returned.
 */
export async function skipHealerCheck(
  gh: Octokit,
  repo: string,
  sha: string,
  known: string | undefined,
  lookup: boolean,
  timeoutMs: number = COMMIT_LOOKUP_TIMEOUT_MS,
  wantFiles = false,
): Promise<SkipCheck> {
  if (known?.includes(SKIP_MARK)) return { skip: true }
  const needMessage = known === undefined && lookup
  if (!needMessage && !wantFiles) return { skip: false }
  const [owner, name] = repo.split('/') as [string, string]
  try {
    const commit = await commitDetails(gh, owner, name, sha, timeoutMs)
    if (needMessage && commit.message.includes(SKIP_MARK)) return { skip: true }
    return commit.files.length ? { skip: false, files: commit.files } : { skip: false }
  } catch (err) {
    const why = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError' || /abort/i.test(err.message)) ? `no answer within ${timeoutMs} ms` : err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err)
    return { skip: false, warning: needMessage ? `could not read commit ${sha.slice(0, 12)}'s message (${why}): ${SKIP_MARK} was not checked` : `could not read commit ${sha.slice(0, 12)}'s changed files (${why}): classified by the names alone` }
  }
}
