import type { Octokit } from '@octokit/rest'
import { commitMessage } from '../github/commit-message'

export const SKIP_MARK = '[skip-healer]'
/** How long a failure waits for its commit message before it is triaged without the check. */
export const COMMIT_LOOKUP_TIMEOUT_MS = 5_000

export type SkipCheck = { skip: true } | { skip: false; warning?: string }

/**
 * Seed 001's `[skip-healer]` filter. `workflow_job` and `check_run` payloads carry no commit
 * message, so it is read from GitHub within `timeoutMs`; a lookup that fails or times out does not
 * drop the failure: it is triaged, with a warning saying the mark was not checked. The message is
 * untrusted text: it is searched, never logged or returned.
 */
export async function skipHealerCheck(
  gh: Octokit,
  repo: string,
  sha: string,
  known: string | undefined,
  lookup: boolean,
  timeoutMs: number = COMMIT_LOOKUP_TIMEOUT_MS,
): Promise<SkipCheck> {
  if (known !== undefined) return known.includes(SKIP_MARK) ? { skip: true } : { skip: false }
  if (!lookup) return { skip: false }
  const [owner, name] = repo.split('/') as [string, string]
  try {
    return (await commitMessage(gh, owner, name, sha, timeoutMs)).includes(SKIP_MARK) ? { skip: true } : { skip: false }
  } catch (err) {
    const why = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError' || /abort/i.test(err.message)) ? `no answer within ${timeoutMs} ms` : err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err)
    return { skip: false, warning: `could not read commit ${sha.slice(0, 12)}'s message (${why}): ${SKIP_MARK} was not checked` }
  }
}
