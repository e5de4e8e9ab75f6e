import { execFile } from 'node:child_process'
import { constants as fsConstants } from 'node:fs'
import { access, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import { delimiter, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { renderHaproxyConfig, runtimeCommands } from './haproxy-config'
import { haproxyCommand, parseShowStat, type ServerStat } from './haproxy-socket'
import type { EdgeRoute } from './route'

const execFileP = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Where haproxy is: $HAPROXY_BIN, PATH, then the sbin directories Debian uses. */
export async function findHaproxy(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const candidates = [env.HAPROXY_BIN, ...(env.PATH ?? '').split(delimiter).map((d) => d && join(d, 'haproxy')), '/usr/sbin/haproxy', '/usr/local/sbin/haproxy']
  for (const c of candidates) {
    if (!c) continue
    try {
      await access(c, fsConstants.X_OK)
      return c
    } catch {
      /* next */
    }
  }
  throw new Error('haproxy is not installed: deploys need it for the stable entrypoints (apt-get install haproxy, or set HAPROXY_BIN)')
}

/**
 * The edge proxy: one haproxy process (a daemon; it outlives the server's processes, like the
 * containers) with a frontend per environment. Weights and server addresses change through its
 * runtime API without a reload; a new or moved entrypoint reloads it seamlessly (-x: listening
 * sockets are handed over). Its configuration is always written from the routes, so a restart
 * or a reload brings back what the stored environments say.
 */
export class HaproxyEdge {
  readonly dir: string
  readonly socketPath: string
  private readonly cfgPath: string
  private readonly pidPath: string
  private readonly frontendsPath: string

  constructor(dir: string) {
    this.dir = resolve(dir)
    this.socketPath = join(this.dir, 'admin.sock')
    this.cfgPath = join(this.dir, 'haproxy.cfg')
    this.pidPath = join(this.dir, 'haproxy.pid')
    this.frontendsPath = join(this.dir, 'frontends.json')
  }

  /** Makes haproxy serve `routes` (all of them); `changed` names the routes to update live. */
  async apply(routes: EdgeRoute[], changed: string[]): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    await this.withLock(async () => {
      const cfg = renderHaproxyConfig(this.socketPath, routes)
      await writeFile(`${this.cfgPath}.tmp`, cfg)
      await rename(`${this.cfgPath}.tmp`, this.cfgPath)
      const frontends = JSON.stringify(Object.fromEntries([...routes].sort((a, b) => a.name.localeCompare(b.name)).map((r) => [r.name, `${r.bind}:${r.port}:${r.healthPath}`])))
      const previous = await readFile(this.frontendsPath, 'utf8').catch(() => '')
      const pid = await this.runningPid()
      if (pid === null) await this.start([])
      else if (previous !== frontends) await this.start(['-x', this.socketPath, '-sf', String(pid)])
      else {
        for (const r of routes.filter((x) => changed.includes(x.name))) {
          const answer = await haproxyCommand(this.socketPath, runtimeCommands(r))
          const errors = answer.split('\n').filter((l) => /no such|unknown|invalid|require|not found/i.test(l))
          if (errors.length) throw new Error(`haproxy refused an update of ${r.name}: ${errors.join('; ')}`)
        }
      }
      await writeFile(this.frontendsPath, frontends)
    })
  }

  private async start(extra: string[]): Promise<void> {
    const bin = await findHaproxy()
    try {
      await execFileP(bin, ['-D', '-f', this.cfgPath, '-p', this.pidPath, ...extra], { timeout: 15_000 })
    } catch (err) {
      const e = err as { stderr?: string; message: string }
      const detail = (e.stderr ?? e.message).split('\n').filter((l) => /ALERT|error|cannot|Starting/i.test(l)).join(' ').slice(0, 600)
      throw new Error(`haproxy did not start with ${this.cfgPath}: ${detail || e.message}`)
    }
    for (let i = 0; i < 50; i++) {
      if (await this.answers()) return
      await sleep(100)
    }
    throw new Error(`haproxy started but its runtime API (${this.socketPath}) does not answer`)
  }

  private async answers(): Promise<boolean> {
    try {
      return (await haproxyCommand(this.socketPath, ['show info'], 1000)).includes('Pid:')
    } catch {
      return false
    }
  }

  /** The daemon's pid when it runs and answers, else null. */
  async runningPid(): Promise<number | null> {
    const raw = await readFile(this.pidPath, 'utf8').catch(() => '')
    const pid = Number(raw.trim().split('\n').pop())
    if (!Number.isInteger(pid) || pid <= 0) return null
    try {
      process.kill(pid, 0)
    } catch {
      return null
    }
    return (await this.answers()) ? pid : null
  }

  async stats(): Promise<ServerStat[]> {
    return parseShowStat(await haproxyCommand(this.socketPath, ['show stat']))
  }

  /** Waits until haproxy's health checks see each slot UP. */
  async waitUp(route: string, slots: number[], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const stats = (await this.stats()).filter((s) => s.backend === `be_${route}`)
      const down = slots.filter((slot) => !stats.find((s) => s.server === `s${slot}`)?.status.startsWith('UP'))
      if (!down.length) return
      if (Date.now() > deadline) throw new Error(`the proxy's health checks do not see ${down.map((s) => `s${s}`).join(', ')} of ${route} up after ${timeoutMs} ms`)
      await sleep(100)
    }
  }

  /** Stops the daemon (tests, `cicd edge stop`). */
  async stop(): Promise<void> {
    const pid = await this.runningPid()
    if (pid !== null) {
      process.kill(pid, 'SIGTERM')
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0)
        } catch {
          break
        }
        await sleep(100)
      }
    }
    await rm(this.frontendsPath, { force: true })
  }

  /** A lock directory: one writer of the config at a time across processes (stale after 60 s). */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = join(this.dir, 'lock')
    const deadline = Date.now() + 30_000
    for (;;) {
      try {
        await mkdir(lock)
        break
      } catch {
        const age = await stat(lock).then((s) => Date.now() - s.mtimeMs).catch(() => 0)
        if (age > 60_000) await rmdir(lock).catch(() => undefined)
        if (Date.now() > deadline) throw new Error(`the edge proxy's config is locked (${lock}); remove it if no cicd process is deploying`)
        await sleep(50)
      }
    }
    try {
      return await fn()
    } finally {
      await rmdir(lock).catch(() => undefined)
    }
  }
}
