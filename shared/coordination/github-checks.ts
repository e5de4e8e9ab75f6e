import type { Octokit } from '@octokit/rest'

/** An open pull request as the watcher needs it. Title and labels are untrusted text. */
export interface PullSummary {
  number: number
  title: string
  url: string
  sha: string
  labels: string[]
  draft: boolean
}

/**
 * A check on a commit: a check run (`GET /repos/{owner}/{repo}/commits/{ref}/check-runs`) or a
 * legacy commit status (`GET /repos/{owner}/{repo}/commits/{ref}/status`, the combined status:
 * its `context` is the name, `pending` is not completed, `error` and `failure` failed).
 */
export interface CheckRun {
  id: number
  /** Absent: a check run. */
  kind?: 'check_run' | 'status'
  name: string
  status: string
  conclusion: string | null
  /** The GitHub Actions workflow run it belongs to (from its details URL); null for other apps' checks. */
  runId: number | null
}

/** `…/actions/runs/123/job/456` → 123 (GitHub Actions check runs link their job page). */
export function workflowRunIdOf(detailsUrl: string | null | undefined): number | null {
  const m = /\/actions\/runs\/(\d+)(?:\/|$)/.exec(detailsUrl ?? '')
  return m ? Number(m[1]) : null
}

/** The open pull requests of a repository (`GET /repos/{owner}/{repo}/pulls?state=open`), up to `max`. */
export async function openPulls(gh: Octokit, owner: string, repo: string, max = 300): Promise<PullSummary[]> {
  const out: PullSummary[] = []
  for await (const page of gh.paginate.iterator(gh.rest.pulls.list, { owner, repo, state: 'open', per_page: 100 })) {
    for (const p of page.data)
      out.push({ number: p.number, title: p.title, url: p.html_url, sha: p.head.sha, labels: p.labels.map((l) => l.name ?? '').filter(Boolean), draft: p.draft ?? false })
    if (out.length >= max) break
  }
  return out.slice(0, max)
}

/** Every check run on a commit: `latest` (one per name, GitHub's default) or `all` (earlier attempts too). */
export async function checkRunsForRef(gh: Octokit, owner: string, repo: string, ref: string, filter: 'latest' | 'all'): Promise<CheckRun[]> {
  const runs = await gh.paginate(gh.rest.checks.listForRef, { owner, repo, ref, filter, per_page: 100 })
  return runs.map((r) => ({ id: r.id, name: r.name, status: r.status, conclusion: r.conclusion ?? null, runId: workflowRunIdOf(r.details_url) }))
}

/** The latest commit status of each context on a commit (the combined status), as checks. */
export async function commitStatusesForRef(gh: Octokit, owner: string, repo: string, ref: string): Promise<CheckRun[]> {
  const { data } = await gh.rest.repos.getCombinedStatusForRef({ owner, repo, ref, per_page: 100 })
  return data.statuses.map((s) => ({
    id: s.id,
    kind: 'status' as const,
    name: s.context,
    status: s.state === 'pending' ? 'pending' : 'completed',
    conclusion: s.state === 'pending' ? null : s.state,
    runId: null,
  }))
}

/** Every check on a commit: its check runs (`filter` as in checkRunsForRef) and its commit statuses. */
export async function checksForRef(gh: Octokit, owner: string, repo: string, ref: string, filter: 'latest' | 'all'): Promise<CheckRun[]> {
  const [runs, statuses] = await Promise.all([checkRunsForRef(gh, owner, repo, ref, filter), commitStatusesForRef(gh, owner, repo, ref)])
  return [...runs, ...statuses]
}

/** A commit's message (`GET /repos/{owner}/{repo}/commits/{ref}`): untrusted, only ever searched. */
export async function commitMessage(gh: Octokit, owner: string, repo: string, sha: string): Promise<string> {
  const { data } = await gh.rest.repos.getCommit({ owner, repo, ref: sha, per_page: 1 })
  return data.commit.message
}

export interface PullState {
  state: string
  merged: boolean
  draft: boolean
  sha: string
}

export async function pullState(gh: Octokit, owner: string, repo: string, pull: number): Promise<PullState> {
  const { data } = await gh.rest.pulls.get({ owner, repo, pull_number: pull })
  return { state: data.state, merged: data.merged ?? false, draft: data.draft ?? false, sha: data.head.sha }
}

/** Merges at `sha` exactly (`PUT /repos/{owner}/{repo}/pulls/{n}/merge`): a push in between makes GitHub refuse. */
export async function mergePull(gh: Octokit, owner: string, repo: string, pull: number, sha: string, method: 'merge' | 'squash' | 'rebase'): Promise<{ sha: string; merged: boolean; message: string }> {
  const { data } = await gh.rest.pulls.merge({ owner, repo, pull_number: pull, sha, merge_method: method })
  return { sha: data.sha, merged: data.merged, message: data.message }
}

/** Adds labels to a pull request (`POST /repos/{owner}/{repo}/issues/{n}/labels`); the labels it now has. */
export async function addLabels(gh: Octokit, owner: string, repo: string, pull: number, labels: string[]): Promise<string[]> {
  const { data } = await gh.rest.issues.addLabels({ owner, repo, issue_number: pull, labels })
  return data.map((l) => l.name)
}

/** Removes a label (`DELETE …/issues/{n}/labels/{name}`); one that is not there counts as removed. */
export async function removeLabel(gh: Octokit, owner: string, repo: string, pull: number, name: string): Promise<void> {
  try {
    await gh.rest.issues.removeLabel({ owner, repo, issue_number: pull, name })
  } catch (err) {
    if (httpStatusOf(err) !== 404) throw err
  }
}

/** The HTTP status of an Octokit error (undefined: no answer at all). */
export function httpStatusOf(err: unknown): number | undefined {
  const s = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined
  return typeof s === 'number' ? s : undefined
}

/** Worth another try later: no answer, a timeout, GitHub's 5xx, or a rate limit. */
export function isTransient(err: unknown): boolean {
  const s = httpStatusOf(err)
  if (s === undefined || s >= 500 || s === 429) return true
  if (s === 403) {
    const headers = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers
    return headers?.['x-ratelimit-remaining'] === '0' || headers?.['retry-after'] !== undefined
  }
  return false
}
