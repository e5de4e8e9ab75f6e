import { z } from 'zod'

/** Topic names from seed 004; keep them. */
export const TOPICS = {
  commitReceived: 'cicd.commit.received',
  buildCompleted: 'cicd.build.completed',
  testsCompleted: 'cicd.tests.completed',
  deployRequested: 'cicd.deploy.requested',
  failureDetected: 'ci.failure.detected',
} as const

const sha = z.string().regex(/^[0-9a-f]{7,40}$/, 'a commit SHA (7 to 40 hex characters)')
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
  reason: z.string(),
  logTail: z.string().default(''),
})

/** Seed 004's manual deploy request (consumed by the deploy steps). */
export const deployRequestedSchema = z.object({
  runId: z.string().optional(),
  repo: z.string().min(1),
  commit: sha,
  imageTag: z.string().min(1),
  environment: z.enum(['staging', 'production']),
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
