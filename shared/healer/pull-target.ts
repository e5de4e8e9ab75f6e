import type { Octokit } from '@octokit/rest'
import { openPullOfCommit } from '../github/pull-requests'
import type { RemediationRecord } from './record'

export type PullLookup = { pull: number | null } | { error: string }

/**
 * The pull request a remediation's failure belongs to: the one its payload named, else the open
 * pull request of its commit on GitHub (`GET /repos/{o}/{r}/commits/{sha}/pulls`); null when there
 * is none. Never throws.
 */
export async function pullOfRemediation(gh: Octokit, r: Pick<RemediationRecord, 'repo' | 'commit' | 'branch' | 'pull'>): Promise<PullLookup> {
  if (r.pull !== undefined) return { pull: r.pull }
  const [owner, repo] = r.repo.split('/') as [string, string]
  try {
    return { pull: await openPullOfCommit(gh, owner, repo, r.commit, r.branch) }
  } catch (err) {
    return { error: err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err) }
  }
}
