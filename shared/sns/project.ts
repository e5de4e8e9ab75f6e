/**
 * What an agent needs from a raw GitHub webhook payload, and nothing else: names instead of
 * objects, short SHAs, truncated prose, changed files merged across commits, no URLs but the
 * one a person would open. Fields a payload lacks are left out; null stays where GitHub means
 * "not yet" (a job's conclusion while it runs).
 */
import { setOwn, type JsonObject, type JsonValue } from './json'

export const PURPOSES = ['push', 'workflow_job', 'check_run', 'pull_request', 'issue_comment'] as const
export type Purpose = (typeof PURPOSES)[number]

/** Longest prose kept (commit messages, PR bodies, comments), in characters. */
export const MAX_TEXT = 200
const SHORT_SHA = 7
const ZERO_SHA = /^0{40}$/

export function project(payload: unknown, purpose: Purpose): JsonValue {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new TypeError('sns project: the payload is not a JSON object')
  switch (purpose) {
    case 'push':
      return push(payload)
    case 'workflow_job':
      return workflowJob(payload)
    case 'check_run':
      return checkRun(payload)
    case 'pull_request':
      return pullRequest(payload)
    case 'issue_comment':
      return issueComment(payload)
  }
  throw new TypeError(`sns project: unknown purpose ${JSON.stringify(purpose)} (expected one of ${PURPOSES.join(', ')})`)
}

// ---------------------------------------------------------------- reading the payload

function at(v: unknown, ...path: string[]): unknown {
  let cur = v
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined
    cur = (cur as Record<string, unknown>)[k]
  }
  return cur
}
const str = (v: unknown, ...path: string[]) => {
  const x = at(v, ...path)
  return typeof x === 'string' ? x : x === null ? null : undefined
}
const num = (v: unknown, ...path: string[]) => {
  const x = at(v, ...path)
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined
}
const bool = (v: unknown, ...path: string[]) => {
  const x = at(v, ...path)
  return typeof x === 'boolean' ? x : undefined
}
const list = (v: unknown, ...path: string[]): unknown[] => {
  const x = at(v, ...path)
  return Array.isArray(x) ? x : []
}

/** First 7 characters of a commit SHA; null for the all-zero SHA (no commit). */
function short(sha: string | null | undefined): string | null | undefined {
  if (typeof sha !== 'string') return sha
  return ZERO_SHA.test(sha) ? null : sha.slice(0, SHORT_SHA)
}

/** At most MAX_TEXT characters (code points), `…` marking a cut; trailing whitespace dropped. */
export function truncate(s: string | null | undefined, max = MAX_TEXT): string | null | undefined {
  if (typeof s !== 'string') return s
  const t = s.replace(/\r\n/g, '\n').trimEnd()
  const cps = Array.from(t)
  return cps.length <= max ? t : `${cps.slice(0, max - 1).join('').trimEnd()}…`
}

/** A JSON object from entries, leaving out the undefined ones. */
function obj(entries: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) setOwn(out, k, v)
  return out
}

const repoOf = (p: object) => str(p, 'repository', 'full_name') ?? undefined
const names = (items: unknown[], key: string) => items.map((x) => at(x, key)).filter((x): x is string => typeof x === 'string')
const nonEmpty = (xs: JsonValue[]) => (xs.length > 0 ? xs : undefined)

function refParts(ref: string | null | undefined): { branch?: string; tag?: string; ref?: string } {
  if (typeof ref !== 'string') return {}
  if (ref.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) }
  if (ref.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) }
  return { ref }
}

function seconds(from: string | null | undefined, to: string | null | undefined): number | undefined {
  if (typeof from !== 'string' || typeof to !== 'string') return undefined
  const ms = Date.parse(to) - Date.parse(from)
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms / 1000) : undefined
}

// ---------------------------------------------------------------- the purposes

/**
 * Files changed by the push as a whole: a file added and then modified counts as added, one
 * added and then removed not at all, one removed and re-added as modified. Sorted.
 */
export function mergeFileChanges(commits: unknown[]): { added: string[]; modified: string[]; removed: string[] } {
  const state = new Map<string, 'added' | 'modified' | 'removed'>()
  for (const c of commits) {
    for (const f of list(c, 'added')) {
      if (typeof f !== 'string') continue
      state.set(f, state.get(f) === 'removed' ? 'modified' : 'added')
    }
    for (const f of list(c, 'modified')) {
      if (typeof f !== 'string') continue
      if (state.get(f) !== 'added') state.set(f, 'modified')
    }
    for (const f of list(c, 'removed')) {
      if (typeof f !== 'string') continue
      if (state.get(f) === 'added') state.delete(f)
      else state.set(f, 'removed')
    }
  }
  const pick = (s: string) => [...state].filter(([, v]) => v === s).map(([f]) => f).sort()
  return { added: pick('added'), modified: pick('modified'), removed: pick('removed') }
}

