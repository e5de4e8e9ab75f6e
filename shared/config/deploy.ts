import { z } from 'zod'
import { durationSchema } from './duration'

export const deployStrategy = z.enum(['immediate', 'blue-green', 'canary', 'rolling'])

/**
 * Health gates for a new version (Flagger's defaults; seed 004: 5 consecutive healthy checks
 * validate a deploy). The model may tighten these, never loosen them.
 */
export const monitorSettingsSchema = z
  .object({
    interval: durationSchema.prefault(10),
    healthy_checks: z.number().int().min(1).max(100).default(5),
    failed_checks: z.number().int().min(1).max(20).default(3),
    min_success_rate: z.number().min(0).max(1).default(0.99),
    max_p99_ms: z.number().positive().default(500),
    max_p95_ms: z.number().positive().optional(),
    max_cpu: z.number().min(0).max(1).default(0.85),
    max_memory: z.number().min(0).max(1).default(0.9),
    /** Fewer requests than this in a check's interval fails the check (Flagger: no data is a failure). 0: a quiet interval is judged by the health endpoint alone. */
    min_requests: z.number().int().min(0).default(0),
  })
  .strict()

export const environmentSchema = z
  .object({
    auto_deploy: z.boolean().default(false),
    strategy: deployStrategy.default('immediate'),
    /** Default: production needs approval unless auto_deploy is on; staging never does. */
    require_approval: z.boolean().optional(),
    /** The stable entrypoint: the proxy listens here and sends traffic to the live containers. */
    port: z.number().int().min(1).max(65535).optional(),
    bind: z.string().min(1).default('127.0.0.1'),
    replicas: z.number().int().min(1).max(8).default(1),
    /** Canary traffic weights, in percent, ending at 100. */
    canary_steps: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .default([10, 25, 50, 100])
      .refine((s) => s[s.length - 1] === 100 && s.every((v, i) => i === 0 || v > (s[i - 1] ?? 0)), 'increasing weights ending at 100'),
    /** Healthy checks at each canary weight before the next one. */
    canary_step_checks: z.number().int().min(1).max(50).default(2),
    monitor: monitorSettingsSchema.prefault({}),
  })
  .strict()

/** How the repo's image runs as a service: one definition for every environment. */
export const appSchema = z
  .object({
    container_port: z.number().int().min(1).max(65535).default(8080),
    health_path: z.string().startsWith('/').default('/health'),
    /** Prometheus text format (request counts by status code, a latency histogram); null: none. */
    metrics_path: z.string().startsWith('/').nullable().default('/metrics'),
    env: z.record(z.string(), z.string()).default({}),
    /** Docker memory limit, e.g. "256m", "1g". */
    memory: z
      .string()
      .regex(/^\d+(\.\d+)?[kmg]?$/i, 'a size like "256m" or "1g"')
      .default('256m'),
    cpus: z.number().positive().max(64).default(0.5),
    /** Seconds a new container may take to answer its health check. */
    start_timeout: durationSchema.prefault(30),
  })
  .strict()

export const deploySchema = z
  .object({
    app: appSchema.prefault({}),
    /** A Slack-compatible incoming webhook, called on rollback and on deploy failure. */
    alert_webhook: z.string().url().optional(),
    staging: environmentSchema.prefault({ auto_deploy: true, strategy: 'immediate' }),
    production: environmentSchema.prefault({ auto_deploy: false, strategy: 'blue-green' }),
  })
  .strict()

export type DeployConfig = z.output<typeof deploySchema>
export type EnvironmentConfig = z.output<typeof environmentSchema>
export type AppConfig = z.output<typeof appSchema>
export type MonitorSettings = z.output<typeof monitorSettingsSchema>
export type EnvironmentName = 'staging' | 'production'
export const environmentNames = ['staging', 'production'] as const

/** Bytes from a Docker-style size ("256m"). */
export function parseMemory(size: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(size)
  if (!m) throw new Error(`not a size: ${size}`)
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g']
  return Math.round(Number(m[1]) * mult)
}
