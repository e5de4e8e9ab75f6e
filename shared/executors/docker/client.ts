/**
 * Connecting to a Docker engine: `dockerFromEnv()` honours DOCKER_HOST the way the docker CLI
 * does (unix:// or tcp://, TLS via DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), and `pingDocker()` says
 * whether an engine answers, with a reason a user can act on, within a hard time limit.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import Docker from 'dockerode'
import type { Availability } from '../types'

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock'

/** Where a dockerode instance made by `dockerFromEnv` talks to, for messages. */
const addresses = new WeakMap<Docker, string>()

export interface DockerEndpoint {
  /** As a user would write it in DOCKER_HOST, e.g. `unix:///var/run/docker.sock`. */
  address: string
  options: Docker.DockerOptions
}

/** Parses DOCKER_HOST (and the TLS variables) into dockerode options. Throws on a malformed value. */
export function dockerEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const raw = env.DOCKER_HOST?.trim()
  if (!raw) {
    return {
      address: `unix://${DEFAULT_DOCKER_SOCKET}`,
      // host: undefined so docker-modem's own env defaults cannot override the socket.
      options: { socketPath: DEFAULT_DOCKER_SOCKET, host: undefined },
    }
  }
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length) || DEFAULT_DOCKER_SOCKET
    return { address: `unix://${socketPath}`, options: { socketPath, host: undefined } }
  }
  if (raw.startsWith('/')) {
    return { address: `unix://${raw}`, options: { socketPath: raw, host: undefined } }
  }
  const withScheme = raw.includes('://') ? raw : `tcp://${raw}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new Error(`DOCKER_HOST="${raw}" is not a valid address (expected unix:///path/docker.sock or tcp://host:port)`)
  }
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol)) {
    throw new Error(`DOCKER_HOST="${raw}": unsupported scheme ${url.protocol} (use unix:// or tcp://)`)
  }
  const tls = url.protocol === 'https:' || (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0')
  const port = url.port || (tls ? '2376' : '2375')
  const options: Docker.DockerOptions = {
    host: url.hostname,
    port,
    protocol: tls || port === '2376' ? 'https' : 'http',
    socketPath: undefined,
  }
  if (env.DOCKER_CERT_PATH && options.protocol === 'https') {
    options.ca = readFileSync(join(env.DOCKER_CERT_PATH, 'ca.pem'))
    options.cert = readFileSync(join(env.DOCKER_CERT_PATH, 'cert.pem'))
    options.key = readFileSync(join(env.DOCKER_CERT_PATH, 'key.pem'))
  }
  return { address: `tcp://${url.hostname}:${port}`, options }
}

/** A dockerode client for the engine named by DOCKER_HOST (default unix:///var/run/docker.sock). */
export function dockerFromEnv(env: NodeJS.ProcessEnv = process.env): Docker {
  const { address, options } = dockerEndpointFromEnv(env)
  const docker = new Docker(options)
  addresses.set(docker, address)
  return docker
}

/** True for a dockerode client (as opposed to an options object). */
export function isDocker(x: unknown): x is Docker {
  return x instanceof Docker || (typeof x === 'object' && x !== null && 'modem' in x && typeof (x as Docker).createContainer === 'function')
}

/** The engine address of a dockerode client, e.g. `unix:///var/run/docker.sock`. */
export function dockerAddress(docker: Docker): string {
  const known = addresses.get(docker)
  if (known) return known
  const modem = (docker as unknown as { modem?: { socketPath?: unknown; host?: string; port?: string | number; protocol?: string } }).modem
  if (modem?.host) return `tcp://${modem.host}${modem.port ? `:${modem.port}` : ''}`
  if (typeof modem?.socketPath === 'string') return `unix://${modem.socketPath}`
  return 'the default Docker socket'
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code
    const msg = err.message || String(err)
    return code && !msg.includes(code) ? `${code} ${msg}` : msg
  }
  return String(err)
}

/**
 * Asks the engine for `/_ping` (then its version, for the detail). Resolves within `timeoutMs`
 * whatever happens: never throws, never hangs.
 */
