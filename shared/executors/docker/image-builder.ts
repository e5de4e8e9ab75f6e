/**
 * Builds images with the engine's build endpoint (classic builder): tars the context with
 * tar-fs honouring `.dockerignore`, streams the engine's JSON messages into a bounded, redacted
 * log, turns the engine's failure message into one actionable line, and enforces a timeout.
 */
import { statSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, posix, relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import type Docker from 'dockerode'
import { redact, TailBuffer } from '../../log/tail-buffer'
import type { Availability, ImageBuilder, ImageBuildResult, ImageBuildSpec } from '../types'
import { loadTarFs } from './base-image'
import { LayerCacheCounter } from './layer-cache'
import {
  type DockerStreamMessage,
  dockerAddress,
  dockerErrorMessage,
  dockerFromEnv,
  dockerStatusCode,
  isDocker,
  pingDocker,
  readJsonMessages,
  requireFromDockerode,
} from './client'

export interface DockerImageBuilderOptions {
  /** Default: `dockerFromEnv()`. */
  docker?: Docker
  /** Time limit of `available()`. Default 3000 ms. */
  pingTimeoutMs?: number
  /** Labels put on every image built. Default `{ 'cicd.managed': 'true' }` (merged with these). */
  labels?: Record<string, string>
}

interface DockerIgnore {
  add(patterns: string | string[]): DockerIgnore
  ignores(path: string): boolean
}

export class DockerImageBuilder implements ImageBuilder {
  readonly docker: Docker
  private readonly pingTimeoutMs: number
  private readonly labels: Record<string, string>

  /** `new DockerImageBuilder(docker)`, `new DockerImageBuilder(docker, opts)` or `new DockerImageBuilder(opts)`. */
  constructor(dockerOrOpts?: Docker | DockerImageBuilderOptions, options: DockerImageBuilderOptions = {}) {
    const opts: DockerImageBuilderOptions = isDocker(dockerOrOpts)
      ? { ...options, docker: dockerOrOpts }
      : { ...dockerOrOpts, ...options }
    this.docker = opts.docker ?? dockerFromEnv()
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 3000
    this.labels = { 'cicd.managed': 'true', ...opts.labels }
  }

  available(): Promise<Availability> {
    return pingDocker(this.docker, this.pingTimeoutMs)
  }

  async build(spec: ImageBuildSpec): Promise<ImageBuildResult> {
    const started = Date.now()
    const secrets = spec.secrets ?? []
    const tail = new TailBuffer(spec.maxLogBytes, secrets, spec.onLog)
    const log = (text: string): void => tail.push(text)
    const layers = new LayerCacheCounter(Object.keys(this.labels).length > 0)
    const result = (r: { ok: boolean; error?: string; imageId?: string; timedOut?: boolean }): ImageBuildResult => ({
      ok: r.ok,
      tag: spec.tag,
      ...(r.imageId ? { imageId: r.imageId } : {}),
      ...(layers.stats().steps ? { layerCache: layers.stats() } : {}),
      durationMs: Date.now() - started,
      timedOut: r.timedOut ?? false,
      log: tail.text(),
      truncated: tail.truncated,
      ...(r.error ? { error: redact(r.error, secrets) } : {}),
    })

    // --- validate the inputs before talking to the engine
    const contextDir = resolve(spec.contextDir)
    try {
      if (!(await stat(contextDir)).isDirectory()) return result({ ok: false, error: `build context ${contextDir} is not a directory` })
    } catch {
      return result({ ok: false, error: `build context ${contextDir} does not exist` })
    }
    const dockerfile = normalizeDockerfile(spec.dockerfile)
    if (!dockerfile) {
      return result({ ok: false, error: `Dockerfile path "${spec.dockerfile}" must be relative and inside the build context` })
    }
    try {
      if (!(await stat(resolve(contextDir, dockerfile))).isFile()) throw new Error('not a file')
    } catch {
      return result({ ok: false, error: `Dockerfile "${dockerfile}" not found in build context ${contextDir}` })
    }

    // --- the context tarball, honouring .dockerignore
    let context: Readable
    try {
      context = loadTarFs().pack(contextDir, { ignore: await ignoreFilter(contextDir, dockerfile) })
    } catch (err) {
      return result({ ok: false, error: `cannot read the build context: ${errText(err)}` })
    }

    // --- timeout (and a context that cannot be read: tar-fs reports it on the stream)
    const ctl = new AbortController()
    let timedOut = false
    let currentStep: string | undefined
    let contextError: unknown
    context.on('error', (err: unknown) => {
      contextError ??= err
      ctl.abort()
    })
    const timer = setTimeout(() => {
      timedOut = true
      ctl.abort()
    }, timerMs(spec.timeoutMs))
    const timeoutError = (): ImageBuildResult => {
      log(`\n[build timed out after ${spec.timeoutMs} ms; aborted]\n`)
      return result({
        ok: false,
        timedOut: true,
        error: `build timed out after ${fmtMs(spec.timeoutMs)}${currentStep ? ` during step "${currentStep}"` : ''}`,
      })
    }

    let engineError: string | undefined
    let auxId: string | undefined
    let partial = ''
    const noteStep = (line: string): void => {
      layers.line(line)
      const step = /^Step \d+\/\d+ : (.*)$/.exec(line.trim())
      if (step?.[1]) currentStep = step[1].trim()
    }
    const onMessage = (m: DockerStreamMessage): void => {
      if (typeof m.stream === 'string') {
        log(m.stream)
        partial += m.stream
        const lines = partial.split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) noteStep(line)
      }
      if (typeof m.status === 'string' && !m.progressDetail) {
        log(`${m.id ? `${m.id}: ` : ''}${m.status}\n`)
      }
      if (m.aux && typeof m.aux.ID === 'string') auxId = m.aux.ID
      const err = m.errorDetail?.message ?? m.error
      if (typeof err === 'string' && err) {
        engineError ??= err
        log(`ERROR: ${err}\n`)
      }
    }

    try {
      const buildargs = spec.buildArgs && Object.keys(spec.buildArgs).length ? spec.buildArgs : undefined
      let stream: NodeJS.ReadableStream
      try {
        stream = await this.docker.buildImage(context, {
          t: spec.tag,
          dockerfile,
          nocache: spec.noCache,
          rm: true,
          forcerm: true,
          pull: false,
          labels: this.labels,
          ...(buildargs ? { buildargs } : {}),
          abortSignal: ctl.signal,
          version: '1',
        })
      } catch (err) {
        context.destroy()
        if (timedOut) return timeoutError()
        if (contextError) return result({ ok: false, error: `cannot read the build context: ${errText(contextError)}` })
        const msg = dockerErrorMessage(err)
        const status = dockerStatusCode(err)
        log(`ERROR: ${msg}\n`)
        return result({
          ok: false,
          error:
            status === undefined
              ? `no Docker engine answers at ${dockerAddress(this.docker)}: ${msg}`
              : classifyBuildError(msg, undefined),
        })
      }
      if (ctl.signal.aborted) (stream as Readable).destroy?.()
      else ctl.signal.addEventListener('abort', () => (stream as Readable).destroy?.(), { once: true })
      try {
        await readJsonMessages(stream, onMessage)
      } catch (err) {
        if (timedOut) return timeoutError()
        if (contextError) return result({ ok: false, error: `cannot read the build context: ${errText(contextError)}` })
        engineError ??= `the build stream broke: ${errText(err)}`
      }
      if (partial) noteStep(partial)
      if (timedOut) return timeoutError()
      if (engineError) return result({ ok: false, error: classifyBuildError(engineError, currentStep) })

      let imageId: string | undefined
      try {
        imageId = (await this.docker.getImage(spec.tag).inspect()).Id
      } catch (err) {
        return result({
          ok: false,
          error: `the build ended without error but ${spec.tag} is not on the engine (${dockerErrorMessage(err)})`,
          ...(auxId ? { imageId: auxId } : {}),
        })
      }
      return result({ ok: true, imageId })
    } finally {
      clearTimeout(timer)
      context.destroy()
    }
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** setTimeout overflows above 2^31-1 ms (it would fire at once). */
function timerMs(ms: number): number {
  return Math.max(0, Math.min(ms, 2 ** 31 - 1))
}

function fmtMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

function oneLine(s: string, max = 160): string {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** `./docker/Dockerfile` → `docker/Dockerfile`; undefined if absolute or escaping the context. */
function normalizeDockerfile(p: string): string | undefined {
  const raw = (p || 'Dockerfile').split(sep).join('/')
  if (isAbsolute(raw) || posix.isAbsolute(raw)) return undefined
  const n = posix.normalize(raw)
  if (n === '..' || n.startsWith('../') || n === '.') return undefined
  return n
}

/** The base image named by a `FROM` step (`FROM --platform=x foo:1 AS b` → `foo:1`). */
function fromImage(step: string | undefined): string | undefined {
  if (!step || !/^FROM\s/i.test(step)) return undefined
  const words = step.split(/\s+/).slice(1).filter((w) => !w.startsWith('--'))
  return words[0]
}

/**
 * The engine's failure message (plus the step that was running) as one line a user can act on.
 * Exported for tests.
 */
export function classifyBuildError(message: string, step: string | undefined): string {
  const msg = oneLine(message)
  const stepText = step ? oneLine(step, 120) : undefined

  const base =
    fromImage(step) ?? /pull access denied for ([^\s,]+)/i.exec(msg)?.[1] ?? /No such image: ([^\s]+)/i.exec(msg)?.[1]
  const cannotPull =
    /registry-1\.docker\.io|dial tcp|no such host|i\/o timeout|TLS handshake|connection refused|pull access denied|manifest unknown|repository does not exist|not found: manifest|No such image/i
  if (base && cannotPull.test(msg)) {
    const why = /pull access denied|repository does not exist|manifest unknown|not found: manifest/i.test(msg)
      ? 'the registry does not have it, or needs a login'
      : 'Docker Hub unreachable?'
    return `base image "${base}" is not on this engine and cannot be pulled (${why})`
  }

  const exit = /returned a non-zero code: (\d+)/i.exec(msg)
  if (exit) return `step "${stepText ?? 'RUN'}" failed: exit code ${exit[1]}`

  const copy = /(?:COPY|ADD) failed: (?:file not found in build context or excluded by \.dockerignore: )?(?:stat |lstat )?([^:]+): (?:file does not exist|no such file or directory)/i.exec(
    msg,
  )
  if (copy?.[1]) {
    const src = copy[1].trim().replace(/^.*?docker-builder\d*\//, '')
    return `step "${stepText ?? 'COPY'}" failed: "${src}" is not in the build context (or is excluded by .dockerignore)`
  }

  if (/dockerfile parse error|unknown instruction|Dockerfile syntax/i.test(msg)) return `Dockerfile error: ${msg}`
  if (/Cannot locate specified Dockerfile/i.test(msg)) return `the engine did not find the Dockerfile in the context: ${msg}`

  return stepText ? `step "${stepText}" failed: ${msg}` : `build failed: ${msg}`
}

/**
 * tar-fs `ignore` callback implementing `.dockerignore`. The Dockerfile and `.dockerignore`
 * are always sent (as docker does); directories are not pruned when an exception (`!pattern`)
 * could re-include something below them, nor when they hold the Dockerfile.
 */
async function ignoreFilter(contextDir: string, dockerfile: string): Promise<((name: string) => boolean) | undefined> {
  let text: string
  try {
    text = await readFile(resolve(contextDir, '.dockerignore'), 'utf8')
  } catch {
    return undefined
  }
  const patterns = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
  if (!patterns.length) return undefined
  const factory = requireFromDockerode('@balena/dockerignore') as (o?: { ignorecase?: boolean }) => DockerIgnore
  const ig = factory({ ignorecase: false }).add(patterns)
  const hasExceptions = patterns.some((p) => p.startsWith('!'))
  return (name: string): boolean => {
    const rel = relative(contextDir, name).split(sep).join('/')
    if (!rel || rel.startsWith('..')) return false
    if (rel === dockerfile || rel === '.dockerignore' || dockerfile.startsWith(`${rel}/`)) return false
    if (!ig.ignores(rel)) return false
    if (hasExceptions) {
      try {
        if (statSync(name).isDirectory()) return false
      } catch {
        /* vanished: ignore it */
      }
    }
    return true
  }
}
