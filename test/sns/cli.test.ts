/** `cicd sns encode|decode|stats`: in-process with stdin as a stream, and as real processes. */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { snsCommand } from '../../cli/sns'

const ROOT = path.resolve(import.meta.dirname, '../..')

async function run(args: string[], stdin: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const code = await snsCommand(args, { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr })
  return { code, out, err }
}

const sample = {
  repo: 'billionmail',
  commit: 'abc123',
  branch: 'main',
  files: ['api.py', 'models.py'],
  lines: [45, -12],
  note: 'quotes " and | pipes, and\nnewlines',
  tests: [
    { file: 'test/unit/api.test.ts', category: 'unit' },
    { file: 'test/unit/models.test.ts', category: 'unit' },
  ],
}

describe('snsCommand (stdin as a stream)', () => {
  it('encodes JSON and decodes it back to the same value', async () => {
    const enc = await run(['encode'], JSON.stringify(sample))
    expect(enc.code, enc.err).toBe(0)
    expect(enc.out.startsWith('repo:billionmail|commit:abc123|branch:main|files:[api.py,models.py]|lines:[45,-12]|')).toBe(true)
    const dec = await run(['decode'], enc.out)
    expect(dec.code, dec.err).toBe(0)
    expect(JSON.parse(dec.out)).toEqual(sample)
    expect(dec.out).toBe(`${JSON.stringify(sample, null, 2)}\n`)
  })

  it('stats: four token counts and the change versus minified JSON', async () => {
    const json = await run(['stats', '--json'], JSON.stringify(sample))
    expect(json.code, json.err).toBe(0)
    const s = JSON.parse(json.out) as Record<string, number | string>
    expect(s.encoding).toBe('o200k_base')
    for (const k of ['prettyJson', 'minifiedJson', 'toon', 'sns']) expect(s[k]).toBeGreaterThan(0)
    expect(s.sns).toBeLessThan(s.minifiedJson as number)
    expect(s.snsVsMinified).toBeCloseTo((s.sns as number) / (s.minifiedJson as number) - 1, 3)
    const text = await run(['stats'], JSON.stringify(sample))
    expect(text.out).toMatch(/minified JSON\s+\d+\s+0\.0% vs minified JSON/)
    expect(text.out).toMatch(/sns\s+\d+\s+-\d+\.\d% vs minified JSON/)
  })

  it('--project reduces a webhook payload first', async () => {
    const payload = { ref: 'refs/heads/main', before: '0'.repeat(40), after: 'f'.repeat(40), repository: { full_name: 'o/r', node_id: 'x' }, pusher: { name: 'p' }, commits: [] }
    const r = await run(['encode', '--project', 'push'], JSON.stringify(payload))
    expect(r.out).toBe('repo:o/r|branch:main|before:null|after:fffffff|pusher:p|commits:0\n')
    const bad = await run(['encode', '--project', 'release'], '{}')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('unknown --project purpose "release"')
  })

  it('invalid JSON on stdin: exit 1 and a message naming the position', async () => {
    const r = await run(['encode'], '{\n  "a": tru\n}')
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.err).toBe('cicd sns encode: invalid JSON at position 9 (line 2, column 8): unexpected "t" (expected true) (stdin)\n')
    const s = await run(['stats'], '[1,2')
    expect(s.err).toContain('invalid JSON at position 4 (line 1, column 5)')
  })

  it('malformed notation: exit 1 and the position', async () => {
    const r = await run(['decode'], 'a:1|b:[1,2\n')
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^cicd sns decode: sns: expected "," or "\]" in an array but found end of input at position 10/)
  })

  it('usage', async () => {
    expect((await run([], '')).code).toBe(2)
    expect((await run(['help'], '')).out).toContain('cicd sns encode')
    const u = await run(['shrink'], '')
    expect(u.code).toBe(2)
    expect(u.err).toContain('unknown subcommand "shrink"')
    expect((await run(['decode', '--bogus'], '')).code).toBe(1)
  })
})

function child(args: string[], input: string) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('sns CLI as a real process', () => {
  it('encode | decode round trip through pipes', () => {
    const enc = child(['--import', 'tsx', 'test/sns/run-sns.ts', 'encode'], JSON.stringify(sample))
    expect(enc.code, enc.err).toBe(0)
    const dec = child(['--import', 'tsx', 'test/sns/run-sns.ts', 'decode'], enc.out)
    expect(dec.code, dec.err).toBe(0)
    expect(JSON.parse(dec.out)).toEqual(sample)
    const bad = child(['--import', 'tsx', 'test/sns/run-sns.ts', 'encode'], '{"a":}')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('invalid JSON at position 5')
  })

  // Runs once cli/main.ts dispatches `sns` to snsCommand.
  const dispatches = readFileSync(path.join(ROOT, 'cli/main.ts'), 'utf8').includes('snsCommand')
  it.runIf(dispatches)('cicd sns encode | cicd sns decode', () => {
    const enc = child(['bin/cicd.mjs', 'sns', 'encode'], JSON.stringify(sample))
    expect(enc.code, enc.err).toBe(0)
    const dec = child(['bin/cicd.mjs', 'sns', 'decode'], enc.out)
    expect(dec.code, dec.err).toBe(0)
    expect(JSON.parse(dec.out)).toEqual(sample)
  })
})
