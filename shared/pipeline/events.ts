import { z } from 'zod'

/** Topic names from seed 004; keep them. */
export const TOPICS = {
  commitReceived: 'cicd.commit.received',
  buildCompleted: 'cicd.build.completed',
  testsCompleted: 'cicd.tests.completed',
  deployRequested: 'cicd.deploy.requested',
  deployCompleted: 'cicd.deploy.completed',
  monitorStart: 'cicd.monitor.start',
  monitorCompleted: 'cicd.monitor.completed',
  rollbackRequested: 'cicd.rollback.requested',
  failureDetected: 'ci.failure.detected',
} as const

const sha = z.string().regex(/^[0-9a-f]{7,40}$/, 'a commit SHA (7 to 40 hex characters)')
const environment = z.enum(['staging', 'production'])
const base = { runId: z.string().min(1), repo: z.string().min(1), commit: sha, traceId: z.string().min(1) }

export const commitReceivedSchema = z.object({
  ...base,
  branch: z.string().optional(),
  before: z.string().optional(),
  trigger: z.enum(['push', 'manual', 'cli']),
})

export const buildCompletedSchema = z.object({
  ...base,
  success: z.boolean(),
  skipped: z.boolean().default(false),
  imageTag: z.string().optional(),
  durationMs: z.number().nonnegative(),
  reason: z.string().optional(),
})

export const testsCompletedSchema = z.object({
  ...base,
  success: z.boolean(),
  imageTag: z.string().optional(),
  durationMs: z.number().nonnegative(),
  totals: z.object({ total: z.number(), passed: z.number(), failed: z.number(), errors: z.number(), skipped: z.number() }).optional(),
  failing: z.array(z.string()).default([]),
  reason: z.string().optional(),
})

export const failureDetectedSchema = z.object({
  ...base,
  stage: z.enum(['build', 'test', 'deploy', 'monitor']),
  environment: environment.optional(),
  reason: z.string(),
  logTail: z.string().default(''),
})

/** Seed 004's manual deploy request (consumed by the deploy steps). */
export const deployRequestedSchema = z.object({
  runId: z.string().optional(),
  repo: z.string().min(1),
  commit: sha,
  imageTag: z.string().min(1).max(200),
  environment,
  traceId: z.string().optional(),
  /** Deploy even without passing test results for the commit (approval rules still apply). */
  force: z.boolean().default(false),
})

export const deployCompletedSchema = z.object({
  ...base,
  environment,
  success: z.boolean(),
  version: z.string(),
  previous: z.string().nullable(),
  strategy: z.enum(['immediate', 'blue-green', 'canary', 'rolling']),
  entrypoint: z.string(),
  durationMs: z.number().nonnegative(),
  reason: z.string().optional(),
})

export const monitorStartSchema = z.object({
  ...base,
  environment,
  version: z.string(),
  /** The DeployAgent's health-check and rollback settings (they only tighten cicd.yml's). */
  policy: z.object({ intervalSeconds: z.number().int().min(1), healthyChecks: z.number().int().min(1), failedChecks: z.number().int().min(1) }).optional(),
})

export const monitorCompletedSchema = z.object({
  ...base,
  environment,
  version: z.string().nullable(),
  verdict: z.enum(['validated', 'rollback', 'stopped']),
  success: z.boolean(),
  checks: z.number().int().nonnegative(),
  reason: z.string(),
})

/** Automatic (the monitor) or manual (POST /api/events, `cicd rollback`). */
export const rollbackRequestedSchema = z.object({
  runId: z.string().optional(),
  repo: z.string().min(1),
  environment,
  reason: z.string().max(500).default('manual rollback'),
  automatic: z.boolean().default(false),
  /** When the failed-check threshold was reached (ms since epoch), for the rollback's timing. */
  failedAt: z.number().optional(),
  /** When the first check of the failing streak was taken (ms since epoch): rollbackMs starts here. */
  firstFailedAt: z.number().optional(),
  /** The version to take out: a request for a version that is no longer live does nothing (redeliveries). */
  version: z.string().optional(),
  /** The monitor already rolled back (in its own process, without a queue hop): recorded only. */
  performed: z.boolean().default(false),
  traceId: z.string().optional(),
})

/** A manual pipeline start via POST /api/events (runId and traceId are assigned by the server). */
export const manualCommitSchema = z.object({
  repo: z.string().min(1),
  commit: sha.optional(),
  branch: z.string().optional(),
  before: z.string().optional(),
})

export type CommitReceived = z.output<typeof commitReceivedSchema>
export type BuildCompleted = z.output<typeof buildCompletedSchema>
export type TestsCompleted = z.output<typeof testsCompletedSchema>
export type FailureDetected = z.output<typeof failureDetectedSchema>
export type DeployRequested = z.output<typeof deployRequestedSchema>
export type DeployCompleted = z.output<typeof deployCompletedSchema>
export type MonitorStart = z.output<typeof monitorStartSchema>
export type MonitorCompleted = z.output<typeof monitorCompletedSchema>
export type RollbackRequested = z.output<typeof rollbackRequestedSchema>
