import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { globSync } from 'glob'
import { decideTests, type TestDecision } from '../../agents/test/index'
import type { RepositoryConfig } from '../config/schema'
import { changedFiles } from '../git/changes'
import { prepareWorkspace } from '../git/workspace'
import { mergeSummaries, parseJUnit, type JUnitSummary } from '../junit/parse'
import { TailBuffer } from '../log/tail-buffer'
import type { RunRecord } from '../runs/model'
import { executorChoiceOf, type PipelineEnv } from './env'
import type { BuildCompleted, FailureDetected, TestsCompleted } from './events'
import { failureEvent, recordDecision, stageOf, type StageOutcome } from './stage-record'
import { executeStage } from './stage-runner'

export interface TestStageResult {
  completed: TestsCompleted
  failure?: FailureDetected
}

/** The selected files in the decision's category order (categories it does not name last), stable within a category. */
export function orderedTests(d: Pick<TestDecision, 'selected' | 'order'>): string[] {
  const rank = (c: string) => {
    const i = d.order.indexOf(c as TestDecision['order'][number])
    return i < 0 ? d.order.length : i
  }
  return d.selected.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s.category) - rank(b.s.category) || a.i - b.i).map(({ s }) => s.file)
}

/**
 * A test command from its template: `{tests}` → the ordered selection, shell-quoted (empty when
 * every test runs), `{parallelism}` → the decision's parallelism.
 */
export function testCommand(template: string, d: Pick<TestDecision, 'mode' | 'selected' | 'order' | 'parallelism'>): string {
  let command = template.replace(/\{parallelism\}/g, String(d.parallelism))
  if (command.includes('{tests}')) command = command.replace(/\{tests\}/g, d.mode === 'all' ? '' : orderedTests(d).map(shellQuote).join(' ')).trim()
  return command
}

