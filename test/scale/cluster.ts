/**
 * Several real instances of the product (scripts/start.mjs) on one Redis, a trivial repository
 * whose stages leave a marker line per execution, and signed pushes spread over the instances.
 * Shared by the scale suites and `npm run bench:scale`.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { signBody } from '../../shared/github/signature'
import { TempRepo } from '../helpers/git-repo'
import { startServer, type RunningServer } from '../helpers/server'

export const SCALE_SECRET = 'scale webhook secret'
export const SCALE_TOKEN = 'scale-api-token-123'

export interface TrivialRepo {
  repo: TempRepo
  before: string
  after: string
}

/** A git repository with two commits: the second touches a script, so the build is not skipped. */
export function trivialRepo(): TrivialRepo {
  const repo = new TempRepo('cicd-scale-repo-')
  const before = repo.commit({ 'README.md': '# scale\n', 'build.sh': 'echo built\n' }, 'one')
  const after = repo.commit({ 'build.sh': 'echo built again\n' }, 'two')
  return { repo, before, after }
}

export interface ScaleConfigOptions {
  repoDir: string
  /** Each stage execution appends `<workspace dir>` to <markers>/<stage>. */
  markers: string
  workspaceRoot: string
  /** Seconds each stage command sleeps before writing its marker (0: none). */
  stageSeconds?: number
  /** cicd.yml stage timeouts. */
  timeout?: string
}

/**
 * cicd.yml for the trivial pipeline: local commands, no deploy ports, no model. Each stage
 * appends its workspace directory (…/<instance workspaces>/<runId>) to `<stage>.start` when it
 * begins and to `<stage>` once it has done its work, so every execution of every stage is
 * counted, and where it ran is known.
 */
export function writeScaleConfig(file: string, o: ScaleConfigOptions): string {
  mkdirSync(o.markers, { recursive: true })
  const mark = (file: string) => `echo "$PWD" >> ${path.join(o.markers, file)}`
  const cmd = (stage: string) => JSON.stringify(`${mark(`${stage}.start`)}; ${o.stageSeconds ? `sleep ${o.stageSeconds}; ` : ''}${mark(stage)}`)
  const timeout = o.timeout ? `, timeout: ${o.timeout}` : ''
  writeFileSync(
    file,
    `defaults:\n  executor: local\n  workspace_root: ${o.workspaceRoot}\n  llm: { enabled: off }\n` +
      `repositories:\n  - name: scale\n    path: ${o.repoDir}\n    github: scale/trivial\n    branches: [main]\n` +
      `    build: { commands: [${cmd('build')}]${timeout} }\n    test: { commands: [${cmd('test')}], select: all${timeout} }\n`,
  )
  return file
}

/** Marker lines per file (`build`, `build.start`, …): runId → the workspace roots it ran in, one per execution. */
export function readMarkers(markers: string): Record<string, Map<string, string[]>> {
  const out: Record<string, Map<string, string[]>> = {}
  for (const stage of readdirSync(markers)) {
    const m = new Map<string, string[]>()
    for (const line of readFileSync(path.join(markers, stage), 'utf8').split('\n').filter(Boolean)) {
      const runId = path.basename(line)
      m.set(runId, [...(m.get(runId) ?? []), path.dirname(line)])
    }
    out[stage] = m
  }
  return out
}

export interface ClusterOptions {
  n: number
  redisUrl: string
  /** One cicd.yml for all, or one per instance. */
  configs: string[]
  stateRoot: string
  env?: Record<string, string>
}

/** Starts n instances (own PORT and CICD_STATE_DIR, same REDIS_URL), one after the other. */
export async function startCluster(o: ClusterOptions): Promise<RunningServer[]> {
  const servers: RunningServer[] = []
  try {
    for (let i = 0; i < o.n; i++) {
      servers.push(
        await startServer({
          REDIS_URL: o.redisUrl,
          CICD_CONFIG: o.configs[i % o.configs.length] as string,
          CICD_STATE_DIR: path.join(o.stateRoot, `instance-${i}`),
          GITHUB_WEBHOOK_SECRET: SCALE_SECRET,
          CICD_API_TOKEN: SCALE_TOKEN,
          CICD_INSTANCE_ID: `scale-${i}`,
          ...o.env,
        }),
      )
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()))
    throw err
  }
  return servers
}

export interface PushAnswer {
  status: number
  body: { runId?: string; error?: string; duplicate?: boolean; ignored?: boolean; message?: string }
}

/** One signed GitHub push delivery (the way GitHub signs it: HMAC-SHA256 over the raw body). */
export async function signedPush(url: string, delivery: string, r: { before: string; after: string }, branch = 'main'): Promise<PushAnswer> {
  const body = JSON.stringify({
    ref: `refs/heads/${branch}`,
    before: r.before,
    after: r.after,
    repository: { name: 'trivial', full_name: 'scale/trivial' },
    head_commit: { id: r.after, message: 'scale' },
    pusher: { name: 'scale' },
  })
  const res = await fetch(`${url}/api/cicd/webhook/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': delivery, 'x-hub-signature-256': signBody(SCALE_SECRET, body) },
    body,
    // generous: with every core busy running stages an answer can take a while (no timing is asserted)
    signal: AbortSignal.timeout(180_000),
  })
  return { status: res.status, body: (await res.json()) as PushAnswer['body'] }
}

/** Runs `fn` over items with at most `limit` at once. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (;;) {
        const i = next++
        if (i >= items.length) return
        out[i] = await fn(items[i] as T, i)
      }
    }),
  )
  return out
}

export interface StageView {
  name: string
  status: string
  startedAt?: string
  finishedAt?: string
  reason?: string
}
export interface RunView {
  id: string
  status: string
  reason?: string
  stages: StageView[]
  timeline?: Array<{ topic: string; at: string }>
}

async function total(url: string, status: string): Promise<number> {
  const res = await fetch(`${url}/api/cicd/runs?repo=scale&status=${status}&limit=1`, { signal: AbortSignal.timeout(30_000) })
  if (res.status !== 200) throw new Error(`GET /api/cicd/runs answered ${res.status}`)
  return ((await res.json()) as { total: number }).total
}

/** Counts of runs by status (through the API of `url`). */
export async function runCounts(url: string): Promise<Record<'queued' | 'running' | 'succeeded' | 'failed', number>> {
  const [queued, running, succeeded, failed] = await Promise.all(['queued', 'running', 'succeeded', 'failed'].map((s) => total(url, s)))
  return { queued: queued ?? 0, running: running ?? 0, succeeded: succeeded ?? 0, failed: failed ?? 0 }
}

/** Every run (newest first), full records, through the API. */
export async function allRuns(url: string, ids: string[]): Promise<RunView[]> {
  return pool(ids, 16, async (id) => {
    const res = await fetch(`${url}/api/cicd/runs/${id}`, { signal: AbortSignal.timeout(30_000) })
    if (res.status !== 200) throw new Error(`GET /api/cicd/runs/${id} answered ${res.status}`)
    return (await res.json()) as RunView
  })
}
