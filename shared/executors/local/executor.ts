import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { TailBuffer } from '../../log/tail-buffer'
import type { Availability, CommandSpec, ExecResult, Executor } from '../types'

/** The only variables a command inherits from the server; everything else is given explicitly. */
const PASSED_THROUGH = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'NODE_OPTIONS_CI'] as const

export function scrubbedEnv(extra: Record<string, string> = {}, cwd?: string): Record<string, string> {
  const env: Record<string, string> = { CI: 'true', HOME: cwd ?? '/tmp' }
  for (const k of PASSED_THROUGH) {
    const v = process.env[k]
    if (v !== undefined) env[k] = v
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin'
  return { ...env, ...extra }
}

/** Runs commands as child processes of the server in the run's workspace. */
export class LocalExecutor implements Executor {
  readonly name = 'local' as const

  async available(): Promise<Availability> {
    return existsSync('/bin/sh') ? { ok: true, detail: 'child processes via /bin/sh' } : { ok: false, reason: '/bin/sh not found' }
  }

  run(spec: CommandSpec): Promise<ExecResult> {
    const started = Date.now()
    const log = new TailBuffer(spec.maxLogBytes, spec.secrets, spec.onLog)
    return new Promise((resolve) => {
      let timedOut = false
      let settled = false
      const child = spawn('/bin/sh', ['-c', spec.command], {
        cwd: spec.cwd,
        env: scrubbedEnv(spec.env, spec.cwd),
        detached: true, // own process group, so a timeout kills the whole tree
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const decoder = new TextDecoder() // keeps a multi-byte character split across chunks whole
      const onData = (buf: Buffer) => log.push(decoder.decode(buf, { stream: true }))
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      const killTree = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL')
        } catch {
          /* already gone */
        }
      }
      const timer = setTimeout(() => {
        timedOut = true
        log.push(`\n[cicd] timed out after ${Math.round(spec.timeoutMs / 1000)} s; killed\n`)
        killTree()
      }, spec.timeoutMs)
      const onAbort = () => {
        log.push('\n[cicd] cancelled\n')
        killTree()
      }
      spec.signal?.addEventListener('abort', onAbort, { once: true })
      const finish = (exitCode: number | null, error?: string) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        spec.signal?.removeEventListener('abort', onAbort)
        resolve({
          exitCode: timedOut ? null : exitCode,
          timedOut,
          durationMs: Date.now() - started,
          log: log.text(),
          truncated: log.truncated,
          ...(error ? { error } : {}),
        })
      }
      child.on('error', (err) => finish(null, `could not start the command: ${err.message}`))
      child.on('close', (code, signal) => finish(code ?? null, code === null && !timedOut && signal ? `killed by ${signal}` : undefined))
    })
  }
}