export async function pingDocker(docker: Docker, timeoutMs = 3000): Promise<Availability> {
  const address = dockerAddress(docker)
  const ctl = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort()
      reject(new Error(`no answer within ${timeoutMs} ms`))
    }, timeoutMs)
  })
  try {
    const check = (async (): Promise<Availability> => {
      // dockerode accepts an abortSignal here; its typings do not say so.
      const d = docker as unknown as {
        ping(o: { abortSignal: AbortSignal }): Promise<unknown>
        version(o: { abortSignal: AbortSignal }): Promise<Docker.DockerVersion>
      }
      await d.ping({ abortSignal: ctl.signal })
      let detail = `Docker engine at ${address}`
      try {
        const v = await d.version({ abortSignal: ctl.signal })
        detail = `Docker ${v.Version} (API ${v.ApiVersion}) at ${address}`
      } catch {
        /* ping answered; the version is only decoration */
      }
      return { ok: true, detail }
    })()
    check.catch(() => undefined) // the deadline may win; never leave a rejection unhandled
    return await Promise.race([check, deadline])
  } catch (err) {
    return { ok: false, reason: `no Docker engine answers at ${address}: ${dockerErrorMessage(err)}` }
  } finally {
    clearTimeout(timer)
    ctl.abort()
  }
}

/**
 * `require` anchored at dockerode's own folder, for its untyped dependencies (tar-fs,
 * @balena/dockerignore) so they resolve even when they are not hoisted.
 */
export const requireFromDockerode: NodeRequire = createRequire(createRequire(import.meta.url).resolve('dockerode'))

/** One JSON message of a build/import/pull progress stream. */
export interface DockerStreamMessage {
  stream?: string
  status?: string
  progress?: string
  id?: string
  error?: string
  errorDetail?: { code?: number; message?: string }
  aux?: { ID?: string } & Record<string, unknown>
  [key: string]: unknown
}

/**
 * Reads a newline-delimited JSON progress stream to its end, calling `onMessage` for each
 * message (lines that are not JSON are passed as `{ stream: line }`). Rejects if the stream errors.
 */
export function readJsonMessages(
  stream: NodeJS.ReadableStream,
  onMessage: (msg: DockerStreamMessage) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const decoder = new StringDecoder('utf8')
    let pending = ''
    let done = false
    const emitLine = (line: string): void => {
      const trimmed = line.trim()
      if (!trimmed) return
      let msg: DockerStreamMessage
      try {
        const parsed: unknown = JSON.parse(trimmed)
        msg = parsed && typeof parsed === 'object' ? (parsed as DockerStreamMessage) : { stream: `${trimmed}\n` }
      } catch {
        msg = { stream: `${line}\n` }
      }
      onMessage(msg)
    }
    const finish = (err?: unknown): void => {
      if (done) return
      done = true
      if (err) return reject(err instanceof Error ? err : new Error(String(err)))
      pending += decoder.end()
      if (pending) emitLine(pending)
      resolve()
    }
    stream.on('data', (chunk: Buffer | string) => {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk)
      let nl: number
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        emitLine(line)
      }
    })
    stream.on('end', () => finish())
    stream.on('close', () => finish())
    stream.on('error', (err: unknown) => finish(err ?? new Error('stream error')))
  })
}

/** HTTP status of a dockerode/docker-modem error, if it has one. */
export function dockerStatusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode
  return typeof code === 'number' ? code : undefined
}

/** The engine's own message in a dockerode error (`(HTTP code 404) no such image - …` → the JSON message). */
export function dockerErrorMessage(err: unknown): string {
  const json = (err as { json?: unknown } | null)?.json
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message
  }
  if (typeof json === 'string' && json.trim()) return json.trim()
  const text = errorText(err)
  // docker-modem: "(HTTP code 400) unexpected - <engine message> "
  const m = /^\(HTTP code (\d+)\) [^-]*- ?(.*)$/s.exec(text)
  if (m) return m[2]?.trim() || `HTTP ${m[1]} from the engine`
  return text
}
