/**
 * `cicd sns encode|decode|stats`: the sns-core notation from the command line.
 * JSON or notation comes in on stdin; results go to stdout, errors to stderr (exit 1).
 */
import type { Readable, Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { decode } from '../shared/sns/decode'
import { encode } from '../shared/sns/encode'
import { parseJson } from '../shared/sns/json-text'
import type { JsonValue } from '../shared/sns/json'
import { project, PURPOSES, type Purpose } from '../shared/sns/project'

export const SNS_HELP = `cicd sns: the compact sns-core notation for agent context

  cicd sns encode [--project <purpose>]   JSON on stdin → notation on stdout
  cicd sns decode                         notation on stdin → pretty JSON on stdout
  cicd sns stats [--project <purpose>] [--json]
        JSON on stdin → o200k_base token counts: pretty JSON, minified JSON, TOON, sns,
        and sns's change versus minified JSON

  --project <purpose>   first reduce a GitHub webhook payload to what an agent needs
                        (${PURPOSES.join(', ')})
`

export interface SnsIo {
  stdin: Readable
  stdout: Writable
  stderr: Writable
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '')
}

function readJsonInput(text: string, purpose: string | undefined): JsonValue {
  let value: JsonValue
  try {
    value = parseJson(text)
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (stdin)`)
  }
  if (purpose === undefined) return value
  if (!(PURPOSES as readonly string[]).includes(purpose)) throw new Error(`unknown --project purpose "${purpose}" (expected one of ${PURPOSES.join(', ')})`)
  return project(value, purpose as Purpose)
}

const pct = (x: number) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`

export async function snsCommand(argv: string[], io: SnsIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [sub, ...rest] = argv
  const out = (s: string) => io.stdout.write(s)
  try {
    if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
      out(SNS_HELP)
      return sub === undefined ? 2 : 0
    }
    const { values } = parseArgs({
      args: rest,
      options: { project: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
    })
    switch (sub) {
      case 'encode': {
        const value = readJsonInput(await readAll(io.stdin), values.project)
        out(`${encode(value)}\n`)
        return 0
      }
      case 'decode': {
        if (values.project !== undefined) throw new Error('--project applies to encode and stats, not decode')
        // A trailing newline (as `encode` prints) is not part of the notation: no encoding ends in one.
        const text = (await readAll(io.stdin)).replace(/\r?\n$/, '')
        out(`${JSON.stringify(decode(text), null, 2)}\n`)
        return 0
      }
      case 'stats': {
        const value = readJsonInput(await readAll(io.stdin), values.project)
        const { tokenCounts } = await import('../shared/sns/tokens')
        const counts = tokenCounts(value)
        const vsMinified = counts.sns / counts.minifiedJson - 1
        if (values.json) {
          out(`${JSON.stringify({ encoding: 'o200k_base', ...counts, snsVsMinified: Math.round(vsMinified * 10000) / 10000 })}\n`)
          return 0
        }
        const rows: Array<[string, number]> = [
          ['pretty JSON', counts.prettyJson],
          ['minified JSON', counts.minifiedJson],
          ['TOON', counts.toon],
          ['sns', counts.sns],
        ]
        out('tokens (o200k_base)\n')
        for (const [name, n] of rows) out(`  ${name.padEnd(14)}${String(n).padStart(8)}  ${pct(n / counts.minifiedJson - 1).padStart(7)} vs minified JSON\n`)
        return 0
      }
      default:
        io.stderr.write(`cicd sns: unknown subcommand "${sub}"\n\n${SNS_HELP}`)
        return 2
    }
  } catch (err) {
    io.stderr.write(`cicd sns ${sub}: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}
