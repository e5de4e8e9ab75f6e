import type { Sample } from './prometheus-text'

/**
 * The request figures a canary analysis needs, from an app's metrics: `http_requests_total`
 * (label `code` or `status`) and the `http_request_duration_seconds` histogram — the names
 * Prometheus client libraries use by default.
 */
export interface Traffic {
  requests: number
  errors: number
  /** Cumulative bucket counts by upper bound in seconds (Infinity for +Inf). */
  buckets: Map<number, number>
}

export const REQUESTS = 'http_requests_total'
export const DURATION = 'http_request_duration_seconds_bucket'

export function trafficOf(samples: Sample[]): Traffic {
  const t: Traffic = { requests: 0, errors: 0, buckets: new Map() }
  for (const s of samples) {
    if (s.name === REQUESTS) {
      t.requests += s.value
      const code = s.labels.code ?? s.labels.status ?? ''
      if (/^5/.test(code)) t.errors += s.value
    } else if (s.name === DURATION && s.labels.le !== undefined) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)
      if (!Number.isNaN(le)) t.buckets.set(le, (t.buckets.get(le) ?? 0) + s.value)
    }
  }
  return t
}

export function addTraffic(a: Traffic, b: Traffic): Traffic {
  const buckets = new Map(a.buckets)
  for (const [le, n] of b.buckets) buckets.set(le, (buckets.get(le) ?? 0) + n)
  return { requests: a.requests + b.requests, errors: a.errors + b.errors, buckets }
}

/** What happened between two scrapes (a counter that went down means a restart: take it whole). */
export function trafficDelta(now: Traffic, before: Traffic | undefined): Traffic {
  if (!before || now.requests < before.requests) return now
  const buckets = new Map<number, number>()
  for (const [le, n] of now.buckets) buckets.set(le, Math.max(0, n - (before.buckets.get(le) ?? 0)))
  return { requests: now.requests - before.requests, errors: Math.max(0, now.errors - before.errors), buckets }
}

/** Non-5xx share of the requests; null without traffic. */
export function successRate(t: Traffic): number | null {
  return t.requests > 0 ? (t.requests - t.errors) / t.requests : null
}

/** histogram_quantile(), in milliseconds: linear within the bucket; the highest finite bound past it. */
export function quantileMs(t: Traffic, q: number): number | null {
  const bounds = [...t.buckets.keys()].sort((a, b) => a - b)
  const total = t.buckets.get(Infinity) ?? (bounds.length ? (t.buckets.get(bounds[bounds.length - 1] as number) ?? 0) : 0)
  if (!bounds.length || total <= 0) return null
  const rank = q * total
  let prevBound = 0
  let prevCount = 0
  for (const le of bounds) {
    const count = t.buckets.get(le) ?? 0
    if (count >= rank) {
      if (le === Infinity) return prevBound * 1000
      const inBucket = count - prevCount
      const frac = inBucket > 0 ? (rank - prevCount) / inBucket : 1
      return (prevBound + (le - prevBound) * frac) * 1000
    }
    if (le !== Infinity) prevBound = le
    prevCount = count
  }
  return prevBound * 1000
}
