import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeJob {
  id: number
  name: string
  workflowName: string
  conclusion: 'failure' | 'success'
  steps: Array<{ name: string; conclusion: 'success' | 'failure' | 'skipped' }>
  log: string
}

/**
 * A real HTTP server on loopback that speaks the few GitHub REST endpoints the Healer uses, with
 * the response shapes of GitHub's OpenAPI description (api.github.com cannot be reached here):
 * `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs` and
 * `GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs` (a 302 to the log file, as GitHub does) and
 * `POST /repos/{owner}/{repo}/commits/{commit_sha}/comments`.
 */
export class FakeGitHub {
  readonly runs = new Map<number, FakeJob[]>()
  readonly calls: string[] = []
  readonly comments: Array<{ repo: string; sha: string; body: string }> = []
  readonly pulls = new Map<number, { ref: string; sha: string }>()
  readonly workflowRuns: Array<{ id: number; name: string; sha: string; branch: string; attempt: number }> = []
  readonly reruns: number[] = []
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
      const json = (status: number, body: unknown) => {
        res.statusCode = status
        res.setHeader('content-type', 'application/json; charset=utf-8')
        res.end(JSON.stringify(body))
      }
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
            steps: j.steps.map((s, i) => ({ name: s.name, status: 'completed', conclusion: s.conclusion, number: i + 1 })),
          })),
        })
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/jobs\/(\d+)\/logs$/.exec(path)
      if (m) {
        const id = Number(m[3])
        const job = [...this.runs.values()].flat().find((j) => j.id === id)
        if (!job) return json(404, { message: 'Not Found' })
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
        return json(201, { id, node_id: `CC_${id}`, body, commit_id: m[3], html_url: `https://github.com/${m[1]}/${m[2]}/commit/${m[3]}#commitcomment-${id}`, user: { login: 'healer[bot]' }, created_at: new Date().toISOString() })
      }
      m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(path)
      if (m) {
        const pr = this.pulls.get(Number(m[3]))
        if (!pr) return json(404, { message: 'Not Found' })
        return json(200, { number: Number(m[3]), state: 'open', head: { ref: pr.ref, sha: pr.sha, label: `${m[1]}:${pr.ref}` }, base: { ref: 'main' } })
      }
      if (/^\/repos\/[^/]+\/[^/]+\/actions\/runs$/.test(path)) {
        const q = new URLSearchParams(url.split('?')[1] ?? '')
        const runs = this.workflowRuns.filter((r) => (!q.get('head_sha') || r.sha === q.get('head_sha')) && q.get('status') === 'failure')
        return json(200, {
          total_count: runs.length,
          workflow_runs: runs.map((r) => ({ id: r.id, name: r.name, run_attempt: r.attempt, head_branch: r.branch, head_sha: r.sha, status: 'completed', conclusion: 'failure', html_url: `https://github.com/x/y/actions/runs/${r.id}` })),
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
        res.end(job?.log ?? '')
        return
      }
      json(404, { message: 'Not Found' })
    }
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise((r) => this.server?.close(r))
  }
}
