/** The names used on the coordination channels (seed 000), shared by the messages and the config. */

/** `ci:events`: PR status changes, our own pipeline's stage and smoke results, the Healer's remediations. */
export const EVENT_TYPES = ['pr_failure', 'pr_success', 'pr_pending', 'smoke_requested', 'smoke_passed', 'smoke_failed', 'stage_failed', 'stage_succeeded', 'remediation_dispatched'] as const

/** `ci:commands`: what the coordinator executes, each through its own durable queue. */
export const COMMAND_TYPES = ['rerun', 'label', 'merge', 'notify'] as const

/** Commands a repository's `coordination.commands` allow-list may name (merge has its own flag). */
export const LISTABLE_COMMANDS = ['rerun', 'label', 'notify'] as const

/** `ci:status`: heartbeats and agent state, rejections, command results. */
export const STATUS_TYPES = ['heartbeat', 'message_rejected', 'command_result', 'smoke_result'] as const

/** What became of a `smoke_requested` (the `smoke_result` status). */
export const SMOKE_RESULTS = ['started', 'duplicate', 'not_configured', 'refused', 'passed', 'failed'] as const

export type EventType = (typeof EVENT_TYPES)[number]
export type CommandType = (typeof COMMAND_TYPES)[number]
export type StatusType = (typeof STATUS_TYPES)[number]
export type SmokeResult = (typeof SMOKE_RESULTS)[number]
