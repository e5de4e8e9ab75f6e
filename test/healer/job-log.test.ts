/**
 * The failed job's log download: streamed from the fake GitHub's redirect target (real HTTP on loopback; api.github.com
 * cannot be reached here) and kept to its tail within the bound while it arrives.
 */
import { Octokit } from '@octokit/rest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobLog, jobLogTail, tailOfStream } from '../../shared/github/actions-client'
import { FakeGitHub } from '../helpers/fake-github'

const gh = new FakeGitHub()
let client: Octokit

const BOUND = 256 * 1024
/** A log many times the bound: numbered lines, multi-byte characters, the failure at the very end. */
const lines = Array.from({ length: 60_000 }, (_, i) => `2026-01-05T10:00:00.0000000Z line ${i} ✓ compiling crate${i} (ünïcode)`)
const big = `${lines.join('\n')}\n2026-01-05T10:00:01.0000000Z error[E0425]: cannot find value \`x\` in this scope\n`

beforeAll(async () => {
  await gh.start()
  gh.runs.set(1, [
    { id: 11, name: 'build', workflowName: 'CI', conclusion: 'failure', steps: [], log: big },
    { id: 12, name: 'small', workflowName: 'CI', conclusion: 'failure', steps: [], log: 'one\ntwo\n' },
    { id: 13, name: 'gone', workflowName: 'CI', conclusion: 'failure', steps: [], log: 'x', logGone: true },
  ])
  client = new Octokit({ baseUrl: gh.url, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } })
})
afterAll(async () => {
  await gh.stop()
})

describe('job log download (fake GitHub server)', () => {
  it('streams a log far bigger than the bound and keeps only its tail, from a line start', async () => {
    const total = Buffer.byteLength(big)
    expect(total).toBeGreaterThan(10 * BOUND)
    const t = await jobLogTail(client, 'acme', 'app', 11, BOUND)
    expect(gh.calls).toContain('GET /repos/acme/app/actions/jobs/11/logs')
    const bytes = Buffer.byteLength(t.text)
    expect(bytes).toBeLessThanOrEqual(BOUND)
    expect(bytes).toBeGreaterThan(BOUND - 200) // only the partial first line was dropped
    expect(t.droppedBytes + bytes).toBe(total)
    expect(big.endsWith(t.text)).toBe(true)
    expect(t.text.startsWith('2026-01-05T10:00:00.0000000Z line ')).toBe(true)
    expect(t.text).toContain('error[E0425]')
    // never more than the bound plus two network chunks in memory, whatever the log's size
    expect(t.peakBytes).toBeLessThanOrEqual(BOUND + 2 * 65_536)
    expect(t.peakBytes).toBeLessThan(total / 4)
  })

  it('returns a log within the bound whole', async () => {
    expect(await jobLog(client, 'acme', 'app', 12, BOUND)).toBe('one\ntwo\n')
  })

  it('still fails with the status when the log has expired', async () => {
    await expect(jobLog(client, 'acme', 'app', 13, BOUND)).rejects.toMatchObject({ status: 410 })
  })
})

describe('tailOfStream', () => {
  async function* chunksOf(s: string, size: number): AsyncGenerator<Uint8Array> {
    const b = Buffer.from(s)
    for (let i = 0; i < b.length; i += size) yield new Uint8Array(b.subarray(i, i + size))
  }

  it('keeps the tail at a line boundary across chunk sizes, including chunks bigger than the bound', async () => {
    const text = Array.from({ length: 500 }, (_, i) => `row ${i} é`).join('\n')
    for (const size of [1, 7, 64, 1000, 10_000]) {
      const t = await tailOfStream(chunksOf(text, size), 100)
      expect(text.endsWith(t.text), `chunk ${size}`).toBe(true)
      expect(Buffer.byteLength(t.text)).toBeLessThanOrEqual(100)
      expect(t.text.startsWith('row '), `chunk ${size}: ${t.text.slice(0, 20)}`).toBe(true)
      expect(t.droppedBytes + Buffer.byteLength(t.text)).toBe(Buffer.byteLength(text))
    }
  })

  it('cuts one over-long line at a character boundary', async () => {
    const text = 'é'.repeat(1000)
    const t = await tailOfStream(chunksOf(text, 333), 101)
    expect(text.endsWith(t.text)).toBe(true)
    expect(t.text).toMatch(/^é+$/)
    expect(Buffer.byteLength(t.text)).toBe(100)
  })
})
