import type { Redis } from 'ioredis'
import { COMMAND_TYPES } from './message-types'
import { COORDINATOR_GROUP, type CoordinationKeys } from './keys'
import { StreamGroup } from './stream-group'

/** The durable command queues of seed 000 (ci:rerun, ci:label, ci:merge, ci:notify), read by the coordinator. */
export function commandQueues(redis: Redis, keys: CoordinationKeys): StreamGroup {
  return new StreamGroup(redis, COMMAND_TYPES.map((t) => keys.queue(t)), COORDINATOR_GROUP, 100_000)
}

/** The events published on ci:events, kept (about 10 000) for the coordinator's rules. */
export function eventLog(redis: Redis, keys: CoordinationKeys, group = COORDINATOR_GROUP): StreamGroup {
  return new StreamGroup(redis, [keys.eventLog], group, 10_000)
}
