/**
 * Runs a stage's command in a throw-away container: `sh -c <command>` in `spec.image`
 * (default ci/busybox:latest) with the run's workspace bind-mounted at /workspace, the
 * environment from the spec only, memory/CPU/pids limits, and `cicd.managed=true` labels.
 * Output is demultiplexed into a bounded, redacted tail; the container is always removed.
 */
import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { Writable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import type Docker from 'dockerode'
import { redact, TailBuffer } from '../../log/tail-buffer'
import type { Availability, CommandSpec, ExecResult, Executor } from '../types'
import { DEFAULT_BUSYBOX_TAG } from './base-image'
import { dockerAddress, dockerErrorMessage, dockerFromEnv, dockerStatusCode, isDocker, pingDocker } from './client'

export const WORKSPACE_MOUNT = '/workspace'
export const MANAGED_LABEL = 'cicd.managed'

/** Limits this backend will never exceed when asking the engine. */
export const MAX_PIDS_LIMIT = 32768
export const MAX_NOFILE = 20000

export interface DockerExecutorOptions {
  /** Default: `dockerFromEnv()`. */
  docker?: Docker
  /** Image used when the spec names none. Default `ci/busybox:latest`. */
  defaultImage?: string
  /** Memory limit in bytes (swap is not added on top). Default 1 GiB. */
  memoryBytes?: number
  /** CPU quota in units of 1e-9 CPUs. Default 1e9 (one CPU). */
  nanoCpus?: number
  /** Max processes in the container. Default 4096, at most 32768. */
  pidsLimit?: number
  /** Open-files limit (soft = hard). Default: the engine's; at most 20000. */
  nofile?: number
  /** Extra container labels (`cicd.managed=true` is always set). */
  labels?: Record<string, string>
  /** `user[:group]` to run as, e.g. `1000:1000` so workspace files keep the host owner. Default: the image's. */
  user?: string
  /** Docker network mode (`bridge`, `none`, a network name). Default: the engine's default. */
  networkMode?: string
  /** Time limit of `available()`. Default 3000 ms. */
  pingTimeoutMs?: number
}

export class DockerExecutor implements Executor {
  readonly name = 'docker' as const
  readonly docker: Docker
  readonly defaultImage: string
  private readonly memoryBytes: number
  private readonly nanoCpus: number
  private readonly pidsLimit: number
  private readonly nofile: number | undefined
  private readonly labels: Record<string, string>
  private readonly user: string | undefined
  private readonly networkMode: string | undefined
  private readonly pingTimeoutMs: number

  /** `new DockerExecutor(docker)`, `new DockerExecutor(docker, opts)` or `new DockerExecutor(opts)`. */
  constructor(dockerOrOpts?: Docker | DockerExecutorOptions, options: DockerExecutorOptions = {}) {
    const opts: DockerExecutorOptions = isDocker(dockerOrOpts) ? { ...options, docker: dockerOrOpts } : { ...dockerOrOpts, ...options }
    this.docker = opts.docker ?? dockerFromEnv()
    this.defaultImage = opts.defaultImage ?? DEFAULT_BUSYBOX_TAG
    this.memoryBytes = positiveInt('memoryBytes', opts.memoryBytes ?? 1024 ** 3, 6 * 1024 * 1024)
    this.nanoCpus = positiveInt('nanoCpus', opts.nanoCpus ?? 1e9, 1e7)
    this.pidsLimit = positiveInt('pidsLimit', opts.pidsLimit ?? 4096, 1, MAX_PIDS_LIMIT)
    this.nofile = opts.nofile === undefined ? undefined : positiveInt('nofile', opts.nofile, 16, MAX_NOFILE)
    this.labels = { ...opts.labels, [MANAGED_LABEL]: 'true' }
    this.user = opts.user
    this.networkMode = opts.networkMode
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 3000
  }

  available(): Promise<Availability> {
    return pingDocker(this.docker, this.pingTimeoutMs)
  }

  async run(spec: CommandSpec): Promise<ExecResult> {
    const started = Date.now()
    const secrets = spec.secrets ?? []
    const tail = new TailBuffer(spec.maxLogBytes, secrets, spec.onLog)
    const log = (text: string): void => tail.push(text)
    let timedOut = false
    let aborted = false
    const done = (exitCode: number | null, error?: string): ExecResult => ({
      exitCode: timedOut || aborted ? null : exitCode,
      timedOut,
      durationMs: Date.now() - started,
      log: tail.text(),
      truncated: tail.truncated,
      ...(error ? { error: redact(error, secrets) } : {}),
    })

    if (spec.signal?.aborted) {
      aborted = true
      return done(null, 'aborted before the container started')
    }
    if (!isAbsolute(spec.cwd)) return done(null, `workspace "${spec.cwd}" must be an absolute path`)
    try {
      if (!(await stat(spec.cwd)).isDirectory()) return done(null, `workspace ${spec.cwd} is not a directory`)
    } catch {
      return done(null, `workspace ${spec.cwd} does not exist`)
    }

    const image = spec.image ?? this.defaultImage
    try {
      await this.docker.getImage(image).inspect()
    } catch (err) {
      if (dockerStatusCode(err) === 404) {
        return done(
          null,
          `image "${image}" is not on this Docker engine (build or load it first; the docker executor does not pull images)`,
        )
      }
      return done(null, engineFailure(this.docker, 'cannot inspect image', err))
    }

    // Timeout and abort both end in a SIGKILL of the container (once it exists).
    let container: Docker.Container | undefined
    let killing: Promise<unknown> | undefined
    const stopped = new AbortController()
    const kill = (): void => {
      if (container && !killing) killing = container.kill({ signal: 'SIGKILL' }).catch(() => undefined)
    }
    const timer = setTimeout(() => {
      timedOut = true
      stopped.abort()
      kill()
    }, Math.max(0, Math.min(spec.timeoutMs, 2 ** 31 - 1))) // setTimeout overflows above 2^31-1
    const onAbort = (): void => {
      if (stopped.signal.aborted) return
      aborted = true
      stopped.abort()
      kill()
    }
    spec.signal?.addEventListener('abort', onAbort, { once: true })

    const stopNote = (): string =>
      timedOut ? `\n[timed out after ${spec.timeoutMs} ms; container killed]\n` : `\n[aborted; container killed]\n`

    try {
      try {
        container = await this.docker.createContainer({
          name: `cicd-run-${randomBytes(5).toString('hex')}`,
          Image: image,
          Entrypoint: ['sh', '-c'],
          Cmd: [spec.command],
          WorkingDir: WORKSPACE_MOUNT,
          Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
          Labels: this.labels,
          Tty: false,
          OpenStdin: false,
          AttachStdin: false,
          AttachStdout: true,
          AttachStderr: true,
          ...(this.user ? { User: this.user } : {}),
          HostConfig: {
            Mounts: [{ Type: 'bind', Source: spec.cwd, Target: WORKSPACE_MOUNT, ReadOnly: false }],
            Memory: this.memoryBytes,
            MemorySwap: this.memoryBytes,
            NanoCpus: this.nanoCpus,
            PidsLimit: this.pidsLimit,
            ...(this.nofile ? { Ulimits: [{ Name: 'nofile', Soft: this.nofile, Hard: this.nofile }] } : {}),
            ...(this.networkMode ? { NetworkMode: this.networkMode } : {}),
            AutoRemove: false,
          },
        })
      } catch (err) {
        return done(null, engineFailure(this.docker, 'cannot create the container', err))
      }
      if (stopped.signal.aborted) {
        log(stopNote())
        return done(null, aborted ? 'aborted before the container started' : undefined)
      }

      // Attach before start so no output is lost.
      let output: Promise<void>
      try {
        const stream = await container.attach({ stream: true, stdout: true, stderr: true, logs: false })
        const sink = (): Writable => {
          const decoder = new StringDecoder('utf8')
          return new Writable({
            write(chunk: Buffer, _enc, cb) {
              log(decoder.write(chunk))
              cb()
            },
            final(cb) {
              log(decoder.end())
              cb()
            },
          })
        }
        const out = sink()
        const err = sink()
        this.docker.modem.demuxStream(stream, out, err)
        output = new Promise<void>((resolve) => {
          const end = (): void => {
            out.end()
            err.end()
            resolve()
          }
          stream.once('end', end)
          stream.once('close', end)
          stream.once('error', end)
        })
      } catch (err) {
        return done(null, engineFailure(this.docker, 'cannot attach to the container', err))
      }

      try {
        await container.start()
      } catch (err) {
        return done(null, engineFailure(this.docker, 'cannot start the container', err))
      }
      if (stopped.signal.aborted) kill()

      // Wait for the exit. After a kill, give the engine a bounded grace to report it.
      let waited: { StatusCode?: number; Error?: { Message?: string } | null } | undefined
      let waitError: unknown
      const waitP = container.wait().then(
        (w: { StatusCode?: number; Error?: { Message?: string } | null }) => {
          waited = w
        },
        (e: unknown) => {
          waitError = e
        },
      )
      await Promise.race([
        waitP,
        new Promise<void>((resolve) => {
          const grace = (): void => void setTimeout(resolve, 10_000).unref()
          if (stopped.signal.aborted) grace()
          else stopped.signal.addEventListener('abort', grace, { once: true })
        }),
      ])
      // Drain what is left of the output (bounded: the stream ends when the container does).
      await Promise.race([output, sleep(2000)])
      if (stopped.signal.aborted) {
        log(stopNote())
        return done(null, aborted ? 'aborted: the container was killed' : undefined)
      }
      if (!waited) {
        return done(null, engineFailure(this.docker, 'lost track of the container', waitError ?? new Error('no exit status')))
      }
      const exitCode = typeof waited.StatusCode === 'number' ? waited.StatusCode : null
      let error = waited.Error?.Message ? `container error: ${waited.Error.Message}` : undefined
      try {
        const info = await container.inspect()
        if (info.State?.OOMKilled) {
          error = `killed by the kernel: out of memory (container limit ${fmtBytes(this.memoryBytes)})`
          log(`\n[${error}]\n`)
        }
      } catch {
        /* decoration only */
      }
      return done(exitCode, error)
    } finally {
      clearTimeout(timer)
      spec.signal?.removeEventListener('abort', onAbort)
      if (container) await removeContainer(container, killing)
    }
  }
}

async function removeContainer(container: Docker.Container, killing: Promise<unknown> | undefined): Promise<void> {
  if (killing) await killing
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await container.remove({ force: true, v: true })
      return
    } catch (err) {
      const code = dockerStatusCode(err)
      if (code === 404) return // already gone
      if (code === 409 && /already in progress/i.test(dockerErrorMessage(err))) {
        await sleep(200)
        continue
      }
      await sleep(200 * (attempt + 1))
    }
  }
}

function engineFailure(docker: Docker, what: string, err: unknown): string {
  if (dockerStatusCode(err) === undefined) {
    return `${what}: no Docker engine answers at ${dockerAddress(docker)}: ${dockerErrorMessage(err)}`
  }
  return `${what}: ${dockerErrorMessage(err)}`
}

function positiveInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isFinite(value) || Math.floor(value) !== value || value < min || value > max) {
    throw new RangeError(`DockerExecutor: ${name} must be an integer between ${min} and ${max} (got ${value})`)
  }
  return value
}

function fmtBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`
  if (n >= 1024 ** 2) return `${Math.round(n / 1024 ** 2)} MiB`
  return `${n} bytes`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
