/** The names used on the coordination channels (seed 000), shared by the messages and the config. */

/** `ci:events`: PR status changes and our own pipeline's stage events. */
export const EVENT_TYPES = ['pr_failure', 'pr_success', 'pr_pending', 'smoke_requested', 'stage_failed', 'stage_succeeded'] as const

/** `ci:commands`: what the coordinator executes, each through its own durable queue. */
export const COMMAND_TYPES = ['rerun', 'label', 'merge', 'notify'] as const

/** Commands a repository's `coordination.commands` allow-list may name (merge has its own flag). */
export const LISTABLE_COMMANDS = ['rerun', 'label', 'notify'] as const

/** `ci:status`: heartbeats and agent state, rejections, command results. */
export const STATUS_TYPES = ['heartbeat', 'message_rejected', 'command_result'] as const

export type EventType = (typeof EVENT_TYPES)[number]
export type CommandType = (typeof COMMAND_TYPES)[number]
export type StatusType = (typeof STATUS_TYPES)[number]
