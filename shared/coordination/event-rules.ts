import { createHash } from 'node:crypto'
import type { CicdConfig } from '../config/schema'
import { targetOf } from './allow-list'
import type { CiEvent, CommandInput } from './messages'

/** One line about an event, for people (its untrusted parts were cleaned when it was validated). */
export function describeEvent(e: CiEvent): string {
  const pr = 'pr_number' in e && e.pr_number ? `PR #${e.pr_number}${e.pr_title ? ` "${e.pr_title}"` : ''}` : ''
  switch (e.type) {
    case 'pr_failure':
      return `${pr} is failing: ${e.failing_checks.join(', ')}`
    case 'pr_success':
      return `${pr} passes its checks`
    case 'pr_pending':
      return `${pr} is waiting for checks`
    case 'smoke_requested':
      return `${pr} asks for the smoke pipeline (${e.trigger === 'label' ? 'label' : 'commit message'}) at ${e.head_sha.slice(0, 7)}`
    case 'smoke_passed':
      return `${pr || 'the'} smoke pipeline passed at ${e.head_sha.slice(0, 7)} (run ${e.run_id})`
    case 'smoke_failed':
      return `${pr || 'the'} smoke pipeline failed at ${e.head_sha.slice(0, 7)} (run ${e.run_id}): ${e.reason}`
    case 'remediation_dispatched':
      return `the Healer sent the ${e.failure_type} failure on ${e.branch} (${e.commit.slice(0, 7)}) to ${e.agent}`
    case 'stage_failed':
      return `${e.stage} failed at ${e.commit.slice(0, 7)} (run ${e.run_id}): ${e.reason}`
    case 'stage_succeeded':
      return `${e.stage}${e.environment ? ` (${e.environment})` : ''} passed at ${e.commit.slice(0, 7)} (run ${e.run_id})`
  }
}

/**
 * The coordinator's rules for ci:events: an event type named in `coordination.notify.on` becomes
 * a `notify` command for a repository that allows notify. Quiet by default (`on: []`). The key
 * makes the same event (delivered again, or seen by two instances) notify once.
 */
export function commandsForEvent(event: CiEvent, config: CicdConfig): CommandInput[] {
  if (!config.coordination.notify.on.includes(event.type)) return []
  const target = targetOf(config, event.repo)
  if (!target?.repo.coordination.commands.includes('notify')) return []
  const identity = JSON.stringify([event.type, target.fullName, event.pr_number ?? null, event.head_sha ?? null, 'run_id' in event ? event.run_id : null, 'stage' in event ? event.stage : null, 'failing_checks' in event ? event.failing_checks : null, event.head_sha || 'run_id' in event ? null : event.timestamp])
  return [
    {
      type: 'notify',
      repo: target.fullName,
      ...(event.pr_number ? { pr_number: event.pr_number } : {}),
      text: describeEvent(event),
      source: 'ci_coordinator',
      requested_by: event.source,
      idempotency_key: `notify:${event.type}:${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`,
    },
  ]
}
