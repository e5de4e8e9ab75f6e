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

/** The window DORA's deployment frequency is averaged over. */
export const FREQUENCY_WINDOW_DAYS = 7

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN
}

/**
 * Deploy figures from the runs (kept in Redis, so counters only grow): deploys by outcome,
 * monitoring verdicts, rollbacks and how long they took, and DORA's four keys per environment:
 * deployment frequency, lead time for changes (run created → version validated by monitoring),
 * change failure rate and failed deployment recovery time.
 */
export function writeDeployMetrics(x: Exposition, runs: RunRecord[], now: Date = new Date()): void {
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
  const leadRows: Row[] = [...lead.values()].map(({ labels, values }) => ({ labels, value: median(values) }))
  x.metric('cicd_lead_time_seconds', 'gauge', 'DORA lead time for changes: run created → version validated (median).', samples(leadRows))
  x.metric('cicd_deployment_frequency_per_day', 'gauge', `DORA deployment frequency: successful deploys per day over the last ${FREQUENCY_WINDOW_DAYS} days.`, samples(frequency(runs, now)))
  x.metric('cicd_failed_deployment_recovery_seconds', 'gauge', 'DORA failed deployment recovery time (median): from the failing check to a good version serving again (the rollback, or until the next validated version was deployed when the rollback failed).', samples(recovery(runs)))
}

function frequency(runs: RunRecord[], now: Date): Row[] {
  const since = now.getTime() - FREQUENCY_WINDOW_DAYS * 86_400_000
  const rows = new Map<string, Row>()
  for (const run of runs)
    for (const env of ENVIRONMENTS) {
      const d = stageFor(run, `deploy:${env}`)
      if (!d) continue
      const at = Date.parse(d.finishedAt ?? '')
      const counted = d.status === 'succeeded' && at >= since && at <= now.getTime()
      tally(rows, { repo: run.repo, environment: env }, counted ? 1 / FREQUENCY_WINDOW_DAYS : 0)
    }
  return [...rows.values()]
}

/** A monitored version's end: when, and whether monitoring validated it. */
interface Verdict {
  at: number
  /** When its deploy finished: the version serving from then on. */
  servingAt: number
  validated: boolean
  rollbackMs?: number
}

function recovery(runs: RunRecord[]): Row[] {
  const verdicts = new Map<string, { labels: Labels; list: Verdict[] }>()
  for (const run of runs)
    for (const env of ENVIRONMENTS) {
      const m = stageFor(run, `monitor:${env}`)
      if (!m || (m.status !== 'succeeded' && m.status !== 'failed')) continue
      const at = Date.parse(m.finishedAt ?? '')
      if (!Number.isFinite(at)) continue
      const rb = m.summary?.rollback as { success?: boolean; rollbackMs?: number } | undefined
      const key = `${run.repo}\0${env}`
      const e = verdicts.get(key) ?? { labels: { repo: run.repo, environment: env }, list: [] }
      const deployed = Date.parse(stageFor(run, `deploy:${env}`)?.finishedAt ?? '')
      e.list.push({ at, servingAt: Number.isFinite(deployed) ? deployed : at, validated: m.status === 'succeeded', ...(rb?.success && typeof rb.rollbackMs === 'number' ? { rollbackMs: rb.rollbackMs } : {}) })
      verdicts.set(key, e)
    }
  const rows: Row[] = []
  for (const { labels, list } of verdicts.values()) {
    list.sort((a, b) => a.at - b.at)
    const times: number[] = []
    list.forEach((v, i) => {
      if (v.validated) return
      if (v.rollbackMs !== undefined) return void times.push(v.rollbackMs / 1000)
      // the rollback did not restore service: the next version monitoring validated did, once deployed
      const next = list.slice(i + 1).find((w) => w.validated)
      if (next) times.push(Math.max(0, next.servingAt - v.at) / 1000)
    })
    if (times.length) rows.push({ labels, value: median(times) })
  }
  return rows
}
