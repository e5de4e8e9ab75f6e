import { z } from 'zod'
import type { CicdConfig } from '../config/schema'
import { findRepository } from '../config/load'
import { ConfigError } from '../config/errors'
import { git } from '../git/git'
import type { RunStore } from '../runs/store'
import { newRunId, newTraceId } from '../runs/ids'
import { deployRequestedSchema, manualCommitSchema, rollbackRequestedSchema, TOPICS } from '../pipeline/events'
import { newRun } from '../runs/model'
import { imageTagFor } from '../pipeline/build-stage'
import { invalidField, problem, type HttpAnswer, type IngressRequest } from './answer'
import { checkBearer } from './bearer'
import { createQueuedRun } from './start-run'

/** Events a user may POST to /api/events, with the schema of their `data`. */
export const MANUAL_EVENTS = {
  [TOPICS.commitReceived]: manualCommitSchema,
  [TOPICS.deployRequested]: deployRequestedSchema,
  [TOPICS.rollbackRequested]: rollbackRequestedSchema,
} as const
export type ManualEventName = keyof typeof MANUAL_EVENTS

const envelope = z.object({ event: z.string().min(1), data: z.record(z.string(), z.unknown()) })

export interface ManualEventDeps {
  token: string | undefined
  loadConfig: () => CicdConfig
  runs: RunStore
  emit: (topic: string, data: unknown) => Promise<void>
}

/** The head of `branch` in a repository source (path or URL), without cloning. */
export async function resolveBranchHead(source: string, branch: string): Promise<string | null> {
  const out = await git(['ls-remote', source, `refs/heads/${branch}`], process.cwd(), 60_000)
  return out.split(/\s/)[0] || null
}

/** POST /api/events: seed 004's manual trigger `{event, data}`. */
export async function handleManualEvent(req: IngressRequest, deps: ManualEventDeps): Promise<HttpAnswer> {
  const denied = checkBearer(req, deps.token)
  if (denied) return denied
  const env = envelope.safeParse(req.body)
  if (!env.success) return invalidField(env.error.issues)
  const { event, data } = env.data
  if (!(event in MANUAL_EVENTS))
    return problem(400, 'invalid_request', `event: unknown event "${event}"; allowed: ${Object.keys(MANUAL_EVENTS).join(', ')}`, { field: 'event', allowed: Object.keys(MANUAL_EVENTS) })

  let config: CicdConfig
  try {
    config = deps.loadConfig()
  } catch (err) {
    return problem(503, 'config_invalid', err instanceof ConfigError ? err.message : String(err))
  }
  const unknownRepo = (name: string) =>
    problem(400, 'invalid_request', `data.repo: repository "${name}" is not configured; configured: ${config.repositories.map((r) => r.name).join(', ') || '(none)'}`, { field: 'data.repo' })

  if (event === TOPICS.deployRequested) {
    const parsed = deployRequestedSchema.safeParse(data)
    if (!parsed.success) return invalidField(parsed.error.issues, 'data')
    if (!findRepository(config, parsed.data.repo)) return unknownRepo(parsed.data.repo)
    // The commit's test results vouch only for the image built from it: another image needs force.
    const built = imageTagFor(parsed.data.repo, parsed.data.commit)
    if (!parsed.data.force && parsed.data.imageTag !== built)
      return problem(400, 'invalid_request', `data.imageTag: the image built from ${parsed.data.repo} ${parsed.data.commit.slice(0, 7)} is ${built}; to deploy "${parsed.data.imageTag}" (no test results vouch for it) send force: true`, { field: 'data.imageTag', expected: built })
    const traceId = parsed.data.traceId ?? newTraceId()
    let runId = parsed.data.runId
    if (runId) {
      const run = await deps.runs.get(runId)
      if (!run) return problem(404, 'not_found', `data.runId: run ${runId} does not exist`, { field: 'data.runId' })
      if (run.repo !== parsed.data.repo) return problem(400, 'invalid_request', `data.runId: run ${runId} belongs to ${run.repo}, not ${parsed.data.repo}`, { field: 'data.runId' })
    } else {
      // A deploy on its own is a run too: its stages, decisions and timeline are kept like any other.
      runId = newRunId()
      await deps.runs.save(newRun({ id: runId, repo: parsed.data.repo, commit: parsed.data.commit, trigger: 'manual', traceId, stages: [], status: 'running' }))
    }
    await deps.emit(TOPICS.deployRequested, { ...parsed.data, runId, traceId })
    return { status: 202, body: { accepted: true, event, runId, traceId, run: `/api/cicd/runs/${runId}` } }
  }

  if (event === TOPICS.rollbackRequested) {
    const parsed = rollbackRequestedSchema.safeParse(data)
    if (!parsed.success) return invalidField(parsed.error.issues, 'data')
    const repo = findRepository(config, parsed.data.repo)
    if (!repo) return unknownRepo(parsed.data.repo)
    if (!repo.deploy[parsed.data.environment].port)
      return problem(400, 'invalid_request', `data.environment: ${parsed.data.environment} of ${repo.name} has no entrypoint (deploy.${parsed.data.environment}.port in cicd.yml)`, { field: 'data.environment' })
    const traceId = parsed.data.traceId ?? newTraceId()
    // Manual rollbacks are never "automatic", whatever the body says.
    await deps.emit(TOPICS.rollbackRequested, { ...parsed.data, automatic: false, traceId, runId: parsed.data.runId ?? `rollback-${traceId}` })
    return { status: 202, body: { accepted: true, event, repo: repo.name, environment: parsed.data.environment, traceId } }
  }

  const parsed = manualCommitSchema.safeParse(data)
  if (!parsed.success) return invalidField(parsed.error.issues, 'data')
  const repo = findRepository(config, parsed.data.repo)
  if (!repo) return unknownRepo(parsed.data.repo)
  const branch = parsed.data.branch ?? repo.branches.find((b) => !b.includes('*')) ?? 'main'
  let commit = parsed.data.commit
  if (!commit) {
    try {
      commit = (await resolveBranchHead(repo.path ?? repo.url ?? '', branch)) ?? undefined
    } catch (err) {
      return problem(400, 'invalid_request', `data.commit: not given, and the head of ${branch} could not be read: ${err instanceof Error ? err.message : String(err)}`, { field: 'data.commit' })
    }
    if (!commit) return problem(400, 'invalid_request', `data.commit: not given, and branch "${branch}" does not exist in ${repo.name}`, { field: 'data.commit' })
  }
  const runId = newRunId()
  const payload = await createQueuedRun(deps.runs, {
    runId,
    traceId: newTraceId(),
    repo,
    commit,
    branch,
    trigger: 'manual',
    ...(parsed.data.before ? { before: parsed.data.before } : {}),
  })
  await deps.emit(TOPICS.commitReceived, payload)
  return { status: 202, body: { runId, repo: repo.name, commit, branch, status: 'queued', run: `/api/cicd/runs/${runId}` } }
}
