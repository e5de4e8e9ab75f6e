import type { CommandType } from './message-types'
import type { ChannelName } from './messages'

/**
 * Every name the coordination uses in Redis, so that any number of instances (and agents in any
 * language) agree on them. Seed 000's names, behind an optional namespace
 * (CICD_COORDINATION_NAMESPACE) for several products or test suites on one Redis: pub/sub channels
 * are not scoped by database number.
 *   channels (pub/sub, observers): ci:events, ci:commands, ci:status
 *   command queues (streams, consumer group `coordinator`): ci:rerun, ci:label, ci:merge, ci:notify
 *   ci:events:log (stream of events for the coordinator), ci:audit (stream), ci:agents (hash),
 *   ci:cmd:<idempotency key> (hash), ci:watcher:* (the watcher's memory), ci:heard:* (the
 *   pub/sub bridge's memory), ci:smoke:<repo>:<sha> (the smoke run of a commit)
 */
export class CoordinationKeys {
  constructor(readonly namespace = '') {}

  channel(name: ChannelName): string {
    return `${this.namespace}${name}`
  }

  queue(type: CommandType): string {
    return `${this.namespace}ci:${type}`
  }

  get eventLog(): string {
    return `${this.namespace}ci:events:log`
  }

  get audit(): string {
    return `${this.namespace}ci:audit`
  }

  get agents(): string {
    return `${this.namespace}ci:agents`
  }

  command(idempotencyKey: string): string {
    return `${this.namespace}ci:cmd:${idempotencyKey}`
  }

  eventOnce(key: string): string {
    return `${this.namespace}ci:event-once:${key}`
  }

  /** A message heard on a channel (its id, or a hash of its text): taken into the queues once. */
  heard(key: string): string {
    return `${this.namespace}ci:heard:${key}`
  }

  /** The smoke run started for a repository's commit (its run id). */
  smokeRun(repo: string, sha: string): string {
    return `${this.namespace}ci:smoke:${repo}:${sha}`
  }

  get watcherTick(): string {
    return `${this.namespace}ci:watcher:tick`
  }

  watcherPull(repo: string, pr: number): string {
    return `${this.namespace}ci:watcher:pr:${repo}:${pr}`
  }

  watcherFlaky(repo: string): string {
    return `${this.namespace}ci:watcher:flaky:${repo}`
  }

  watcherSmoke(repo: string, pr: number, sha: string): string {
    return `${this.namespace}ci:watcher:smoke:${repo}:${pr}:${sha}`
  }
}

/** The namespace in use: CICD_COORDINATION_NAMESPACE (e.g. `staging:`), empty by default. */
export function keysFromEnv(env: NodeJS.ProcessEnv = process.env): CoordinationKeys {
  return new CoordinationKeys(env.CICD_COORDINATION_NAMESPACE ?? '')
}

/** The consumer group that executes commands (and reads the event log). */
export const COORDINATOR_GROUP = 'coordinator'

/** The consumer group of the event log that starts smoke runs (in the server, which can start runs). */
export const SMOKE_GROUP = 'smoke'
