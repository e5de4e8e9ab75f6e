import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { configFilePath, findRepository, loadConfigFile } from '../shared/config/load'
import { cicdConfigSchema, type CicdConfig, type RepositoryConfig } from '../shared/config/schema'
import { detectPipeline } from '../shared/detect/pipeline'
import { resolveCommit } from '../shared/git/workspace'
import { createQueuedRun } from '../shared/ingress/start-run'
import { resolveBranchHead } from '../shared/ingress/manual-events'
import { runBuildStage } from '../shared/pipeline/build-stage'
import { createPipelineEnv, type Progress } from '../shared/pipeline/env'
import { runTestStage } from '../shared/pipeline/test-stage'
import { newRunId, newTraceId } from '../shared/runs/ids'
import { MemoryState, RunStore } from '../shared/runs/store'

const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s)
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

function printer(out: NodeJS.WritableStream, quiet: boolean) {
  let pending = ''
  return (p: Progress) => {
    switch (p.type) {
      case 'stage-start':
        out.write(`${paint('1', `▶ ${p.stage}`)}\n`)
        break
      case 'decision':
        out.write(`  ${paint('36', `${p.agent[0]?.toUpperCase() ?? ''}${p.agent.slice(1)}Agent`)}: ${p.summary}\n`)
        for (const r of p.reasons) out.write(`    · ${r}\n`)
        break
      case 'log': {
        if (quiet) break
        pending += p.chunk
        const lines = pending.split('\n')
        pending = lines.pop() ?? ''
        for (const l of lines) out.write(`${paint('2', `  │ ${l}`)}\n`)
        break
      }
      case 'stage-end':
        if (pending) out.write(`${paint('2', `  │ ${pending}`)}\n`)
        pending = ''
        if (p.status === 'failed') out.write(`${paint('31', `✖ ${p.stage} failed`)} (${secs(p.durationMs)}): ${p.reason ?? ''}\n`)
        else if (p.status === 'skipped') out.write(`${paint('33', `↷ ${p.stage} skipped`)}: ${p.reason ?? ''}\n`)
        else out.write(`${paint('32', `✔ ${p.stage}`)} (${secs(p.durationMs)})${p.detail ? `: ${p.detail}` : ''}\n`)
    }
  }
}

function loadOptionalConfig(file: string, mustExist: boolean): CicdConfig {
  if (!existsSync(file) && !mustExist) return cicdConfigSchema.parse({})
  return loadConfigFile(file).config
}

/** `cicd run`: the same stages as the server, in this process, with progress. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string' },
      commit: { type: 'string' },
      before: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
    },
  })
  for (const option of ['before', 'commit'] as const) {
    const v = values[option]
    if (v !== undefined && !/^[0-9a-f]{7,40}$/i.test(v)) throw new Error(`--${option}: "${v}" is not a commit sha (7 to 40 hex characters)`)
  }
  if (!values.repo) throw new Error('--repo <name|path> is required (a repository named in cicd.yml, or a path to a git repository)')
  const file = values.config ? path.resolve(values.config) : configFilePath()
  const config = loadOptionalConfig(file, Boolean(values.config))
  const out = values.json ? process.stderr : process.stdout

  let repo: RepositoryConfig | undefined = findRepository(config, values.repo)
  if (!repo) {
    const dir = path.resolve(values.repo)
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new Error(`"${values.repo}" is neither a repository in ${file} (${config.repositories.map((r) => r.name).join(', ') || 'none configured'}) nor a directory`)
    if (!existsSync(path.join(dir, '.git'))) throw new Error(`${dir} is not a git repository (no .git)`)
    repo = config.repositories.find((r) => r.path === dir)
    if (!repo) {
      const detected = detectPipeline(dir)
      repo = detected.repo
      out.write(`${paint('1', `${dir} is not in ${path.relative(process.cwd(), file) || file}: detected pipeline`)}\n`)
      for (const n of detected.notes) out.write(`  · ${n}\n`)
    }
  }
  const source = repo.path ?? repo.url ?? ''
  const commit =
    values.commit ??
    (repo.path ? await resolveCommit(repo.path) : await resolveBranchHead(source, repo.branches.find((b) => !b.includes('*')) ?? 'main'))
  if (!commit) throw new Error(`no commit given and ${source} has no head to build; pass --commit <sha>`)

  const runs = new RunStore(new MemoryState())
  const env = await createPipelineEnv({ config: { ...config, repositories: [repo] }, runs, progress: printer(out, values.quiet) })
  out.write(`${paint('1', `run ${repo.name} @ ${commit.slice(0, 7)}`)} (executor ${repo.executor ?? config.defaults.executor}; docker: ${env.docker ? 'available' : (env.dockerReason ?? 'no')})\n`)

  const runId = newRunId()
  const started = await createQueuedRun(runs, {
    runId,
    traceId: newTraceId(),
    repo,
    commit,
    trigger: 'cli',
    ...(values.before ? { before: values.before } : {}),
  })
  const build = await runBuildStage(env, started)
  if (build.completed.success) await runTestStage(env, build.completed)
  const run = await runs.get(runId)
  if (!run) throw new Error('the run was lost')
  const ok = run.status === 'succeeded'
  out.write(`${ok ? paint('32', '✔ run succeeded') : paint('31', '✖ run failed')} in ${secs(run.durationMs ?? 0)}${run.reason ? `: ${run.reason}` : ''}\n`)
  if (values.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`)
  return ok ? 0 : 1
}