function push(p: object): JsonObject {
  const commits = list(p, 'commits')
  // Some deliveries list no commits but a head commit (tags, GitHub's size cap): use it then.
  const head = at(p, 'head_commit')
  const files = mergeFileChanges(commits.length > 0 ? commits : head ? [head] : [])
  const pusher = str(p, 'pusher', 'name')
  const sender = str(p, 'sender', 'login')
  return obj({
    repo: repoOf(p),
    ...refParts(str(p, 'ref')),
    before: short(str(p, 'before')),
    after: short(str(p, 'after')),
    created: bool(p, 'created') || undefined,
    deleted: bool(p, 'deleted') || undefined,
    forced: bool(p, 'forced'),
    pusher,
    sender: sender && sender !== pusher ? sender : undefined,
    commits: commits.length,
    message: head ? truncate(str(head, 'message')) : undefined,
    author: head ? (str(head, 'author', 'username') ?? str(head, 'author', 'name')) : undefined,
    added: nonEmpty(files.added),
    modified: nonEmpty(files.modified),
    removed: nonEmpty(files.removed),
  })
}

function workflowJob(p: object): JsonObject {
  const j = at(p, 'workflow_job') ?? {}
  const steps = list(j, 'steps')
  const failed = steps.filter((s) => str(s, 'conclusion') === 'failure').map((s) => obj({ n: num(s, 'number'), name: str(s, 'name') }))
  return obj({
    repo: repoOf(p),
    action: str(p, 'action'),
    workflow: str(j, 'workflow_name'),
    job: str(j, 'name'),
    runId: num(j, 'run_id'),
    attempt: num(j, 'run_attempt'),
    status: str(j, 'status'),
    conclusion: str(j, 'conclusion'),
    branch: str(j, 'head_branch'),
    sha: short(str(j, 'head_sha')),
    durationSec: seconds(str(j, 'started_at'), str(j, 'completed_at')),
    runner: str(j, 'runner_name') ?? undefined,
    labels: nonEmpty(list(j, 'labels').filter((l): l is string => typeof l === 'string')),
    steps: steps.length || undefined,
    failedSteps: nonEmpty(failed),
    url: str(j, 'html_url') ?? undefined,
  })
}

function checkRun(p: object): JsonObject {
  const c = at(p, 'check_run') ?? {}
  const prs = list(c, 'pull_requests').map((pr) => num(pr, 'number')).filter((n): n is number => n !== undefined)
  return obj({
    repo: repoOf(p),
    action: str(p, 'action'),
    name: str(c, 'name'),
    app: str(c, 'app', 'slug') ?? undefined,
    status: str(c, 'status'),
    conclusion: str(c, 'conclusion'),
    branch: str(c, 'check_suite', 'head_branch'),
    sha: short(str(c, 'head_sha')),
    durationSec: seconds(str(c, 'started_at'), str(c, 'completed_at')),
    title: truncate(str(c, 'output', 'title')) ?? undefined,
    summary: truncate(str(c, 'output', 'summary')) ?? undefined,
    annotations: num(c, 'output', 'annotations_count') || undefined,
    pullRequests: nonEmpty(prs),
    requestedAction: str(p, 'requested_action', 'identifier') ?? undefined,
    url: str(c, 'html_url') ?? undefined,
  })
}

function pullRequest(p: object): JsonObject {
  const pr = at(p, 'pull_request') ?? {}
  return obj({
    repo: repoOf(p),
    action: str(p, 'action'),
    number: num(pr, 'number') ?? num(p, 'number'),
    title: truncate(str(pr, 'title')),
    author: str(pr, 'user', 'login') ?? undefined,
    state: str(pr, 'state'),
    draft: bool(pr, 'draft') || undefined,
    merged: bool(pr, 'merged') || undefined,
    base: str(pr, 'base', 'ref'),
    head: str(pr, 'head', 'ref'),
    headSha: short(str(pr, 'head', 'sha')),
    before: short(str(p, 'before')),
    after: short(str(p, 'after')),
    commits: num(pr, 'commits'),
    additions: num(pr, 'additions'),
    deletions: num(pr, 'deletions'),
    changedFiles: num(pr, 'changed_files'),
    labels: nonEmpty(names(list(pr, 'labels'), 'name')),
    label: str(p, 'label', 'name') ?? undefined,
    reviewer: str(p, 'requested_reviewer', 'login') ?? str(p, 'requested_team', 'name') ?? undefined,
    assignee: str(p, 'assignee', 'login') ?? undefined,
    body: truncate(str(pr, 'body')) ?? undefined,
    url: str(pr, 'html_url') ?? undefined,
  })
}

function issueComment(p: object): JsonObject {
  const issue = at(p, 'issue') ?? {}
  const comment = at(p, 'comment') ?? {}
  return obj({
    repo: repoOf(p),
    action: str(p, 'action'),
    issue: num(issue, 'number'),
    pullRequest: at(issue, 'pull_request') ? true : undefined,
    title: truncate(str(issue, 'title')),
    state: str(issue, 'state'),
    author: str(comment, 'user', 'login') ?? undefined,
    association: str(comment, 'author_association') ?? undefined,
    body: truncate(str(comment, 'body')),
    previousBody: truncate(str(p, 'changes', 'body', 'from')) ?? undefined,
    url: str(comment, 'html_url') ?? undefined,
  })
}
