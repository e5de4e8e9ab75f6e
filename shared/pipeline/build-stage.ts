import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { decideBuild } from '../../agents/build/index'
import type { RepositoryConfig } from '../config/schema'
import { changedFiles, type ChangeSet } from '../git/changes'
import { prepareWorkspace } from '../git/workspace'
import { TailBuffer } from '../log/tail-buffer'
import type { RunRecord } from '../runs/model'
import { executorChoiceOf, type PipelineEnv } from './env'
import type { BuildCompleted, CommitReceived, FailureDetected } from './events'
import { failureEvent, recordDecision, stageOf, type StageOutcome } from './stage-record'
import { executeStage } from './stage-runner'

export interface BuildStageResult {
  completed: BuildCompleted
  failure?: FailureDetected
}

/** `my.repo` + sha → `my.repo:abc1234` (Docker tags allow lowercase, digits, `._-`). */
export function imageTagFor(repo: string, commit: string): string {
  return `${repo}:${commit.slice(0, 7)}`
}

async function buildHistory(env: PipelineEnv, repo: string): Promise<number[]> {
  const page = await env.runs.list({ repo, limit: 30, offset: 0 })
  return page.runs
    .map((r) => r.stages.find((s) => s.name === 'build'))
    .filter((s) => s?.status === 'succeeded' && typeof s.durationMs === 'number' && s.summary?.mode !== 'none')
    .map((s) => s?.durationMs as number)
}

function completedFromRecord(run: RunRecord, input: CommitReceived): BuildStageResult {
  const s = stageOf(run, 'build')
  const tag = s.status === 'succeeded' && typeof s.summary?.imageTag === 'string' ? s.summary.imageTag : undefined
  return {
    completed: {
      runId: run.id,
      repo: run.repo,
      commit: run.commit,
      traceId: input.traceId,
      success: s.status !== 'failed',
      skipped: s.status === 'skipped',
      durationMs: s.durationMs ?? 0,
      ...(tag ? { imageTag: tag } : {}),
      ...(s.reason ? { reason: s.reason } : {}),
    },
  }
}

/**
 * The build stage: check out the commit, ask the BuildAgent, build the image (Docker) or run the
 * build commands, record everything on the run. Never throws for a failing build: the result
 * says so. Idempotent: a stage that already finished is not run again (queue redelivery).
 */
export async function runBuildStage(env: PipelineEnv, input: CommitReceived): Promise<BuildStageResult> {
  const { run, outcome } = await executeStage(env, input.runId, 'build', false, (r, repo) => build(env, input, repo, r.message))
  const result = completedFromRecord(run, input)
  return outcome?.status === 'failed' ? { ...result, failure: failureEvent(run, input.traceId, 'build', outcome.reason ?? 'build failed', outcome.log) } : result
}

async function build(env: PipelineEnv, input: CommitReceived, repo: RepositoryConfig, message: string | undefined): Promise<StageOutcome> {
  const source = repo.path ?? repo.url ?? ''
  const ws = await prepareWorkspace(source, input.commit, env.workspaceRoot, input.runId)
  const changes: ChangeSet = await changedFiles(ws.dir, ws.commit, input.before)
  const contextDir = path.resolve(ws.dir, repo.build.context)
  const dockerfileRel = path.relative(ws.dir, path.join(contextDir, repo.build.dockerfile))
  const dockerfilePath = path.join(ws.dir, dockerfileRel)
  const hasDockerfile = existsSync(dockerfilePath)
  const choice = executorChoiceOf(env, repo)

  const decision = await decideBuild(
    {
      changed: changes.files.map((f) => f.path),
      dockerfile: dockerfileRel,
      dockerfileText: hasDockerfile ? readFileSync(dockerfilePath, 'utf8') : null,
      domains: repo.domains,
      historyMs: await buildHistory(env, repo.name),
      ...(message ? { message } : {}),
    },
    {
      autoBuild: repo.build.auto_build,
      cache: repo.build.cache,
      hasDockerfile,
      dockerAvailable: env.docker !== null,
      executor: choice,
      commands: repo.build.commands,
      explicit: input.trigger !== 'push',
    },
    env.model,
  )
  const d = decision.decision
  if (changes.note) decision.reasons.push(changes.note)
  await recordDecision(env, input.runId, 'build', decision, `${d.shouldBuild ? `build (${d.mode}, ${d.strategy})` : 'skip'}; ${changes.files.length} file(s) changed, +${changes.additions}/-${changes.deletions}`)
  const summaryBase = { mode: d.mode, strategy: d.strategy, changedFiles: changes.files.length, additions: changes.additions, deletions: changes.deletions }

  if (!d.shouldBuild) return { status: 'skipped', reason: d.reasons.find((r) => /no build|does not build|nothing to build|do not build/.test(r)) ?? 'no build needed', log: '', summary: summaryBase }

  const maxLogBytes = env.config.defaults.log_tail_bytes
  const onLog = (chunk: string) => env.progress?.({ type: 'log', stage: 'build', chunk })

  if (d.mode === 'docker') {
    if (!env.docker) return { status: 'failed', reason: `executor is "docker" but ${env.dockerReason ?? 'no Docker engine answers'}`, log: '', executor: 'docker', summary: summaryBase }
    const tag = imageTagFor(repo.name, ws.commit)
    const res = await env.docker.builder.build({
      contextDir,
      dockerfile: path.relative(contextDir, dockerfilePath),
      tag,
      noCache: d.strategy === 'no-cache',
      timeoutMs: repo.build.timeout,
      maxLogBytes,
      secrets: env.secrets,
      onLog,
      buildArgs: repo.build.build_args,
    })
    return {
      status: res.ok ? 'succeeded' : 'failed',
      ...(res.ok ? {} : { reason: res.timedOut ? `image build timed out after ${Math.round(repo.build.timeout / 1000)} s` : (res.error ?? 'image build failed') }),
      log: res.log,
      logTruncated: res.truncated,
      executor: 'docker',
      summary: { ...summaryBase, imageTag: tag, ...(res.imageId ? { imageId: res.imageId } : {}), ...(res.layerCache ? { layerCache: res.layerCache } : {}) },
    }
  }

  const executor = choice === 'docker' && env.docker ? env.docker.executor : env.local
  const log = new TailBuffer(maxLogBytes, env.secrets)
  for (const command of repo.build.commands) {
    log.push(`$ ${command}\n`)
    onLog(`$ ${command}\n`)
    const res = await executor.run({ command, cwd: ws.dir, timeoutMs: repo.build.timeout, maxLogBytes, secrets: env.secrets, onLog, env: { CICD_COMMIT: ws.commit, CICD_REPO: repo.name } })
    log.push(res.log)
    if (res.exitCode !== 0) {
      const why = res.error ?? (res.timedOut ? `timed out after ${Math.round(repo.build.timeout / 1000)} s` : `exit code ${res.exitCode}`)
      return { status: 'failed', reason: `\`${command}\` ${why}`, log: log.text(), logTruncated: log.truncated, executor: executor.name, summary: summaryBase }
    }
  }
  return { status: 'succeeded', log: log.text(), logTruncated: log.truncated, executor: executor.name, summary: summaryBase }
}