/** POSIX shell quoting for file names substituted into `{tests}`. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./@:+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

async function testHistory(env: PipelineEnv, repo: string): Promise<number[]> {
  const page = await env.runs.list({ repo, limit: 30, offset: 0 })
  return page.runs
    .map((r) => r.stages.find((s) => s.name === 'test'))
    .filter((s) => s?.status === 'succeeded' && typeof s.durationMs === 'number')
    .map((s) => s?.durationMs as number)
}

/** Reads the JUnit reports written during this stage (older files in the workspace are ignored). */
function readReports(dir: string, patterns: string[], since: number): { summary: JUnitSummary | null; files: string[]; problems: string[] } {
  const files = [...new Set(patterns.flatMap((p) => globSync(p, { cwd: dir, nodir: true, dot: true, ignore: ['**/node_modules/**', '.git/**'] })))].sort()
  const fresh = files.filter((f) => statSync(path.join(dir, f)).mtimeMs >= since - 1000)
  const parts: JUnitSummary[] = []
  const problems: string[] = []
  for (const f of fresh) {
    try {
      parts.push(parseJUnit(readFileSync(path.join(dir, f), 'utf8')))
    } catch (err) {
      problems.push(`${f}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  return { summary: parts.length ? mergeSummaries(parts) : null, files: fresh, problems }
}

function completedFromRecord(run: RunRecord, input: BuildCompleted): TestStageResult {
  const s = stageOf(run, 'test')
  const totals = s.summary?.totals as TestsCompleted['totals'] | undefined
  return {
    completed: {
      runId: run.id,
      repo: run.repo,
      commit: run.commit,
      traceId: input.traceId,
      success: s.status !== 'failed',
      durationMs: s.durationMs ?? 0,
      failing: (s.summary?.failing as string[] | undefined) ?? [],
      ...(totals ? { totals } : {}),
      ...(input.imageTag ? { imageTag: input.imageTag } : {}),
      ...(s.reason ? { reason: s.reason } : {}),
    },
  }
}

/**
 * The test stage: ask the TestAgent which tests to run, run the test commands, read JUnit
 * reports. Removes the run's workspace when done. Idempotent like the build stage.
 */
export async function runTestStage(env: PipelineEnv, input: BuildCompleted): Promise<TestStageResult> {
  const { run, outcome } = await executeStage(env, input.runId, 'test', true, (r, repo) => test(env, input, repo, r.before))
  const result = completedFromRecord(run, input)
  return outcome?.status === 'failed' ? { ...result, failure: failureEvent(run, input.traceId, 'test', outcome.reason ?? 'tests failed', outcome.log) } : result
}

async function test(env: PipelineEnv, input: BuildCompleted, repo: RepositoryConfig, before: string | undefined): Promise<StageOutcome> {
  const ws = await prepareWorkspace(repo.path ?? repo.url ?? '', input.commit, env.workspaceRoot, input.runId)
  let changed: string[] | null = null
  try {
    changed = (await changedFiles(ws.dir, ws.commit, before)).files.flatMap((f) => (f.from ? [f.path, f.from] : [f.path]))
  } catch {
    changed = null
  }
  const decision = await decideTests({
    rootDir: ws.dir,
    changedFiles: changed,
    select: repo.test.select,
    testGlobs: repo.test.test_globs,
    selectAllOn: repo.test.select_all_on,
    historyMs: await testHistory(env, repo.name),
  }, env.model)
  const d = decision.decision
  await recordDecision(env, input.runId, 'test', decision, `${d.mode}: ${d.selected.length} test file(s) selected, ${d.skipped.length} skipped`)
  const summaryBase = { mode: d.mode, selected: d.selected.length, selectedHash: selectionHash(d.selected.map((t) => t.file)), skippedFiles: d.skipped.length }

  if (repo.test.commands.length === 0) return { status: 'skipped', reason: 'no test commands configured', log: '', summary: summaryBase }
  if (!repo.test.auto_test && (await env.runs.get(input.runId))?.trigger === 'push')
    return { status: 'skipped', reason: 'test.auto_test is false: pushes do not run tests', log: '', summary: summaryBase }
  if (d.mode === 'none') return { status: 'skipped', reason: d.reasons[0] ?? 'no test is affected by this change', log: '', summary: summaryBase }

  const choice = executorChoiceOf(env, repo)
  const useDocker = choice === 'docker'
  if (useDocker && !env.docker) return { status: 'failed', reason: `executor is "docker" but ${env.dockerReason ?? 'no Docker engine answers'}`, log: '', summary: summaryBase }
  const executor = useDocker && env.docker ? env.docker.executor : env.local
  const image = repo.test.image ?? input.imageTag
  const maxLogBytes = env.config.defaults.log_tail_bytes
  const log = new TailBuffer(maxLogBytes, env.secrets)
  const onLog = (chunk: string) => env.progress?.({ type: 'log', stage: 'test', chunk })
  const files = orderedTests(d)
  const since = Date.now()
  let failure: string | undefined
  for (const template of repo.test.commands) {
    const command = testCommand(template, d)
    log.push(`$ ${command}\n`)
    onLog(`$ ${command}\n`)
    const res = await executor.run({
      command,
      cwd: ws.dir,
      timeoutMs: repo.test.timeout,
      maxLogBytes,
      secrets: env.secrets,
      onLog,
      ...(useDocker && image ? { image } : {}),
      env: { CICD_COMMIT: ws.commit, CICD_REPO: repo.name, CICD_TEST_MODE: d.mode, CICD_SELECTED_TESTS: files.join('\n'), CICD_TEST_PARALLELISM: String(d.parallelism) },
    })
    log.push(res.log)
    if (res.exitCode !== 0) {
      failure = `\`${command}\` ${res.error ?? (res.timedOut ? `timed out after ${Math.round(repo.test.timeout / 1000)} s` : `exit code ${res.exitCode}`)}`
      break
    }
  }
  const reports = repo.test.report.paths.length ? readReports(ws.dir, repo.test.report.paths, since) : { summary: null, files: [], problems: [] }
  const junit = reports.summary
  for (const p of reports.problems) log.push(`\n[cicd] report ${p}\n`)
  if (repo.test.report.paths.length && reports.files.length === 0) log.push(`\n[cicd] no JUnit report matched ${repo.test.report.paths.join(', ')}: the exit code decides\n`)
  const summary = {
    ...summaryBase,
    reports: reports.files,
    ...(junit ? { totals: { total: junit.total, passed: junit.passed, failed: junit.failed, errors: junit.errors, skipped: junit.skipped }, failing: junit.failing.slice(0, 100), ...(junit.flaky.length ? { flaky: junit.flaky.slice(0, 100) } : {}) } : {}),
  }
  if (junit && junit.failed + junit.errors > 0) {
    const names = junit.failing.slice(0, 5).join('; ')
    failure = `${junit.failed + junit.errors} of ${junit.total} test(s) failed: ${names}${junit.failing.length > 5 ? '; …' : ''}`
  }
  return { status: failure ? 'failed' : 'succeeded', ...(failure ? { reason: failure } : {}), log: log.text(), logTruncated: log.truncated, executor: executor.name, summary }
}

/** Which test files a run selected, as a short hash (order-free): runs with the same one ran the same tests. */
export function selectionHash(files: readonly string[]): string {
  return createHash('sha256').update([...new Set(files)].sort().join('\n')).digest('hex').slice(0, 16)
}
