/** `cicd publish`, `cicd tail` and `cicd watch` as a user runs them: real processes, real Redis, the fake GitHub. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeGitHub } from '../helpers/fake-github'
import { testRedisUrl } from '../helpers/services'
import { waitFor } from '../helpers/server'
import { testConfigText, testKeys } from './setup'

const ROOT = path.resolve(import.meta.dirname, '../..')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cicd-coord-cli-'))
const github = new FakeGitHub()
let env: Record<string, string>

beforeAll(async () => {
  await github.start()
  const config = path.join(tmp, 'cicd.yml')
  writeFileSync(config, testConfigText('  watcher: { interval: 1s, flaky_checks: [e2e] }'))
  env = { REDIS_URL: testRedisUrl(13), CICD_COORDINATION_NAMESPACE: testKeys('cli').namespace, CICD_CONFIG: config, GITHUB_API_URL: github.url, GITHUB_TOKEN: 'ghp_cli_test_token_never_printed' }
})
afterAll(async () => {
  await github.stop()
  rmSync(tmp, { recursive: true, force: true })
})

/** Runs `cicd` without blocking this process (the fake GitHub answers from it). */
function cicd(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/cicd.mjs'), ...args], { cwd: tmp, env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, out, err })
    })
  })
}

describe('cicd publish', () => {
  it('refuses an invalid message with a clear error naming the field, and an unknown channel or non-JSON', async () => {
    const bad = await cicd(['publish', 'ci:commands', '{"type":"label","repo":"acme/webapp","pr_number":"12","labels":["ready"]}'])
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('invalid message: pr_number: expected number, got the string "12"')
    const denied = await cicd(['publish', 'ci:commands', '{"type":"merge","repo":"acme/locked","pr_number":3}'])
    expect(denied.code).toBe(1)
    expect(denied.err).toContain('not allowed: type: merge is not allowed for locked')
    expect(await cicd(['publish', 'ci:nope', '{}'])).toMatchObject({ code: 2, err: expect.stringContaining('channel: "ci:nope" is not one of ci:events, ci:commands, ci:status') })
    expect(await cicd(['publish', 'ci:events', '{oops'])).toMatchObject({ code: 2, err: expect.stringContaining('the message is not JSON') })
  })

  it('says where Redis is when it does not answer (without a password)', async () => {
    const r = await cicd(['publish', 'ci:events', '{}'], { REDIS_URL: 'redis://user:hunter2@127.0.0.1:1' })
    expect(r.code).toBe(1)
    expect(r.err).toContain('cannot reach Redis at 127.0.0.1:1')
    expect(r.err).not.toContain('hunter2')
  })
})

describe('cicd tail', () => {
  it('prints messages as they arrive on the channels it listens to, and exits 0 on Ctrl-C', async () => {
    const tail: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/cicd.mjs'), 'tail', 'ci:commands', 'ci:status'], { cwd: tmp, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    tail.stdout?.on('data', (b: Buffer) => (out += b.toString()))
    tail.stderr?.on('data', (b: Buffer) => (err += b.toString()))
    const exited = new Promise<number | null>((r) => tail.once('exit', (code) => r(code)))
    await waitFor(async () => (err.includes('listening on ci:commands, ci:status') ? true : undefined), 30_000, 'cicd tail to listen')

    const ok = await cicd(['publish', 'ci:commands', '{"type":"label","repo":"webapp","pr_number":12,"labels":["ready"],"pr_title":"\\u001b[2Jgotcha"}'])
    expect(ok.code, ok.err).toBe(0)
    expect(ok.out).toMatch(/^queued label on t-cli-\S+:ci:label as \d+-\d+ \(idempotency key label:[0-9a-f-]+\)/)
    expect((await cicd(['publish', 'ci:commands', '{"type":"rerun","repo":"acme/webapp"}'])).code).toBe(1)
    await waitFor(async () => (out.includes('message_rejected') ? true : undefined), 10_000, 'the rejection on ci:status')
    tail.kill('SIGINT')
    expect(await exited).toBe(0)

    const lines = out.trim().split('\n')
    expect(lines[0]).toMatch(/^ci:commands \{.*"type":"label".*"labels":\["ready"\]/)
    expect(lines[1]).toMatch(/^ci:status \{.*"type":"message_rejected".*"field":"run_id"/)
    expect(out).not.toContain('\u001b') // untrusted text never reaches the terminal raw
    expect(out + err).not.toContain('ghp_cli_test_token_never_printed')
  })
})

describe('cicd watch', () => {
  it('--once polls the fake GitHub, prints the changes, and with --coordinator executes the queued commands', async () => {
    github.pulls.set(12, { repo: 'acme/webapp', ref: 'feature', sha: 'c'.repeat(40), title: 'Add login' })
    github.commits.set('c'.repeat(40), 'Add login')
    github.checkRuns.push({ id: 1, repo: 'acme/webapp', sha: 'c'.repeat(40), name: 'unit', status: 'completed', conclusion: 'failure', runId: 90 })
    const first = await cicd(['watch', '--once', '--coordinator'])
    expect(first.code, first.err).toBe(0)
    expect(first.err).toContain('watching acme/webapp, acme/locked')
    expect(first.out).toMatch(/\d\d:\d\d:\d\d pr_failure acme\/webapp#12\n/)
    expect(first.out).toContain('1 open PR(s) in 2 repo(s): 1 change(s), 0 rerun(s), 0 error(s)')
    expect(github.labels.get('acme/webapp#12')).toEqual(['ready']) // the label queued by the tail test
    const again = await cicd(['watch', '--once', '--json'])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.out.trim())).toMatchObject({ pulls: 1, published: [], errors: [] })
  })
})
