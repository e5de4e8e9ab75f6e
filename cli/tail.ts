/** `cicd tail <channel…>`: prints the messages of seed 000's channels as they arrive; Ctrl-C stops. */
import { parseArgs } from 'node:util'
import { subscribe } from '../shared/coordination/channels'
import { keysFromEnv } from '../shared/coordination/keys'
import { CHANNELS, isChannel, type ChannelName } from '../shared/coordination/messages'
import { connectRedis } from './coordination-redis'

export const TAIL_HELP = `cicd tail <channel…|all> [--json]
        print messages on ${CHANNELS.join(', ')} as they arrive (one line each: channel, JSON); Ctrl-C stops
`

export async function tailCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } } })
  if (positionals.length === 0) {
    process.stderr.write(`cicd tail: name a channel\n\n${TAIL_HELP}`)
    return 2
  }
  const channels: ChannelName[] = []
  for (const p of positionals) {
    if (p === 'all') channels.push(...CHANNELS)
    else if (isChannel(p)) channels.push(p)
    else {
      process.stderr.write(`cicd tail: channel: "${p}" is not one of ${CHANNELS.join(', ')}, all\n`)
      return 2
    }
  }
  const redis = await connectRedis()
  const sub = await subscribe(redis, keysFromEnv(), [...new Set(channels)], (heard) => {
    // JSON text only: control characters in untrusted fields arrive escaped, never raw on the terminal
    process.stdout.write(values.json ? `${heard.json}\n` : `${heard.channel} ${heard.json}\n`)
    if (!heard.parsed.ok) process.stderr.write(`  (not a valid ${heard.channel} message: ${heard.parsed.reason})\n`)
  })
  process.stderr.write(`listening on ${[...new Set(channels)].join(', ')} (Ctrl-C to stop)\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await sub.close()
  redis.disconnect()
  return 0
}
