import { describe, expect, it } from 'vitest'
import type { RemediationRecord } from '../../shared/healer/intake'
import { healerStats, markFixed, REMEDIATIONS_GROUP } from '../../shared/healer/tracking'
import { renderMetrics } from '../../shared/metrics/prometheus'
import { selectionHash } from '../../shared/pipeline/test-stage'
import { newRun } from '../../shared/runs/model'
import { MemoryState } from '../../shared/runs/store'

const run = (repo: string, status: 'succeeded' | 'failed', buildMs: number, totals?: { passed: number; failed: number; errors: number; skipped: number }) => {
  const r = newRun({ id: `r${Math.random().toString(36).slice(2)}`, repo, commit: 'a'.repeat(40), trigger: 'push' })
  r.status = status
  r.stages = [
    { name: 'build', status: 'succeeded', durationMs: buildMs, log: '', summary: { mode: 'docker', strategy: 'cache' } },
    { name: 'test', status: status, durationMs: 1000, log: '', ...(totals ? { summary: { totals } } : {}) },
  ]
  r.decisions = [{ agent: 'build', stage: 'build', source: 'heuristic', summary: '', reasons: [], latencyMs: 1, at: '', decision: {} }]
  return r
}

const remediation = (name: string, agent: 'rex' | 'atlas', createdAt: string, over: Partial<RemediationRecord> = {}): RemediationRecord => ({
  name,
  repo: 'acme/api',
  runId: 1,
  attempt: 1,
  branch: 'main',
  commit: 'b'.repeat(40),
  workflow: 'CI',
  decision: { category: agent === 'rex' ? 'rust' : 'github', agent, failureType: agent === 'rex' ? 'rust_build' : 'permissions', confidence: 0.9, evidence: [], reasons: ['x'] },
  logTail: '',
  status: 'delivered',
  attempts: [],
  createdAt,
  ...over,
})

describe('Prometheus metrics', () => {
  it('exposes runs, stage durations, test results and decisions in the text format', () => {
    const text = renderMetrics([run('web', 'succeeded', 2000, { passed: 9, failed: 0, errors: 0, skipped: 1 }), run('web', 'failed', 4000, { passed: 8, failed: 1, errors: 1, skipped: 0 })], [])
    expect(text).toContain('# TYPE cicd_runs_total counter')
    expect(text).toContain('cicd_runs_total{repo="web"} 2')
    expect(text).toContain('# TYPE cicd_runs gauge')
    expect(text).toContain('cicd_runs{repo="web",status="succeeded"} 1')
    expect(text).toContain('cicd_runs{repo="web",status="failed"} 1')
    expect(text).toContain('cicd_stage_duration_seconds{repo="web",stage="build",quantile="0.5"} 2')
    expect(text).toContain('cicd_stage_duration_seconds_sum{repo="web",stage="build"} 6')
    expect(text).toContain('cicd_tests_total{repo="web",result="passed"} 17')
    expect(text).toContain('cicd_test_pass_rate{repo="web"} 0.8947368421052632')
    expect(text).toContain('cicd_agent_decisions_total{agent="build",source="heuristic"} 2')
    expect(text).toContain('cicd_docker_builds_total{strategy="cache"} 2')
    expect(text.endsWith('\n')).toBe(true)
    expect(renderMetrics([run('a"b\\c', 'succeeded', 1)], [])).toContain('repo="a\\"b\\\\c"')
  })
})

describe('healer tracking', () => {
  it('a later successful check on the branch fixes open remediations; P50 time to fix and success rate follow', async () => {
    const state = new MemoryState()
    await state.set(REMEDIATIONS_GROUP, 'a', remediation('a', 'rex', '2026-01-01T00:00:00.000Z'))
    await state.set(REMEDIATIONS_GROUP, 'b', remediation('b', 'rex', '2026-01-01T00:10:00.000Z'))
    await state.set(REMEDIATIONS_GROUP, 'c', remediation('c', 'atlas', '2026-01-01T00:00:00.000Z', { branch: 'other' }))
    expect((await markFixed(state, 'acme/api', 'main', { workflow: 'CI' }, new Date('2026-01-01T00:30:00.000Z'))).sort()).toEqual(['a', 'b'])
    const all = await state.getGroup<RemediationRecord>(REMEDIATIONS_GROUP)
    const s = healerStats(all)
    expect(s).toMatchObject({ total: 3, fixed: 2, timeToFixP50Ms: 25 * 60_000 })
    expect(s.byAgent.rex).toEqual({ total: 2, fixed: 2, successRate: 1 })
    expect(s.byAgent.atlas?.successRate).toBe(0)
    expect(renderMetrics([], all)).toContain('healer_time_to_fix_p50_seconds 1500')
  })
})

