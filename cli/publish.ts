/**
 * `cicd publish <channel> <json>`: validates and publishes one message on seed 000's channels.
 * A command is queued durably (ci:rerun, ci:label, ci:merge, ci:notify) for the coordinator.
 */
import { parseArgs } from 'node:util'
import { CHANNELS, isChannel } from '../shared/coordination/messages'
import { publisherFromEnv } from '../shared/coordination/wiring'
import { connectRedis } from './coordination-redis'

export const PUBLISH_HELP = `cicd publish <channel> <json> [--json]
        channel: ${CHANNELS.join(' | ')}; the message in seed 000's format, e.g.
        cicd publish ci:commands '{"type":"label","repo":"acme/webapp","pr_number":12,"labels":["ready"]}'
        (source defaults to "cli"; commands need the repo's coordination.commands allow-list)
`

export async function publishCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } } })
  const [channel, text] = positionals
  if (!channel || text === undefined) {
    process.stderr.write(`cicd publish: a channel and a JSON message are required\n\n${PUBLISH_HELP}`)
    return 2
  }
  if (!isChannel(channel)) {
    process.stderr.write(`cicd publish: channel: "${channel}" is not one of ${CHANNELS.join(', ')}\n`)
    return 2
  }
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch (err) {
    process.stderr.write(`cicd publish: the message is not JSON (${err instanceof Error ? err.message : String(err)})\n`)
    return 2
  }
  const withSource = typeof message === 'object' && message !== null && !Array.isArray(message) ? { source: 'cli', ...message } : message
  const redis = await connectRedis()
  try {
    const r = await publisherFromEnv('cli', { redis }).publish(channel, withSource)
    if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`)
    if (!r.ok) {
      process.stderr.write(`cicd publish: ${r.status === 403 ? 'not allowed' : 'invalid message'}: ${r.reason}\n`)
      return 1
    }
    if (values.json) return 0
    if (r.channel === 'ci:commands')
      process.stdout.write(r.duplicate ? `duplicate: ${r.idempotency_key} was already handled; not queued again\n` : `queued ${r.message.type} on ${r.queue} as ${r.id} (idempotency key ${r.idempotency_key})\n`)
    else if (r.channel === 'ci:events') process.stdout.write(r.duplicate ? 'duplicate: already published\n' : `published ${r.message.type} on ci:events (${r.receivers} listener(s))\n`)
    else process.stdout.write(`published ${r.message.type} on ci:status (${r.receivers} listener(s))\n`)
    return 0
  } finally {
    redis.disconnect()
  }
}
