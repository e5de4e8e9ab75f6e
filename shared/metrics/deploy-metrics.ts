import type { RunRecord, StageRecord } from '../runs/model'
import type { Exposition, Labels } from './exposition'

type Row = { labels: Labels; value: number }
const samples = (rows: Iterable<Row>): Array<[Labels, number]> => [...rows].map((r) => [r.labels, r.value])

function tally(rows: Map<string, Row>, labels: Labels, by = 1): void {
  const id = JSON.stringify(labels)
  const r = rows.get(id) ?? { labels, value: 0 }
  r.value += by
  rows.set(id, r)
}

const ENVIRONMENTS = ['staging', 'production'] as const
const stageFor = (run: RunRecord, name: string): StageRecord | undefined => run.stages.find((s) => s.name === name)

/**
 * Deploy figures from the runs (kept in Redis, so counters only grow): deploys by outcome,
 * monitoring verdicts, rollbacks and how long they took, and DORA's change failure rate and lead
 * time for changes (run created → version validated by monitoring) per environment.
 */
export function writeDeployMetrics(x: Exposition, runs: RunRecord[]): void {
  const deploys = new Map<string, Row>()
  const verdicts = new Map<string, Row>()
  const rollbacks = new Map<string, Row>()
  const rollbackSeconds = new Map<string, Row>()
  const lead = new Map<string, { labels: Labels; values: number[] }>()
  for (const run of runs)
    for (const env of ENVIRONMENTS) {
      const d = stageFor(run, `deploy:${env}`)
      if (d && d.status !== 'pending' && d.status !== 'running') tally(deploys, { repo: run.repo, environment: env, status: d.status })
      const m = stageFor(run, `monitor:${env}`)
      if (!m || (m.status !== 'succeeded' && m.status !== 'failed')) continue
      tally(verdicts, { repo: run.repo, environment: env, verdict: m.status === 'succeeded' ? 'validated' : 'rolled_back' })
      const rb = m.summary?.rollback as { success?: boolean; rollbackMs?: number } | undefined
      if (rb?.success) {
        tally(rollbacks, { repo: run.repo, environment: env, trigger: 'automatic' })
        if (typeof rb.rollbackMs === 'number') tally(rollbackSeconds, { repo: run.repo, environment: env }, rb.rollbackMs / 1000)
      }
      if (m.status === 'succeeded' && m.finishedAt) {
        const key = `${run.repo}\0${env}`
        const e = lead.get(key) ?? { labels: { repo: run.repo, environment: env }, values: [] }
        e.values.push((Date.parse(m.finishedAt) - Date.parse(run.createdAt)) / 1000)
        lead.set(key, e)
      }
    }
  x.metric('cicd_deployments_total', 'counter', 'Deploy stages by environment and outcome (succeeded, failed, skipped).', samples([...deploys.values()]))
  x.metric('cicd_deploy_verdicts_total', 'counter', 'Monitoring verdicts on deployed versions (validated or rolled_back).', samples([...verdicts.values()]))
  x.metric('cicd_rollbacks_total', 'counter', 'Automatic rollbacks performed after failed health checks.', samples([...rollbacks.values()]))
  x.metric('cicd_rollback_seconds_total', 'counter', 'Time from the failing check to the old version taking all traffic, summed over rollbacks.', samples([...rollbackSeconds.values()]))
  const rate: Row[] = []
  const keys = new Set([...verdicts.values()].map((r) => `${r.labels.repo}\0${r.labels.environment}`))
  for (const k of keys) {
    const [repo = '', environment = ''] = k.split('\0')
    const n = (v: string) => verdicts.get(JSON.stringify({ repo, environment, verdict: v }))?.value ?? 0
    const total = n('validated') + n('rolled_back')
    rate.push({ labels: { repo, environment }, value: total ? n('rolled_back') / total : 0 })
  }
  x.metric('cicd_change_failure_rate', 'gauge', 'DORA change failure rate: rolled back / monitored deploys.', samples(rate))
  const leadRows: Row[] = []
  for (const { labels, values } of lead.values()) {
    const sorted = [...values].sort((a, b) => a - b)
    leadRows.push({ labels: { ...labels, quantile: '0.5' }, value: sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN })
  }
  x.metric('cicd_lead_time_seconds', 'gauge', 'DORA lead time for changes: run created → version validated (median).', samples(leadRows))
}
