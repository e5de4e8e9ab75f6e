import type { Octokit } from '@octokit/rest'
import { z } from 'zod'

/** A pull request as the webhook payloads list it (`pull_requests` of check runs, suites, workflow runs). */
export interface PayloadPull {
  number: number
  head?: { sha?: string | null | undefined } | null | undefined
  base?: { repo?: { url?: string | null | undefined } | null | undefined } | null | undefined
}

/** The payload's pull request for `repo` at `sha` (the head commit's first, else the first of this repository). */
export function pullFromPayload(pulls: readonly PayloadPull[], repo: string, sha: string): number | undefined {
  const own = pulls.filter((p) => !p.base?.repo?.url || p.base.repo.url.toLowerCase().endsWith(`/repos/${repo.toLowerCase()}`))
  return (own.find((p) => p.head?.sha === sha) ?? own[0])?.number
}

/**
 * The open pull request a commit belongs to (`GET /repos/{owner}/{repo}/commits/{sha}/pulls`): the
 * one whose head is this commit, else one from `branch`, else the first open one; null when none
 * is open (a commit on the default branch after its PR was merged).
 */
export async function openPullOfCommit(gh: Octokit, owner: string, repo: string, sha: string, branch?: string): Promise<number | null> {
  const { data } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha, per_page: 30 })
  const open = data.filter((p) => p.state === 'open')
  return (open.find((p) => p.head.sha === sha) ?? open.find((p) => branch !== undefined && p.head.ref === branch) ?? open[0])?.number ?? null
}

/** A comment on a pull request (`POST /repos/{owner}/{repo}/issues/{number}/comments`); its URL. */
export async function commentOnPull(gh: Octokit, owner: string, repo: string, pull: number, body: string): Promise<string> {
  const { data } = await gh.rest.issues.createComment({ owner, repo, issue_number: pull, body: body.slice(0, 65_000) })
  return data.html_url ?? `comment ${data.id}`
}

/** A commit comment (`POST /repos/{owner}/{repo}/commits/{sha}/comments`); its URL. */
export async function commentOnCommit(gh: Octokit, owner: string, repo: string, sha: string, body: string): Promise<string> {
  const { data } = await gh.rest.repos.createCommitComment({ owner, repo, commit_sha: sha, body: body.slice(0, 65_000) })
  return data.html_url ?? `comment ${data.id}`
}

/** Adds a label to a pull request (`POST /repos/{owner}/{repo}/issues/{number}/labels`); the labels it now has. */
export async function labelPull(gh: Octokit, owner: string, repo: string, pull: number, label: string): Promise<string[]> {
  const { data } = await gh.rest.issues.addLabels({ owner, repo, issue_number: pull, labels: [label] })
  return data.map((l) => l.name)
}

/** `pull_requests` of check runs, check suites and workflow runs in webhook payloads (the part used). */
export const pullRequestsSchema = z
  .array(
    z.object({
      number: z.number().int().positive(),
      head: z.object({ sha: z.string().nullish() }).nullish(),
      base: z.object({ repo: z.object({ url: z.string().nullish() }).nullish() }).nullish(),
    }),
  )
  .default([])
