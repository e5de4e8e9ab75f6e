import { z } from 'zod'
import { durationSchema } from './duration'
import { EVENT_TYPES, LISTABLE_COMMANDS } from '../coordination/message-types'

/**
 * A repository's part in the Redis coordination (seed 000): which commands agents may send it,
 * whether they may merge, and what the CI watcher treats as required or flaky.
 */
export const repoCoordinationSchema = z
  .object({
    /** The allow-list: commands not named here are never executed for this repository. */
    commands: z.array(z.enum(LISTABLE_COMMANDS)).default([]),
    /** Merging is allowed only with `merge: true`, and then only when every required check passed. */
    merge: z.boolean().default(false),
    merge_method: z.enum(['merge', 'squash', 'rebase']).default('merge'),
    /** Check names that must pass before a merge; empty: every check run reported on the head commit. */
    required_checks: z.array(z.string().min(1)).default([]),
    /** Check names known to be flaky here (added to `coordination.watcher.flaky_checks`). */
    flaky_checks: z.array(z.string().min(1)).default([]),
    /** Watched by the CI watcher (when it is enabled and the repository names `github:`). */
    watch: z.boolean().default(true),
  })
  .strict()

/**
 * A repository's smoke pipeline (seed 000's opt-in smoke gating): run at a pull request's head
 * when `smoke_requested` arrives (the `run-smoke` label or `[run-smoke]` in the head commit's
 * message). Without it a smoke request is answered on ci:status with the reason, never run.
 */
export const smokeSchema = z
  .object({
    /** Shell commands run in order in a checkout of the requested commit; the first that fails fails the smoke. */
    commands: z.array(z.string().min(1)).min(1, 'at least one smoke command'),
    /** Per command. */
    timeout: durationSchema.prefault(300),
  })
  .strict()

export const watcherSchema = z
  .object({
    /** Off by default: the watcher polls GitHub only when asked to. */
    enabled: z.boolean().default(false),
    /** How often the open pull requests are polled (at most once per interval across all instances). */
    interval: durationSchema.prefault(60),
    /** Automatic reruns of flaky failures per pull request, in all. */
    max_reruns_per_pr: z.number().int().min(0).max(20).default(2),
    /** The wait before the first automatic rerun; it doubles for each further one. */
    backoff: durationSchema.prefault(60),
    max_backoff: durationSchema.prefault(3600),
    /** Check names known to be flaky in every repository. */
    flaky_checks: z.array(z.string().min(1)).default([]),
    /** A label that requests the smoke pipeline (as does `[run-smoke]` in the head commit's message). */
    smoke_label: z.string().min(1).default('run-smoke'),
  })
  .strict()

export const notifySchema = z
  .object({
    /** A Slack-compatible incoming webhook (POST {text}). CICD_NOTIFY_WEBHOOK_URL overrides it; it is a secret. */
    webhook_url: z.string().url().optional(),
    /** Events the coordinator turns into notifications (for repositories that allow `notify`). Quiet by default. */
    on: z.array(z.enum(EVENT_TYPES)).default([]),
  })
  .strict()

export const coordinatorSchema = z
  .object({
    /** How long a command may run before another instance may take it over. */
    lease: durationSchema.prefault(60),
    /** A command left unacknowledged this long (its consumer died) is reclaimed by another. */
    reclaim_after: durationSchema.prefault(90),
    /** Deliveries of a command that fails transiently (GitHub 5xx, timeouts) before it is given up. */
    max_attempts: z.number().int().min(1).max(20).default(3),
  })
  .strict()
  .refine((c) => c.reclaim_after >= c.lease, { message: 'must be at least `lease` (a command still running must not be taken over)', path: ['reclaim_after'] })

/**
 * Messages an outside agent PUBLISHes straight on ci:events or ci:commands (seed 000's plain
 * `PUBLISH ci:events …`): every server instance listens, and the first to hear one moves it into
 * the durable queues (validated, allow-listed, audited), exactly once across instances.
 */
export const bridgeSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How long a message heard is remembered: the same message (same id, else same text) within it is taken once. */
    dedupe_ttl: durationSchema.prefault(600),
  })
  .strict()

export const coordinationSchema = z
  .object({
    watcher: watcherSchema.prefault({}),
    notify: notifySchema.prefault({}),
    coordinator: coordinatorSchema.prefault({}),
    bridge: bridgeSchema.prefault({}),
  })
  .strict()

export type RepoCoordination = z.output<typeof repoCoordinationSchema>
export type CoordinationConfig = z.output<typeof coordinationSchema>
export type WatcherConfig = z.output<typeof watcherSchema>
export type SmokeConfig = z.output<typeof smokeSchema>
