import { z } from 'zod'

export const monitorResultSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'failing']),
  consecutiveHealthy: z.number().int().min(0),
  consecutiveFailed: z.number().int().min(0),
  action: z.enum(['continue', 'promote', 'rollback']),
  /** Each threshold the latest check breaks, e.g. "p99 820 ms > 500 ms". */
  breaches: z.array(z.string()),
  recommendations: z.array(z.string()),
  reasons: z.array(z.string()).min(1),
})
export type MonitorResult = z.output<typeof monitorResultSchema>

/** Flagger's defaults and seed 004's rule (5 consecutive healthy checks validate a deploy). */
export const thresholdsSchema = z.object({
  minSuccessRate: z.number().min(0).max(1).default(0.99),
  maxP99Ms: z.number().positive().default(500),
  maxP95Ms: z.number().positive().optional(),
  maxCpu: z.number().min(0).max(1).default(0.85),
  maxMemory: z.number().min(0).max(1).default(0.9),
  healthyChecksToPromote: z.number().int().min(1).default(5),
  failedChecksToRollback: z.number().int().min(1).default(3),
  /** Fewer requests than this in a check's interval is a failed check (Flagger: no data fails). 0: the health endpoint alone judges a quiet interval. */
  minRequests: z.number().int().min(0).optional(),
})
export type Thresholds = z.output<typeof thresholdsSchema>

export interface HealthCheck {
  at: string
  /** The app's health endpoint answered 2xx. */
  up: boolean
  /** Requests the version served in the check's interval (null: no metrics endpoint). */
  requests?: number | null
  successRate: number | null
  p95Ms: number | null
  p99Ms: number | null
  /** Fractions of the container's limits. */
  cpu: number | null
  memory: number | null
}

export interface MonitorFacts {
  thresholds: Thresholds
  /** Oldest first. */
  checks: HealthCheck[]
}
