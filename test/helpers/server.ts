import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../..')

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)))
  })
}

/** A free port whose Workbench HMR port (21678 + port, Motia's rule) is free and valid too. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 20_000)
    if ((await portFree(p)) && (await portFree(p + 21_678))) return p
  }
  throw new Error('no free port pair found')
}

export interface RunningServer {
  url: string
  port: number
  logs: () => string
  stop: () => Promise<void>
  /** The process id of scripts/start.mjs (the leader of the server's process group). */
  pid: number
  /** Signals the whole process group at once (start.mjs, Motia and its step processes): `SIGKILL` is a crash. */
  kill: (signal: NodeJS.Signals) => void
  /** Resolves when start.mjs has exited. */
  exited: () => Promise<void>
}

/** Starts the product the way `npm start` does (scripts/start.mjs), on a free port; waits until it answers. */
export async function startServer(env: Record<string, string>, port?: number): Promise<RunningServer> {
  const p = port ?? (await freePort())
  let out = ''
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'scripts/start.mjs')], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(p), HOST: '127.0.0.1', MOTIA_ANALYTICS_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()))
  const url = `http://127.0.0.1:${p}`
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`)
    try {
      // readiness through Motia's own state, not /health: /health would warm the ingress's Redis
      // client, and the first webhook after a start must work without that
      const res = await fetch(`${url}/api/cicd/runs?limit=1`, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) break
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not answer within 90 s:\n${out}`)
    await new Promise((r) => setTimeout(r, 300))
  }
  return {
    url,
    port: p,
    logs: () => out,
    pid: child.pid as number,
    kill: (signal) => {
      try {
        process.kill(-(child.pid as number), signal)
      } catch {
        /* gone */
      }
    },
    exited: () => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()))),
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      try {
        process.kill(-(child.pid as number), 'SIGTERM')
      } catch {
        /* gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
      try {
        process.kill(-(child.pid as number), 'SIGKILL')
      } catch {
        /* gone */
      }
    },
  }
}

/** Polls `fn` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}
