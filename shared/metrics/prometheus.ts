import type { RemediationRecord } from '../healer/intake'
import { healerStats } from '../healer/tracking'
import type { RunRecord } from '../runs/model'
import { writeDeployMetrics } from './deploy-metrics'
import { flakyTests } from './flaky-tests'
import { Exposition, formatLabels as fmt, type Labels } from './exposition'

function count<K extends string>(items: Array<Record<K, string>>, keys: K[]): Array<[Labels, number]> {
  const m = new Map<string, [Labels, number]>()
  for (const it of items) {
    const labels = Object.fromEntries(keys.map((k) => [k, it[k]])) as Labels
    const id = JSON.stringify(labels)
    const cur = m.get(id)
    if (cur) cur[1]++
    else m.set(id, [labels, 1])
  }
  return [...m.values()]
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
}

/** Flaky tests shown by name, per repository (the most frequent). */
export const FLAKY_TESTS_SHOWN = 20

/** Prometheus text exposition (0.0.4) of the numbers people ask a CI server for. */
export function renderMetrics(runs: RunRecord[], remediations: RemediationRecord[], now: Date = new Date()): string {
  const x = new Exposition()
  // A counter must never go down: runs started, by repository. Their current status (queued, running,
  // then succeeded or failed, and a later rollback fails a succeeded run) is a gauge.
  x.metric('cicd_runs_total', 'counter', 'Pipeline runs started, by repository.', count(runs.map((r) => ({ repo: r.repo })), ['repo']))
  x.metric('cicd_runs', 'gauge', 'Kept pipeline runs by repository and current status.', count(runs.map((r) => ({ repo: r.repo, status: r.status })), ['repo', 'status']))

  const byStage = new Map<string, { labels: Labels; values: number[] }>()
  for (const r of runs)
    for (const s of r.stages)
      if (typeof s.durationMs === 'number' && (s.status === 'succeeded' || s.status === 'failed')) {
        const key = `${r.repo}\0${s.name}`
        const e = byStage.get(key) ?? { labels: { repo: r.repo, stage: s.name }, values: [] }
        e.values.push(s.durationMs / 1000)
        byStage.set(key, e)
      }
  x.raw('# HELP cicd_stage_duration_seconds Duration of finished stages (build, test, deploy:<env>, monitor:<env>).')
  x.raw('# TYPE cicd_stage_duration_seconds summary')
  for (const { labels, values } of byStage.values()) {
    const sorted = [...values].sort((a, b) => a - b)
    for (const q of [0.5, 0.9, 0.99]) x.raw(`cicd_stage_duration_seconds${fmt({ ...labels, quantile: String(q) })} ${quantile(sorted, q)}`)
    x.raw(`cicd_stage_duration_seconds_sum${fmt(labels)} ${values.reduce((a, b) => a + b, 0)}`)
    x.raw(`cicd_stage_duration_seconds_count${fmt(labels)} ${values.length}`)
  }

  const tests = new Map<string, { passed: number; failed: number; errors: number; skipped: number }>()
  for (const r of runs) {
    const t = r.stages.find((s) => s.name === 'test')?.summary?.totals as { passed: number; failed: number; errors: number; skipped: number } | undefined
    if (!t) continue
    const cur = tests.get(r.repo) ?? { passed: 0, failed: 0, errors: 0, skipped: 0 }
    for (const k of ['passed', 'failed', 'errors', 'skipped'] as const) cur[k] += t[k]
    tests.set(r.repo, cur)
  }
  x.metric('cicd_tests_total', 'counter', 'Test cases run, by result (from JUnit reports).', [...tests].flatMap(([repo, t]) => (['passed', 'failed', 'errors', 'skipped'] as const).map((k): [Labels, number] => [{ repo, result: k }, t[k]])))
  x.metric('cicd_test_pass_rate', 'gauge', 'Passed / (passed + failed + errors) over recorded runs.', [...tests].map(([repo, t]): [Labels, number] => [{ repo }, t.passed / Math.max(1, t.passed + t.failed + t.errors)]))
  x.metric('cicd_agent_decisions_total', 'counter', 'Agent decisions by agent and source (llm or heuristic).', count(runs.flatMap((r) => r.decisions.map((d) => ({ agent: d.agent, source: d.source }))), ['agent', 'source']))
  const docker = runs.flatMap((r) => r.stages.filter((s) => s.name === 'build' && s.summary?.mode === 'docker' && s.status === 'succeeded').map((s) => String(s.summary?.strategy ?? 'cache')))
  x.metric('cicd_docker_builds_total', 'counter', 'Successful Docker image builds by cache strategy.', count(docker.map((strategy) => ({ strategy })), ['strategy']))
  writeCacheMetrics(x, runs)
  writeFlakyMetrics(x, runs)

  const h = healerStats(remediations)
  x.metric('healer_remediations_total', 'counter', 'Remediations by specialist and status.', count(remediations.map((r) => ({ agent: r.decision.agent, status: r.status })), ['agent', 'status']))
  x.metric('healer_success_rate', 'gauge', 'Fixed / all remediations, by specialist.', Object.entries(h.byAgent).map(([agent, a]): [Labels, number] => [{ agent }, a.successRate]))
  x.metric('healer_time_to_fix_p50_seconds', 'gauge', 'Median time from a remediation to the next successful check on its branch.', h.timeToFixP50Ms === null ? [] : [[{}, h.timeToFixP50Ms / 1000]])
  const firstRouted = Object.entries(h.routingCorrectionsByAgent)
  x.metric('healer_routing_corrections_total', 'counter', 'Re-routings of remediations, by the agent they were first routed to and by what (escalation, llm, human).', firstRouted.flatMap(([agent, c]) => (['escalation', 'llm', 'human'] as const).map((by): [Labels, number] => [{ agent, by }, c.by[by]])))
  x.metric('healer_rerouted_remediations_total', 'counter', 'Remediations re-routed at least once, by the agent they were first routed to.', firstRouted.map(([agent, c]): [Labels, number] => [{ agent }, c.corrected]))
  x.metric('healer_routing_correction_rate', 'gauge', 'Re-routed / all remediations first routed to the agent.', firstRouted.map(([agent, c]): [Labels, number] => [{ agent }, c.rate]))
  writeDeployMetrics(x, runs, now)
  return x.text()
}

