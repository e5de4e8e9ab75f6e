import { z } from 'zod'
import { describeIssues, formatPath } from '../config/errors'
import { COMMAND_TYPES, EVENT_TYPES, SMOKE_RESULTS, STATUS_TYPES, type CommandType } from './message-types'
import { cleanText } from './untrusted-text'

/**
 * Seed 000's message format (`type`, `pr_number`, `pr_title`, `pr_url`, `failing_checks`,
 * `timestamp`, `source`, …) with a `version`. A message without `version` is version 1 (the seed's
 * own examples have none); another version is refused, never guessed at.
 */
export const MESSAGE_VERSION = 1
export const CHANNELS = ['ci:events', 'ci:commands', 'ci:status'] as const
export type ChannelName = (typeof CHANNELS)[number]

/** Bytes of JSON accepted for one message. */
export const MAX_MESSAGE_BYTES = 64 * 1024

const version = z.literal(MESSAGE_VERSION).default(MESSAGE_VERSION)
const timestamp = z.iso.datetime({ offset: true, error: 'an ISO 8601 time, e.g. "2025-11-07T03:30:00Z"' }).default(() => new Date().toISOString())
const agentName = z.string().regex(/^[A-Za-z0-9_.:@/-]{1,64}$/, 'an agent name: 1 to 64 letters, digits, "_", ".", ":", "@", "/" or "-"')
const repo = z.string().max(200).regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)?$/, 'a repository: its name in cicd.yml, or owner/name')
const prNumber = z.number({ error: 'a pull request number' }).int().positive()
const sha = z.string().regex(/^[0-9a-f]{7,40}$/, 'a commit SHA (7 to 40 hex characters)')
const untrusted = (max: number) => z.string().max(max * 4).transform((t) => cleanText(t, max))
const checkNames = z.array(untrusted(200).pipe(z.string().min(1, 'a check name'))).max(100)
/**
 * A message's id: our publisher gives every message one (and claims it in Redis before the
 * PUBLISH), so the pub/sub bridge knows its own messages from an outside agent's.
 */