describe('deploy metrics (DORA keys from the runs)', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString()
  const deployed = (id: string, verdict: 'succeeded' | 'failed', rollbackMs?: number) => {
    const r = newRun({ id, repo: 'shop', commit: 'a'.repeat(40), trigger: 'push', createdAt: at(0) })
    r.stages.push({ name: 'deploy:staging', status: 'succeeded', log: '' })
    r.stages.push({ name: 'monitor:staging', status: verdict, log: '', finishedAt: at(verdict === 'succeeded' ? 40 : 20), ...(rollbackMs !== undefined ? { summary: { rollback: { success: true, rollbackMs } } } : {}) })
    return r
  }
  it('counts deploys, verdicts and rollbacks; change failure rate and lead time per environment', () => {
    const waiting = newRun({ id: 'w', repo: 'shop', commit: 'b'.repeat(40), trigger: 'manual' })
    waiting.stages.push({ name: 'deploy:production', status: 'pending', log: '', reason: 'waiting for approval' })
    const failed = newRun({ id: 'f', repo: 'shop', commit: 'c'.repeat(40), trigger: 'push' })
    failed.stages.push({ name: 'deploy:staging', status: 'failed', log: '' })
    const text = renderMetrics([deployed('a', 'succeeded'), deployed('b', 'succeeded'), deployed('c', 'failed', 250), waiting, failed], [])
    expect(text).toContain('cicd_deployments_total{repo="shop",environment="staging",status="succeeded"} 3')
    expect(text).toContain('cicd_deployments_total{repo="shop",environment="staging",status="failed"} 1')
    expect(text).not.toContain('environment="production",status=')
    expect(text).toContain('cicd_deploy_verdicts_total{repo="shop",environment="staging",verdict="validated"} 2')
    expect(text).toContain('cicd_deploy_verdicts_total{repo="shop",environment="staging",verdict="rolled_back"} 1')
    expect(text).toContain('cicd_rollbacks_total{repo="shop",environment="staging",trigger="automatic"} 1')
    expect(text).toContain('cicd_rollback_seconds_total{repo="shop",environment="staging"} 0.25')
    expect(text).toMatch(/cicd_change_failure_rate\{repo="shop",environment="staging"\} 0\.333/)
    expect(text).toContain('cicd_lead_time_seconds{repo="shop",environment="staging"} 40')
  })
})

describe('DORA deployment frequency and failed deployment recovery time', () => {
  const day = (d: number, h = 0) => new Date(Date.UTC(2026, 10, d, h)).toISOString()
  const monitored = (id: string, finished: string, verdict: 'succeeded' | 'failed', rollback?: { success: boolean; rollbackMs: number }, deployed = finished) => {
    const r = newRun({ id, repo: 'shop', commit: id.padEnd(40, '0'), trigger: 'push', createdAt: finished })
    r.stages = [
      { name: 'deploy:production', status: 'succeeded', log: '', finishedAt: deployed },
      { name: 'monitor:production', status: verdict, log: '', finishedAt: finished, ...(rollback ? { summary: { rollback } } : {}) },
    ]
    return r
  }
  it('averages successful deploys per day over the last 7 days, and leaves older ones out', () => {
    const runs = ['01', '20', '21', '22', '26'].map((d) => monitored(`d${d}`, day(Number(d)), 'succeeded'))
    const text = renderMetrics(runs, [], new Date(day(27)))
    expect(text).toMatch(/cicd_deployment_frequency_per_day\{repo="shop",environment="production"\} 0\.5714/) // 4 of 5 in the window: 4/7
    expect(renderMetrics(runs, [], new Date(day(29, 12)))).toMatch(/cicd_deployment_frequency_per_day\{repo="shop",environment="production"\} 0\.1428/) // only the 26th
    expect(renderMetrics(runs, [], new Date(day(1)))).toContain('cicd_deployment_frequency_per_day{repo="shop",environment="production"} 0.14285714285714285') // nothing from the future
  })
  it('takes the rollback time when the rollback restored service, else the time to the next validated version (median)', () => {
    const runs = [
      monitored('a', day(10, 0), 'failed', { success: true, rollbackMs: 2000 }),
      monitored('b', day(11, 0), 'failed', { success: false, rollbackMs: 900 }), // the old version did not come back
      monitored('c', day(11, 1), 'failed'), // still down
      monitored('d', day(11, 4), 'succeeded', undefined, day(11, 3)), // serving from 03:00 (validated at 04:00): 3 h after b, 2 h after c
      monitored('e', day(12, 0), 'failed', { success: true, rollbackMs: 4000 }),
    ]
    // 2 s, 10800 s, 7200 s, 4 s → median of four: the lower middle (4 s)
    expect(renderMetrics(runs, [])).toContain('cicd_failed_deployment_recovery_seconds{repo="shop",environment="production"} 4')
    expect(renderMetrics(runs.slice(1, 4), [])).toContain('cicd_failed_deployment_recovery_seconds{repo="shop",environment="production"} 7200')
    expect(renderMetrics([monitored('z', day(1), 'failed')], [])).not.toContain('cicd_failed_deployment_recovery_seconds{')
  })
})

