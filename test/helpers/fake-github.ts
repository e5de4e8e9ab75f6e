import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { components } from '@octokit/openapi-types'

/**
 * GitHub's OpenAPI description (api.github.com), as @octokit/openapi-types has it: each answer
 * below `satisfies` the schema GitHub documents for it, so a field name or a value type that
 * drifts from GitHub's is a type error (tsc, part of `npm test`). Partial: the fields clients read.
 */
type S = components['schemas']
type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T

export interface FakeJob {
  id: number
  name: string
  workflowName: string
  conclusion: 'failure' | 'success' | 'timed_out'
  steps: Array<{ name: string; conclusion: 'success' | 'failure' | 'skipped' | 'timed_out' }>
  log: string
  /** The log expired: GitHub answers 410 Gone. */
  logGone?: boolean
}

export interface FakeWorkflowRun {
  id: number
  name: string
  sha: string
  branch: string
  attempt: number
  /** The check suite GitHub Actions created for the run (`?check_suite_id=`). */
  checkSuiteId?: number
  conclusion?: 'failure' | 'success' | 'timed_out'
}

export interface FakePull {
  ref: string
  sha: string
  state?: 'open' | 'closed'
  /** Other commits of the pull request than its head (for `GET /commits/{sha}/pulls`). */
  commits?: string[]
  /** `owner/name` (listing open pulls of a repository); title, draft and merged as GitHub shows them. */
  repo?: string
  title?: string
  draft?: boolean
  merged?: boolean
}

/** A check run on a commit (`GET /repos/{owner}/{repo}/commits/{ref}/check-runs`); `runId`: its Actions workflow run. */
export interface FakeCheckRun {
  id: number
  repo: string
  sha: string
  name: string
  status: 'queued' | 'in_progress' | 'completed'
  conclusion: 'success' | 'failure' | 'neutral' | 'skipped' | 'cancelled' | 'timed_out' | null
  runId?: number
}

/** A legacy commit status (`POST /repos/{owner}/{repo}/statuses/{sha}` on GitHub); the newest per context counts. */
export interface FakeCommitStatus {
  id: number
  repo: string
  sha: string
  context: string
  state: 'error' | 'failure' | 'pending' | 'success'
}

/**
 * A real HTTP server on loopback that speaks the few GitHub REST endpoints the Healer uses, with
 * the response shapes of GitHub's OpenAPI description (api.github.com cannot be reached here):
 * `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`,
 * `GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs` (a 302 to the log file, as GitHub does; 410 when expired),
 * `GET /repos/{owner}/{repo}/actions/runs?head_sha=&status=&check_suite_id=`,
 * `POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs`,
 * `GET /repos/{owner}/{repo}/commits/{ref}` (optionally slow or failing),
 * `GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls`,
 * `POST /repos/{owner}/{repo}/commits/{commit_sha}/comments`,
 * `GET /repos/{owner}/{repo}/pulls/{pull_number}`,
 * `POST /repos/{owner}/{repo}/issues/{issue_number}/comments` and
 * `POST /repos/{owner}/{repo}/issues/{issue_number}/labels`; for the coordination (routeCoordination):
 * `GET /repos/{owner}/{repo}/pulls?state=open`, `PUT /repos/{owner}/{repo}/pulls/{n}/merge`,
 * `GET /repos/{owner}/{repo}/commits/{ref}/check-runs?filter=`, `GET /repos/{owner}/{repo}/commits/{ref}/status` and
 * `DELETE /repos/{owner}/{repo}/issues/{n}/labels/{name}`.
 */