const messageId = z.string().regex(/^[A-Za-z0-9_.:@#-]{1,100}$/, 'a message id: 1 to 100 letters, digits or "_.:@#-"')
const idempotencyKey = z.string().regex(/^[A-Za-z0-9_.:@/#+=-]{1,200}$/, 'an idempotency key: 1 to 200 letters, digits or "_.:@/#+=-"')

const about = {
  id: messageId.optional(),
  version,
  timestamp,
  source: agentName,
  pr_title: untrusted(300).optional(),
  pr_url: z.string().max(500).url().optional(),
}

// ci:events — loose: the seed's "…" lets agents add fields; they travel as given.
const eventBase = { ...about, repo, pr_number: prNumber.optional(), head_sha: sha.optional() }
const stage = z.enum(['build', 'test', 'deploy', 'monitor'])
const runId = z.string().min(1).max(100)
export const eventSchema = z.discriminatedUnion('type', [
  z.looseObject({ ...eventBase, type: z.literal('pr_failure'), pr_number: prNumber, failing_checks: checkNames.min(1, 'at least one failing check') }),
  z.looseObject({ ...eventBase, type: z.literal('pr_success'), pr_number: prNumber, failing_checks: checkNames.max(0, 'a success has no failing checks').default([]) }),
  z.looseObject({ ...eventBase, type: z.literal('pr_pending'), pr_number: prNumber, pending_checks: checkNames.default([]) }),
  z.looseObject({ ...eventBase, type: z.literal('smoke_requested'), pr_number: prNumber, head_sha: sha, trigger: z.enum(['label', 'commit_message']) }),
  z.looseObject({ ...eventBase, type: z.literal('smoke_passed'), head_sha: sha, run_id: runId }),
  z.looseObject({ ...eventBase, type: z.literal('smoke_failed'), head_sha: sha, run_id: runId, reason: untrusted(500) }),
  z.looseObject({ ...eventBase, type: z.literal('stage_failed'), run_id: runId, stage, commit: sha, reason: untrusted(500) }),
  z.looseObject({ ...eventBase, type: z.literal('stage_succeeded'), run_id: runId, stage, environment: z.enum(['staging', 'production']).optional(), commit: sha }),
  z.looseObject({
    ...eventBase,
    type: z.literal('remediation_dispatched'),
    /** The Healer's remediation (GET /api/healer/remediations names it). */
    remediation: z.string().min(1).max(200),
    agent: z.string().min(1).max(40),
    failure_type: z.string().min(1).max(60),
    category: z.string().max(40).optional(),
    branch: untrusted(200),
    commit: sha,
    workflow_run_id: z.union([z.number().int(), z.string().max(100)]).optional(),
  }),
])

// ci:commands — strict: a misspelt field of something that will be executed is an error.
const commandBase = {
  ...about,
  repo,
  /** Same key, same command: executed once, however often it is delivered. */
  idempotency_key: idempotencyKey.optional(),
  /** For whom the command is executed (a person or agent), as the audit log shows it. */
  requested_by: untrusted(100).optional(),
  failing_checks: checkNames.optional(),
}
const labelName = untrusted(50).pipe(z.string().min(1, 'a label name'))
export const commandSchema = z.discriminatedUnion('type', [
  z
    .strictObject({ ...commandBase, type: z.literal('rerun'), pr_number: prNumber.optional(), run_id: z.number().int().positive().optional() })
    .refine((c) => c.run_id !== undefined || c.pr_number !== undefined, { message: 'give run_id (a workflow run) or pr_number (the failed run of its head commit)', path: ['run_id'] }),
  z.strictObject({ ...commandBase, type: z.literal('label'), pr_number: prNumber, action: z.enum(['add', 'remove']).default('add'), labels: z.array(labelName).min(1, 'at least one label').max(10) }),
  z.strictObject({ ...commandBase, type: z.literal('merge'), pr_number: prNumber, sha: z.string().regex(/^[0-9a-f]{40}$/, 'the full head SHA the merge is meant for').optional(), merge_method: z.enum(['merge', 'squash', 'rebase']).optional() }),
  z.strictObject({ ...commandBase, type: z.literal('notify'), pr_number: prNumber.optional(), text: untrusted(2000).pipe(z.string().min(1, 'the text to send')) }),
])

// ci:status — loose, like events.
const statusBase = { id: messageId.optional(), version, timestamp, source: agentName }
export const statusSchema = z.discriminatedUnion('type', [
  z.looseObject({ ...statusBase, type: z.literal('heartbeat'), agent: agentName, instance: z.string().min(1).max(200), state: z.string().min(1).max(40), detail: z.string().max(500).optional() }),
  z.looseObject({
    ...statusBase,
    type: z.literal('message_rejected'),
    /** The channel the message was meant for, or the queue it was found on. */
    channel: z.string().max(100),
    reason: z.string().min(1).max(1000),
    field: z.string().max(200).optional(),
    message_type: z.string().max(40).optional(),
    repo: z.string().max(200).optional(),
    pr_number: z.number().int().optional(),
    idempotency_key: z.string().max(200).optional(),
    queue: z.string().max(100).optional(),
    entry_id: z.string().max(100).optional(),
  }),
  z.looseObject({
    ...statusBase,
    type: z.literal('command_result'),
    command_type: z.enum(COMMAND_TYPES),
    repo,
    pr_number: z.number().int().optional(),
    idempotency_key: z.string().max(200),
    result: z.enum(['executed', 'refused', 'failed', 'duplicate', 'retrying']),
    detail: z.string().max(1000).optional(),
  }),
  z.looseObject({
    ...statusBase,
    type: z.literal('smoke_result'),
    repo,
    pr_number: z.number().int().optional(),
    head_sha: sha,
    result: z.enum(SMOKE_RESULTS),
    run_id: runId.optional(),
    reason: z.string().min(1).max(1000),
  }),
])

export type CiEvent = z.output<typeof eventSchema>
export type CiCommand = z.output<typeof commandSchema>
export type CiStatus = z.output<typeof statusSchema>
export type EventInput = z.input<typeof eventSchema>
export type CommandInput = z.input<typeof commandSchema>
export type StatusInput = z.input<typeof statusSchema>
export type CommandOf<T extends CommandType> = Extract<CiCommand, { type: T }>

export interface MessageByChannel {
  'ci:events': CiEvent
  'ci:commands': CiCommand
  'ci:status': CiStatus
}

/** A refusal names the field (`pr_number`, `labels[0]`, `type`, or `(message)` for the whole). */
export interface Invalid {
  ok: false
  field: string
  reason: string
}
export type Parsed<T> = { ok: true; message: T } | Invalid

const TYPES: Record<ChannelName, readonly string[]> = { 'ci:events': EVENT_TYPES, 'ci:commands': COMMAND_TYPES, 'ci:status': STATUS_TYPES }
const SCHEMAS = { 'ci:events': eventSchema, 'ci:commands': commandSchema, 'ci:status': statusSchema } as const

export function isChannel(name: string): name is ChannelName {
  return (CHANNELS as readonly string[]).includes(name)
}

function invalid(field: string, reason: string): Invalid {
  return { ok: false, field, reason: `${field}: ${reason}` }
}

/** A seed-format message names its PR by URL only: `https://github.com/o/r/pull/197` gives repo `o/r`. */
function withRepoFromUrl(input: Record<string, unknown>): Record<string, unknown> {
  if (input.repo !== undefined || typeof input.pr_url !== 'string') return input
  const m = /^https?:\/\/[^/]+\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/pull\/\d+/.exec(input.pr_url)
  return m ? { ...input, repo: `${m[1]}/${m[2]}` } : input
}

/** Validates a message for `channel`; never throws. */
export function parseMessage<C extends ChannelName>(channel: C, input: unknown): Parsed<MessageByChannel[C]> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return invalid('(message)', 'expected a JSON object')
  const obj = withRepoFromUrl(input as Record<string, unknown>)
  const types = TYPES[channel]
  if (typeof obj.type !== 'string' || !types.includes(obj.type))
    return invalid('type', `${obj.type === undefined ? 'missing; it' : `${JSON.stringify(typeof obj.type === 'string' ? obj.type.slice(0, 40) : obj.type)} is not a ${channel} type; it`} must be one of ${types.map((t) => JSON.stringify(t)).join(', ')}`)
  if (obj.version !== undefined && obj.version !== MESSAGE_VERSION) return invalid('version', `${JSON.stringify(obj.version)} is not supported (this server speaks version ${MESSAGE_VERSION})`)
  const parsed = SCHEMAS[channel].safeParse(obj, { reportInput: true })
  if (parsed.success) return { ok: true, message: parsed.data as MessageByChannel[C] }
  // a misspelt field first: "labels is missing" would hide that "lables" was given
  const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0]
  if (issue?.code === 'unrecognized_keys') return invalid(formatPath([...issue.path, issue.keys[0] ?? '']), `is not a field of a ${String(obj.type)} message (check the spelling)`)
  const first = describeIssues(parsed.error.issues)[0] ?? { path: '(message)', message: 'invalid' }
  return invalid(first.path === '(root)' ? '(message)' : first.path, first.message)
}

/** Validates JSON text (a CLI argument, a stream entry) for `channel`. */
export function parseMessageText<C extends ChannelName>(channel: C, text: string): Parsed<MessageByChannel[C]> {
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) return invalid('(message)', `larger than ${MAX_MESSAGE_BYTES} bytes`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return invalid('(message)', `not JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  return parseMessage(channel, value)
}
