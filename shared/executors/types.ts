/**
 * The whole contract of an execution backend (after Woodpecker CI's pipeline/backend):
 * is it available, run a command in the run's workspace, build an image. Backends live side
 * by side in their own folders and never import each other.
 */
export type ExecutorName = 'local' | 'docker'

export type Availability = { ok: true; detail?: string } | { ok: false; reason: string }

export interface CommandSpec {
  /** A shell command line, run with `sh -c`. */
  command: string
  /** The run's workspace (absolute path). */
  cwd: string
  /** Extra environment; the backend starts from a scrubbed environment, never the server's. */
  env?: Record<string, string>
  timeoutMs: number
  /** Bytes of output kept (the tail). */
  maxLogBytes: number
  /** Values that must never appear in logs. */
  secrets?: readonly string[]
  onLog?: (chunk: string) => void
  /** Docker only: the image the command runs in. */
  image?: string
  signal?: AbortSignal
}

export interface ExecResult {
  /** null when the process was killed (timeout, abort) before it exited. */
  exitCode: number | null
  timedOut: boolean
  durationMs: number
  /** Tail of stdout+stderr, interleaved, secrets redacted. */
  log: string
  truncated: boolean
  /** Set when the command could not be started or the backend failed. */
  error?: string
}

export interface ImageBuildSpec {
  contextDir: string
  /** Path of the Dockerfile relative to contextDir. */
  dockerfile: string
  /** e.g. `myrepo:abc1234` */
  tag: string
  noCache: boolean
  timeoutMs: number
  maxLogBytes: number
  secrets?: readonly string[]
  onLog?: (chunk: string) => void
  buildArgs?: Record<string, string>
}

/** An image build's cacheable steps (every step but FROM) and how many the engine's layer cache answered. */
export interface LayerCacheStats {
  steps: number
  cached: number
}

export interface ImageBuildResult {
  ok: boolean
  tag: string
  imageId?: string
  durationMs: number
  timedOut: boolean
  log: string
  truncated: boolean
  /** Why it failed, in one line a user can act on. */
  error?: string
  /** The build's steps (but FROM) and how many of them the engine's layer cache answered. */
  layerCache?: LayerCacheStats
}

export interface Executor {
  readonly name: ExecutorName
  available(): Promise<Availability>
  run(spec: CommandSpec): Promise<ExecResult>
}

export interface ImageBuilder {
  available(): Promise<Availability>
  build(spec: ImageBuildSpec): Promise<ImageBuildResult>
}
