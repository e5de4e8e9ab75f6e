import { describe, expect, it } from 'vitest'
import { cleanLog, failingStepText, stripAnsi, stripTimestamp, tailBytes } from '../../agents/healer/log'

const ts = (i: number) => `2025-02-18T05:00:${String(i % 60).padStart(2, '0')}.1547601Z `
const stamp = (lines: string[]) => lines.map((l, i) => ts(i) + l).join('\n')

const JOB = stamp([
  "Current runner version: '2.322.0'",
  '##[group]Operating System',
  'Ubuntu',
  '##[endgroup]',
  '##[group]Run actions/checkout@v4',
  'with:',
  '  fetch-depth: 1',
  '##[endgroup]',
  '[command]/usr/bin/git version',
  'git version 2.48.1',
  '##[group]Run npm ci',
  'npm ci',
  'shell: /usr/bin/bash -e {0}',
  '##[endgroup]',
  'added 10 packages in 2s',
  '##[group]Run npm test',
  'npm test',
  'shell: /usr/bin/bash -e {0}',
  '##[endgroup]',
  '\u001b[31mFAIL\u001b[39m src/a.test.ts',
  '##[error]Process completed with exit code 1.',
  'Post job cleanup.',
  '[command]/usr/bin/git config --local --unset-all http.https://github.com/.extraheader',
  'Cleaning up orphan processes',
])

describe('stripAnsi / stripTimestamp', () => {
  it('removes colour, cursor and OSC hyperlink escapes', () => {
    expect(stripAnsi('\u001b[1m\u001b[38;5;9merror[E0308]\u001b[0m: mismatched')).toBe('error[E0308]: mismatched')
    expect(stripAnsi('\u001b[2K\u001b[1Gdone')).toBe('done')
    expect(stripAnsi('\u001b]8;;https://x.dev\u0007link\u001b]8;;\u0007')).toBe('link')
  })

  it('removes SGR sequences whose ESC byte was lost, but only on coloured lines', () => {
    expect(stripAnsi('[1m[92m   Compiling[0m serde v1.0.0')).toBe('   Compiling serde v1.0.0')
    expect(stripAnsi('aws_db_instance.main: Still modifying... [2m0s elapsed]')).toBe('aws_db_instance.main: Still modifying... [2m0s elapsed]')
  })

  it('removes the leading GitHub timestamp only', () => {
    expect(stripTimestamp('2025-02-18T05:00:41.3749827Z ##[error]boom')).toBe('##[error]boom')
    expect(stripTimestamp('\uFEFF2025-02-18T05:00:41Z hello')).toBe('hello')
    expect(stripTimestamp('at 2025-02-18T05:00:41.3749827Z later')).toBe('at 2025-02-18T05:00:41.3749827Z later')
  })
})

describe('cleanLog', () => {
  it('turns markers into line kinds and drops post-job cleanup', () => {
    const log = cleanLog(JOB)
    expect(log.lines.some((l) => /\d{4}-\d\d-\d\dT/.test(l.text))).toBe(false)
    expect(log.lines.find((l) => l.text === 'Process completed with exit code 1.')?.kind).toBe('error')
    expect(log.lines.find((l) => l.text.startsWith('/usr/bin/git version'))?.kind).toBe('command')
    expect(log.lines.some((l) => l.text.startsWith('Post job cleanup'))).toBe(false)
    expect(log.lines.some((l) => l.text.includes('orphan'))).toBe(false)
    expect(log.cleanupDropped).toBe(3)
  })

  it('cuts to the step holding the first ##[error], without its header group', () => {
    const log = cleanLog(JOB)
    expect(log.failing.title).toBe('Run npm test')
    expect(log.failing.how).toBe('first-error')
    const text = failingStepText(log)
    expect(text).toBe('FAIL src/a.test.ts\nerror: Process completed with exit code 1.')
    expect(log.steps.map((s) => s.title)).toEqual(['Set up job', 'Run actions/checkout@v4', 'Run npm ci', 'Run npm test'])
  })

  it('uses the failed step name when a step header matches it', () => {
    const log = cleanLog(JOB, { step: 'Run npm test' })
    expect(log.failing.how).toBe('step-name')
    expect(log.failing.title).toBe('Run npm test')
    // a display name that is not in the log falls back to the first error
    expect(cleanLog(JOB, { step: 'Unit tests' }).failing.how).toBe('first-error')
  })

  it('takes the last step when the log has no ##[error] (truncated log)', () => {
    const log = cleanLog(stamp(['##[group]Run a', 'a', '##[endgroup]', 'ok', '##[group]Run cargo build', 'cargo build', '##[endgroup]', '   Compiling x v1.0.0']))
    expect(log.failing.title).toBe('Run cargo build')
    expect(log.failing.how).toBe('last-step')
    expect(failingStepText(log)).toBe('   Compiling x v1.0.0')
  })

  it('handles logs without any marker, CRLF line ends, progress carriage returns and ::error:: commands', () => {
    const log = cleanLog('line one\r\nprogress 10%\rprogress 100%\r\n::error file=a.ts,line=3::Type error here\r\n')
    expect(log.failing.how).toBe('first-error')
    expect(log.lines.map((l) => l.text)).toEqual(['line one', 'progress 100%', 'Type error here'])
    expect(log.lines[2]?.kind).toBe('error')
  })

  it('keeps error annotations reported after the cleanup marker', () => {
    const log = cleanLog(stamp(['##[group]Run x', '##[endgroup]', '##[error]first', 'Post job cleanup.', 'noise', '##[error]The operation was canceled.']))
    expect(log.lines.map((l) => l.text)).toEqual(['Run x', '', 'first', 'The operation was canceled.'])
  })

  it('keeps at most maxBytes, from the tail, starting on a line boundary', () => {
    const big = `${'x'.repeat(100)}\n`.repeat(50_000) + 'error[E0308]: mismatched types\n'
    const { text, dropped } = tailBytes(big, 10_000)
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(10_000)
    expect(dropped).toBeGreaterThan(0)
    expect(text.startsWith('x')).toBe(true)
    expect(text.endsWith('error[E0308]: mismatched types\n')).toBe(true)
    const log = cleanLog(big, { maxBytes: 10_000 })
    expect(log.truncatedBytes).toBe(dropped)
    expect(log.lines[log.lines.length - 1]?.text).toBe('error[E0308]: mismatched types')
  })

  it('does not split a multi-byte character at the cut', () => {
    const { text } = tailBytes(`${'é'.repeat(10)}\n${'€'.repeat(1000)}\nend`, 1000)
    expect(text).toBe('end')
    const one = tailBytes('€'.repeat(1000), 1000).text
    expect(one).not.toContain('\uFFFD')
    expect(one).toBe('€'.repeat(333))
  })
})