export class FakeGitHub {
  readonly runs = new Map<number, FakeJob[]>()
  readonly calls: string[] = []
  /** Every request with its query string. */
  readonly urls: string[] = []
  readonly comments: Array<{ repo: string; sha: string; body: string }> = []
  readonly pulls = new Map<number, FakePull>()
  readonly workflowRuns: FakeWorkflowRun[] = []
  readonly reruns: number[] = []
  /** Commit messages by SHA (`GET /commits/{ref}`); an unknown SHA is a 404. */
  readonly commits = new Map<string, string>()
  /** Changed files by SHA (`files[].filename` of `GET /commits/{ref}`); none when unset. */
  readonly commitFiles = new Map<string, string[]>()
  /** Delay before answering `GET /commits/{ref}`, and a status to fail it with. */
  commitDelayMs = 0
  commitStatus: number | undefined
  readonly issueComments: Array<{ repo: string; issue: number; body: string }> = []
  readonly labels = new Map<string, string[]>()
  readonly checkRuns: FakeCheckRun[] = []
  /** Commit statuses (`GET /commits/{ref}/status` combines the newest of each context). */
  readonly commitStatuses: FakeCommitStatus[] = []
  readonly merges: Array<{ repo: string; pull: number; sha: string; method: string }> = []
  private server: Server | undefined
  url = ''

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = ''
      req.on('data', (c: Buffer) => (raw += c.toString()))
      req.on('end', () => this.route(req.method ?? 'GET', req.url ?? '', raw, res))
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`
    return this
  }

  private route(method: string, url: string, raw: string, res: ServerResponse): void {
    {
      const req = { method }
      const path = url.split('?')[0] ?? ''
      this.calls.push(`${method} ${path}`)
      this.urls.push(`${method} ${url}`)
      const json = (status: number, body: unknown) => {
        res.statusCode = status
        res.setHeader('content-type', 'application/json; charset=utf-8')
        res.end(JSON.stringify(body))
      }
      if (this.routeCoordination(method, url, raw, json)) return
      let m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/jobs$/.exec(path)
      if (m) {
        const jobs = this.runs.get(Number(m[3]))
        if (!jobs) return json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
        return json(200, {
          total_count: jobs.length,
          jobs: jobs.map((j) => ({
            id: j.id,
            run_id: Number(m?.[3]),
            run_attempt: 1,
            name: j.name,
            workflow_name: j.workflowName,
            status: 'completed',
            conclusion: j.conclusion,
            html_url: `https://github.com/${m?.[1]}/${m?.[2]}/actions/runs/${m?.[3]}/job/${j.id}`,
            head_sha: '0'.repeat(40),
            labels: ['ubuntu-latest'],
            steps: j.steps.map((s, i) => ({ name: s.name, status: 'completed' as const, conclusion: s.conclusion, number: i + 1 })),
          }) satisfies DeepPartial<S['job']>),
        })
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/jobs\/(\d+)\/logs$/.exec(path)
      if (m) {
        const id = Number(m[3])
        const job = [...this.runs.values()].flat().find((j) => j.id === id)
        if (!job) return json(404, { message: 'Not Found' })
        if (job.logGone) return json(410, { message: 'Gone', documentation_url: 'https://docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run' })
        res.statusCode = 302
        res.setHeader('location', `${this.url}/download/job-${id}.txt`)
        res.end()
        return
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]+)\/comments$/.exec(path)
      if (m && req.method === 'POST') {
        const body = (JSON.parse(raw || '{}') as { body?: string }).body ?? ''
        if (!body) return json(422, { message: 'Validation Failed', errors: [{ resource: 'CommitComment', field: 'body', code: 'missing_field' }] })
        this.comments.push({ repo: `${m[1]}/${m[2]}`, sha: m[3] ?? '', body })
        const id = this.comments.length
        return json(201, { id, node_id: `CC_${id}`, body, commit_id: m[3] ?? '', html_url: `https://github.com/${m[1]}/${m[2]}/commit/${m[3]}#commitcomment-${id}`, user: { login: 'healer[bot]' }, created_at: new Date().toISOString() } satisfies DeepPartial<S['commit-comment']>)
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]+)$/.exec(path)
      if (m && req.method === 'GET') {
        const sha = m[3] ?? ''
        const [owner, repo] = [m[1], m[2]]
        const answer = () => {
          if (res.destroyed) return
          if (this.commitStatus) return json(this.commitStatus, { message: this.commitStatus >= 500 ? 'Server Error' : 'Not Found' })
          const message = [...this.commits].find(([k]) => k.startsWith(sha) || sha.startsWith(k))?.[1]
          if (message === undefined) return json(422, { message: `No commit found for SHA: ${sha}`, documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit' })
          const person = { name: 'Dev', email: 'dev@example.com', date: '2025-01-15T10:29:00Z' }
          json(200, {
            url: `https://api.github.com/repos/${owner}/${repo}/commits/${sha}`,
            sha,
            node_id: `C_${sha.slice(0, 8)}`,
            html_url: `https://github.com/${owner}/${repo}/commit/${sha}`,
            comments_url: `https://api.github.com/repos/${owner}/${repo}/commits/${sha}/comments`,
            commit: { url: `https://api.github.com/repos/${owner}/${repo}/git/commits/${sha}`, author: person, committer: person, message, comment_count: 0, tree: { sha: 'f'.repeat(40), url: '' } },
            author: null,
            committer: null,
            parents: [],
            stats: { additions: 1, deletions: 0, total: 1 },
            files: ([...this.commitFiles].find(([k]) => k.startsWith(sha) || sha.startsWith(k))?.[1] ?? []).map((filename, i) => ({
              sha: `${i}`.padStart(40, 'a'),
              filename,
              status: 'modified' as const,
              additions: 1,
              deletions: 0,
              changes: 1,
              blob_url: `https://github.com/${owner}/${repo}/blob/${sha}/${filename}`,
              raw_url: `https://github.com/${owner}/${repo}/raw/${sha}/${filename}`,
              contents_url: `https://api.github.com/repos/${owner}/${repo}/contents/${filename}?ref=${sha}`,
              patch: '@@ -1 +1 @@',
            })),
          } satisfies DeepPartial<S['commit']>)
        }
        if (this.commitDelayMs > 0) setTimeout(answer, this.commitDelayMs)
        else answer()
        return
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]+)\/pulls$/.exec(path)
      if (m && req.method === 'GET') {
        const sha = m[3] ?? ''
        const [owner, repo] = [m[1], m[2]]
        const simple = [...this.pulls]
          .filter(([, p]) => p.sha === sha || p.commits?.includes(sha))
          .map(([n, p]) => ({
            url: `https://api.github.com/repos/${owner}/${repo}/pulls/${n}`,
            id: 1000 + n,
            node_id: `PR_${n}`,
            html_url: `https://github.com/${owner}/${repo}/pull/${n}`,
            number: n,
            state: p.state ?? 'open',
            locked: false,
            title: `PR ${n}`,
            user: { login: 'dev', id: 1 },
            body: null,
            labels: [],
            draft: false,
            head: { label: `${owner}:${p.ref}`, ref: p.ref, sha: p.sha, user: { login: 'dev', id: 1 } },
            base: { label: `${owner}:main`, ref: 'main', sha: 'b'.repeat(40), user: { login: owner, id: 2 } },
            created_at: '2025-01-15T10:00:00Z',
            updated_at: '2025-01-15T10:00:00Z',
            author_association: 'MEMBER' as const,
          }) satisfies DeepPartial<S['pull-request-simple']>)
        return json(200, simple)
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path)
      if (m && req.method === 'POST') {
        const body = (JSON.parse(raw || '{}') as { body?: string }).body ?? ''
        if (!body) return json(422, { message: 'Validation Failed', errors: [{ resource: 'IssueComment', field: 'body', code: 'missing_field' }] })
        if (!this.pulls.has(Number(m[3]))) return json(404, { message: 'Not Found' })
        this.issueComments.push({ repo: `${m[1]}/${m[2]}`, issue: Number(m[3]), body })
        const id = 5000 + this.issueComments.length
        return json(201, {
          id,
          node_id: `IC_${id}`,
          url: `https://api.github.com/repos/${m[1]}/${m[2]}/issues/comments/${id}`,
          html_url: `https://github.com/${m[1]}/${m[2]}/pull/${m[3]}#issuecomment-${id}`,
          issue_url: `https://api.github.com/repos/${m[1]}/${m[2]}/issues/${m[3]}`,
          body,
          user: { login: 'healer[bot]', id: 3 },
          created_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
          author_association: 'NONE',
        } satisfies DeepPartial<S['issue-comment']>)
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels$/.exec(path)
      if (m && req.method === 'POST') {
        const given = (JSON.parse(raw || '{}') as { labels?: unknown }).labels
        if (!Array.isArray(given) || !given.every((l) => typeof l === 'string')) return json(422, { message: 'Invalid request.\n\nFor \'properties/labels\', nil is not an array.', documentation_url: 'https://docs.github.com/rest/issues/labels#add-labels-to-an-issue' })
        if (!this.pulls.has(Number(m[3]))) return json(404, { message: 'Not Found' })
        const key = `${m[1]}/${m[2]}#${m[3]}`
        const all = [...new Set([...(this.labels.get(key) ?? []), ...(given as string[])])]
        this.labels.set(key, all)
        return json(200, all.map((name, i) => ({ id: 7000 + i, node_id: `LA_${i}`, url: `https://api.github.com/repos/${m?.[1]}/${m?.[2]}/labels/${encodeURIComponent(name)}`, name, description: null, color: 'ededed', default: false }) satisfies S['label']))
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(path)
      if (m) {
        const pr = this.pulls.get(Number(m[3]))
        if (!pr) return json(404, { message: 'Not Found' })
        return json(200, this.pullBody(m[1] ?? '', m[2] ?? '', Number(m[3]), pr))
      }
      if (/^\/repos\/[^/]+\/[^/]+\/actions\/runs$/.test(path)) {
        const q = new URLSearchParams(url.split('?')[1] ?? '')
        const runs = this.workflowRuns.filter(
          (r) =>
            (!q.get('head_sha') || r.sha === q.get('head_sha')) &&
            (!q.get('check_suite_id') || r.checkSuiteId === Number(q.get('check_suite_id'))) &&
            (!q.get('status') || q.get('status') === (r.conclusion ?? 'failure')),
        )
        return json(200, {
          total_count: runs.length,
          workflow_runs: runs.map((r) => ({ id: r.id, name: r.name, run_attempt: r.attempt, head_branch: r.branch, head_sha: r.sha, check_suite_id: r.checkSuiteId ?? 0, status: 'completed', conclusion: r.conclusion ?? 'failure', html_url: `https://github.com/x/y/actions/runs/${r.id}` }) satisfies DeepPartial<S['workflow-run']>),
        })
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/rerun-failed-jobs$/.exec(path)
      if (m && req.method === 'POST') {
        this.reruns.push(Number(m[3]))
        return json(201, {})
      }
      m = /^\/download\/job-(\d+)\.txt$/.exec(path)
      if (m) {
        const job = [...this.runs.values()].flat().find((j) => j.id === Number(m?.[1]))
        res.setHeader('content-type', 'text/plain; charset=utf-8')
        // in 64 KiB writes, as a file server streams a big log
        const body = Buffer.from(job?.log ?? '')
        for (let i = 0; i < body.length; i += 65_536) res.write(body.subarray(i, i + 65_536))
        res.end()
        return
      }
      json(404, { message: 'Not Found' })
    }
  }

  /** A pull request in the shape of GitHub's `pull-request` schema (the fields clients read). */
  private pullBody(owner: string, repo: string, n: number, pr: FakePull): DeepPartial<S['pull-request']> {
    return {
      url: `https://api.github.com/repos/${owner}/${repo}/pulls/${n}`,
      id: 1000 + n,
      node_id: `PR_${n}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${n}`,
      number: n,
      state: pr.state ?? 'open',
      locked: false,
      title: pr.title ?? `PR ${n}`,
      user: { login: 'dev', id: 1 },
      body: null,
      labels: (this.labels.get(`${owner}/${repo}#${n}`) ?? []).map((name, i) => ({ id: 7000 + i, node_id: `LA_${i}`, url: '', name, description: null, color: 'ededed', default: false }) satisfies S['label']),
      draft: pr.draft ?? false,
      merged: pr.merged ?? false,
      mergeable: pr.merged ? null : true,
      head: { label: `${owner}:${pr.ref}`, ref: pr.ref, sha: pr.sha, user: { login: 'dev', id: 1 } },
      base: { label: `${owner}:main`, ref: 'main', sha: 'b'.repeat(40), user: { login: owner, id: 2 } },
      created_at: '2025-01-15T10:00:00Z',
      updated_at: '2025-01-15T10:00:00Z',
      author_association: 'MEMBER',
    } satisfies DeepPartial<S['pull-request']>
  }

  /** The endpoints the CI watcher and coordinator use beyond the Healer's; true when answered. */
  private routeCoordination(method: string, url: string, raw: string, json: (status: number, body: unknown) => void): boolean {
    const path = url.split('?')[0] ?? ''
    const q = new URLSearchParams(url.split('?')[1] ?? '')
    let m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(path)
    if (m && method === 'GET') {
      const [owner, repo] = [m[1] ?? '', m[2] ?? '']
      const state = q.get('state') ?? 'open'
      const list = [...this.pulls].filter(([, p]) => (!p.repo || p.repo === `${owner}/${repo}`) && (state === 'all' || (p.state ?? 'open') === state))
      json(200, list.map(([n, p]) => this.pullBody(owner, repo, n, p)))
      return true
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/merge$/.exec(path)
    if (m && method === 'PUT') {
      const n = Number(m[3])
      const pr = this.pulls.get(n)
      const body = JSON.parse(raw || '{}') as { sha?: string; merge_method?: string }
      if (!pr) json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request' })
      else if (pr.merged || (pr.state ?? 'open') !== 'open') json(405, { message: 'Pull Request is not mergeable', documentation_url: 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request' })
      else if (body.sha && body.sha !== pr.sha) json(409, { message: 'Head branch was modified. Review and try the merge again.', documentation_url: 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request' })
      else {
        Object.assign(pr, { merged: true, state: 'closed' })
        const sha = (this.merges.length + 1).toString(16).padStart(40, 'a')
        this.merges.push({ repo: `${m[1]}/${m[2]}`, pull: n, sha: body.sha ?? pr.sha, method: body.merge_method ?? 'merge' })
        json(200, { sha, merged: true, message: 'Pull Request successfully merged' } satisfies S['pull-request-merge-result'])
      }
      return true
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/.exec(path)
    if (m && method === 'GET') {
      const [owner, repo, ref] = [m[1] ?? '', m[2] ?? '', m[3] ?? '']
      const mine = this.checkRuns.filter((c) => c.repo === `${owner}/${repo}` && c.sha === ref)
      const latest = q.get('filter') === 'all' ? mine : mine.filter((c) => !mine.some((o) => o.name === c.name && o.id > c.id))
      json(200, {
        total_count: latest.length,
        check_runs: latest.map((c) => ({
          id: c.id,
          head_sha: c.sha,
          node_id: `CR_${c.id}`,
          external_id: '',
          url: `https://api.github.com/repos/${owner}/${repo}/check-runs/${c.id}`,
          html_url: c.runId ? `https://github.com/${owner}/${repo}/actions/runs/${c.runId}/job/${c.id}` : `https://github.com/${owner}/${repo}/runs/${c.id}`,
          details_url: c.runId ? `https://github.com/${owner}/${repo}/actions/runs/${c.runId}/job/${c.id}` : 'https://ci.example.com/build/1',
          status: c.status,
          conclusion: c.conclusion,
          started_at: '2025-01-15T10:00:00Z',
          completed_at: c.status === 'completed' ? '2025-01-15T10:05:00Z' : null,
          output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: '' },
          name: c.name,
          check_suite: { id: 9000 + (c.runId ?? 0) },
          app: { id: 15368, slug: c.runId ? 'github-actions' : 'other-ci', name: c.runId ? 'GitHub Actions' : 'Other CI' },
          pull_requests: [],
        }) satisfies DeepPartial<S['check-run']>),
      })
      return true
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/status$/.exec(path)
    if (m && method === 'GET') {
      json(200, this.combinedStatus(m[1] ?? '', m[2] ?? '', m[3] ?? ''))
      return true
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels\/([^/]+)$/.exec(path)
    if (m && method === 'DELETE') {
      const key = `${m[1]}/${m[2]}#${m[3]}`
      const name = decodeURIComponent(m[4] ?? '')
      const now = this.labels.get(key) ?? []
      if (!now.includes(name)) json(404, { message: 'Label does not exist', documentation_url: 'https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue' })
      else {
        this.labels.set(key, now.filter((l) => l !== name))
        json(200, (this.labels.get(key) ?? []).map((l, i) => ({ id: 7000 + i, node_id: `LA_${i}`, url: '', name: l, description: null, color: 'ededed', default: false }) satisfies S['label']))
      }
      return true
    }
    return false
  }

  /** GitHub's `combined-commit-status`: the newest status of each context, and their overall state. */
  private combinedStatus(owner: string, repo: string, ref: string): S['combined-commit-status'] {
    const mine = this.commitStatuses.filter((c) => c.repo === `${owner}/${repo}` && c.sha === ref)
    const latest = mine.filter((c) => !mine.some((o) => o.context === c.context && o.id > c.id))
    const state = latest.some((c) => c.state === 'error' || c.state === 'failure') ? 'failure' : latest.length && latest.every((c) => c.state === 'success') ? 'success' : 'pending'
    const at = '2025-01-15T10:05:00Z'
    return {
      state,
      sha: ref,
      total_count: latest.length,
      statuses: latest.map((c) => ({
        url: `https://api.github.com/repos/${owner}/${repo}/statuses/${ref}`,
        avatar_url: null,
        id: c.id,
        node_id: `SC_${c.id}`,
        state: c.state,
        description: null,
        target_url: 'https://ci.example.com/build/1',
        context: c.context,
        created_at: at,
        updated_at: at,
      })),
      repository: this.minimalRepository(owner, repo),
      commit_url: `https://api.github.com/repos/${owner}/${repo}/commits/${ref}`,
      url: `https://api.github.com/repos/${owner}/${repo}/commits/${ref}/status`,
    }
  }

  /** GitHub's `minimal-repository`, its required fields. */
  private minimalRepository(owner: string, repo: string): S['minimal-repository'] {
    const api = `https://api.github.com/repos/${owner}/${repo}`
    // the *_url fields are generated, so the whole is asserted; the rest is checked field by field
    const fields = {
      id: 1,
      node_id: 'R_1',
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: { login: owner, id: 2, node_id: 'U_2', avatar_url: '', gravatar_id: null, url: `https://api.github.com/users/${owner}`, html_url: `https://github.com/${owner}`, followers_url: '', following_url: '', gists_url: '', starred_url: '', subscriptions_url: '', organizations_url: '', repos_url: '', events_url: '', received_events_url: '', type: 'User', site_admin: false },
      private: false,
      html_url: `https://github.com/${owner}/${repo}`,
      description: null,
      fork: false,
      url: api,
      ...Object.fromEntries(
        ['archive', 'assignees', 'blobs', 'branches', 'collaborators', 'comments', 'commits', 'compare', 'contents', 'contributors', 'deployments', 'downloads', 'events', 'forks', 'git_commits', 'git_refs', 'git_tags', 'issue_comment', 'issue_events', 'issues', 'keys', 'labels', 'languages', 'merges', 'milestones', 'notifications', 'pulls', 'releases', 'stargazers', 'statuses', 'subscribers', 'subscription', 'tags', 'teams', 'trees', 'hooks'].map((k) => [`${k}_url`, `${api}/${k}`] as const),
      ),
    } satisfies DeepPartial<S['minimal-repository']>
    return fields as S['minimal-repository']
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise((r) => this.server?.close(r))
  }
}
