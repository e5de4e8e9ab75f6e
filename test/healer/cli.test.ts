/** `cicd healer ...` through `healerCommand` (the dispatch in cli/main.ts is wired by the repository owner). */
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { healerCommand } from '../../cli/healer'

const DEV = path.resolve(import.meta.dirname, '../fixtures/ci-failures')
const HOLDOUT = path.resolve(import.meta.dirname, '../fixtures/ci-failures-holdout')

let stdout = ''
let stderr = ''
beforeEach(() => {
  stdout = ''
  stderr = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  })
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe('cicd healer classify', () => {
  it('prints the decision as JSON with --json', async () => {
    const code = await healerCommand(['classify', path.join(DEV, 'logs/ci-0013.log'), '--workflow', 'Rust', '--step', 'Install protoc', '--json'])
    expect(code).toBe(0)
    const out = JSON.parse(stdout) as Record<string, unknown>
    expect(Object.keys(out).sort()).toEqual(['agent', 'category', 'confidence', 'evidence', 'failure_type'])
    expect(out).toMatchObject({ category: 'github', agent: 'atlas', failure_type: 'rate_limit' })
    expect(out.evidence).toEqual([expect.stringContaining('API rate limit exceeded')])
  })

  it('prints a readable summary without --json, using the named step and changed files', async () => {
    const code = await healerCommand([
      'classify',
      path.join(DEV, 'logs/ci-0025.log'),
      '--step',
      'Run cargo build --locked --all-targets',
      '--changed-files',
      'src/normalize.rs, Cargo.toml',
    ])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^rust → rex \(rust_build\), confidence 0\.\d\d\n/)
    expect(stdout).toContain('error[E0308]: mismatched types')
    expect(stdout).toContain('failing step: "Run cargo build --locked --all-targets" (matched the failed step name)')
  })

  it('names a missing log file and exits 1', async () => {
    const code = await healerCommand(['classify', 'no/such/job.log'])
    expect(code).toBe(1)
    expect(stderr).toContain('no/such/job.log')
    expect(stderr).toContain('no such file')
    expect(stdout).toBe('')
  })

  it('rejects usage errors with exit 2', async () => {
    expect(await healerCommand(['classify'])).toBe(2)
    expect(await healerCommand(['classify', 'x.log', '--bogus'])).toBe(2)
    expect(await healerCommand(['frobnicate'])).toBe(2)
    expect(stderr).toContain('unknown subcommand "frobnicate"')
  })
})

describe('cicd healer eval', () => {
  it('prints per-category accuracy, the confusion matrix and a last JSON line', async () => {
    const code = await healerCommand(['eval', DEV])
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    const last = JSON.parse(lines[lines.length - 1] ?? '') as { accuracy: number; n: number }
    expect(last.n).toBe(113)
    expect(last.accuracy).toBeGreaterThanOrEqual(0.95)
    for (const c of ['rust', 'frontend', 'infra', 'github', 'unknown', 'overall']) expect(stdout).toMatch(new RegExp(`^  ${c} +\\d+/\\d+ +\\d+\\.\\d%$`, 'm'))
    expect(stdout).toMatch(/confusion \(rows: expected, columns: predicted\):\n +rust +frontend +infra +github +unknown\n/)
    expect(stdout).toMatch(/^ {2}rust +\d+ +\d+ +\d+ +\d+ +\d+$/m)
  })

  it('works on the hold-out corpus too', async () => {
    expect(await healerCommand(['eval', HOLDOUT])).toBe(0)
    const last = JSON.parse(stdout.trimEnd().split('\n').pop() ?? '') as { accuracy: number; n: number }
    expect(last.accuracy).toBeGreaterThanOrEqual(0.9)
  })

  it('explains a directory without a manifest', async () => {
    expect(await healerCommand(['eval', path.join(DEV, 'logs')])).toBe(1)
    expect(stderr).toContain('no manifest.json in')
  })
})