describe('build cache hit rate and flaky tests', () => {
  const tested = (id: string, commit: string, test: Record<string, unknown>, over: Partial<ReturnType<typeof newRun>> = {}) => {
    const r = newRun({ id, repo: 'web', commit: commit.padEnd(40, '0'), trigger: 'push', createdAt: `2026-11-2${id.length}T00:00:00.000Z`, ...over })
    r.stages = [
      { name: 'build', status: 'succeeded', log: '', summary: { mode: 'docker', strategy: 'cache', layerCache: { steps: 4, cached: Number(id.length % 2 ? 3 : 1) } } },
      { name: 'test', status: test.failing ? 'failed' : 'succeeded', log: '', summary: test },
    ]
    return r
  }
  const ok = (mode = 'all', selectedHash = 'h3') => ({ mode, selected: 3, selectedHash, totals: { total: 3, passed: 3, failed: 0, errors: 0, skipped: 0 } })
  const bad = (failing: string[], mode = 'all', selectedHash = 'h3') => ({ mode, selected: 3, selectedHash, totals: { total: 3, passed: 3 - failing.length, failed: failing.length, errors: 0, skipped: 0 }, failing })

  it('sums cached and built image steps into a hit rate per repository', () => {
    const text = renderMetrics([tested('a', 'c1', ok()), tested('bb', 'c2', ok())], [])
    expect(text).toContain('cicd_build_cache_steps_total{repo="web",result="cached"} 4')
    expect(text).toContain('cicd_build_cache_steps_total{repo="web",result="built"} 4')
    expect(text).toContain('cicd_build_cache_hit_rate{repo="web"} 0.5')
  })

  it('never counts more cached steps than steps, nor fewer than none', () => {
    const r = tested('a', 'c1', ok())
    r.stages[0]!.summary = { mode: 'docker', layerCache: { steps: 2, cached: 5 } }
    const s = tested('bb', 'c2', ok())
    s.stages[0]!.summary = { mode: 'docker', layerCache: { steps: 2, cached: -1 } }
    const text = renderMetrics([r, s], [])
    expect(text).toContain('cicd_build_cache_steps_total{repo="web",result="cached"} 2')
    expect(text).toContain('cicd_build_cache_steps_total{repo="web",result="built"} 2')
  })

  it('names a selection of test files by a hash of the files, whatever their order', () => {
    expect(selectionHash(['b.test.ts', 'a.test.ts'])).toBe(selectionHash(['a.test.ts', 'b.test.ts', 'a.test.ts']))
    expect(selectionHash(['a.test.ts'])).not.toBe(selectionHash(['b.test.ts']))
  })

  it('calls a test flaky when the runner passed it on a rerun, or another run of the commit passed the same tests', () => {
    const runs = [
      tested('a', 'c1', bad(['api › retries'])),
      tested('bb', 'c1', ok()), // same commit, every test passed: api › retries is flaky
      tested('ccc', 'c2', bad(['api › broken'])), // failed, never passed on c2
      tested('dddd', 'c3', bad(['ui › only selected'], 'affected', 'h1')),
      tested('eeeee', 'c3', ok('affected', 'h2')), // as many tests, but other files: no evidence
      tested('ggggggg', 'c5', bad(['ui › same selection'], 'affected', 'h5')),
      tested('hhhhhhhh', 'c5', ok('affected', 'h5')), // the same files passed: flaky
      tested('ffffff', 'c4', { ...ok(), flaky: ['api › retries', 'db › reconnects'] }),
    ]
    const text = renderMetrics(runs, [])
    expect(text).toContain('cicd_flaky_tests{repo="web"} 3')
    expect(text).toContain('cicd_flaky_test_occurrences{repo="web",test="ui › same selection"} 1')
    expect(text).toContain('cicd_flaky_test_occurrences{repo="web",test="api › retries"} 2')
    expect(text).toContain('cicd_flaky_test_occurrences{repo="web",test="db › reconnects"} 1')
    expect(text).not.toContain('api › broken')
    expect(text).not.toContain('only selected')
  })

  it('needs counts that say every test passed: a summary without failed/errors is no evidence', () => {
    const noCounts = { mode: 'all', selected: 3, totals: { total: 3 } }
    expect(renderMetrics([tested('a', 'c1', bad(['api › retries'])), tested('bb', 'c1', noCounts)], [])).not.toContain('cicd_flaky_tests{')
  })

  it('leaves smoke runs out of the same-commit comparison', () => {
    const runs = [tested('a', 'c1', bad(['api › retries'])), tested('bb', 'c1', ok(), { trigger: 'smoke' })]
    expect(renderMetrics(runs, [])).not.toContain('cicd_flaky_tests{')
  })
})