/** Docker layer cache: steps answered by the cache / cacheable steps, over the recorded image builds. */
function writeCacheMetrics(x: Exposition, runs: RunRecord[]): void {
  const steps = new Map<string, { cached: number; built: number }>()
  for (const r of runs) {
    const c = r.stages.find((s) => s.name === 'build')?.summary?.layerCache as { steps?: unknown; cached?: unknown } | undefined
    if (typeof c?.steps !== 'number' || typeof c.cached !== 'number' || !(c.steps > 0)) continue
    const cached = Math.min(c.steps, Math.max(0, c.cached))
    const cur = steps.get(r.repo) ?? { cached: 0, built: 0 }
    cur.cached += cached
    cur.built += c.steps - cached
    steps.set(r.repo, cur)
  }
  x.metric('cicd_build_cache_steps_total', 'counter', 'Image build steps (but FROM) by whether the layer cache answered them (cached) or they ran (built).', [...steps].flatMap(([repo, c]) => (['cached', 'built'] as const).map((result): [Labels, number] => [{ repo, result }, c[result]])))
  x.metric('cicd_build_cache_hit_rate', 'gauge', 'Cached / all cacheable image build steps over recorded builds.', [...steps].map(([repo, c]): [Labels, number] => [{ repo }, c.cached / Math.max(1, c.cached + c.built)]))
}

/** Flaky tests: how many per repository, and the most frequent by name. */
function writeFlakyMetrics(x: Exposition, runs: RunRecord[]): void {
  const all = flakyTests(runs)
  const byRepo = new Map<string, typeof all>()
  for (const f of all) byRepo.set(f.repo, [...(byRepo.get(f.repo) ?? []), f])
  x.metric('cicd_flaky_tests', 'gauge', 'Tests that failed and passed on the same code (a rerun in the run, or another run of the commit), per repository.', [...byRepo].map(([repo, fs]): [Labels, number] => [{ repo }, fs.length]))
  x.metric('cicd_flaky_test_occurrences', 'gauge', `Runs that showed a test flaky (the ${FLAKY_TESTS_SHOWN} most frequent per repository).`, [...byRepo].flatMap(([repo, fs]) => fs.slice(0, FLAKY_TESTS_SHOWN).map((f): [Labels, number] => [{ repo, test: f.test }, f.occurrences])))
}
