import type { CicdConfig, RepositoryConfig } from '../config/schema'
import type { Executor, ImageBuilder } from '../executors/types'
import { LocalExecutor } from '../executors/local/executor'
import { dockerFromEnv, pingDocker } from '../executors/docker/client'
import { DockerExecutor } from '../executors/docker/executor'
import { DockerImageBuilder } from '../executors/docker/image-builder'
import type { RunStore } from '../runs/store'
import type { ModelRuntime } from '../../agents/runtime/decide'
import { createModelRuntime } from '../../agents/runtime/runtime'
import type { StageName } from '../runs/model'

export type Progress =
  | { type: 'stage-start'; stage: StageName }
  | { type: 'decision'; stage: StageName; agent: string; summary: string; reasons: string[] }
  | { type: 'log'; stage: StageName; chunk: string }
  | { type: 'stage-end'; stage: StageName; status: string; durationMs: number; reason?: string; detail?: string }

/** Everything a stage needs, built once per process (server step, CLI). */
export interface PipelineEnv {
  config: CicdConfig
  runs: RunStore
  local: Executor
  docker: { executor: Executor; builder: ImageBuilder } | null
  /** Why Docker is not used, when it is not. */
  dockerReason?: string
  /** Values never written to logs (tokens, webhook secret). */
  secrets: string[]
  workspaceRoot: string
  /** The LLM the agents may ask, or why there is none. */
  model: ModelRuntime
  progress?: (p: Progress) => void
}

/** Secrets known to the process: never echoed into a run's log. */
export function knownSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return ['GITHUB_WEBHOOK_SECRET', 'CICD_API_TOKEN', 'GITHUB_TOKEN']
    .map((k) => env[k])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4)
}

export async function createPipelineEnv(opts: {
  config: CicdConfig
  runs: RunStore
  progress?: (p: Progress) => void
  dockerTimeoutMs?: number
  /** The process's model runtime (server steps share one); default: one made for this env. */
  model?: Promise<ModelRuntime>
}): Promise<PipelineEnv> {
  const docker = dockerFromEnv()
  const [ping, model] = await Promise.all([pingDocker(docker, opts.dockerTimeoutMs ?? 2000), opts.model ?? createModelRuntime(opts.config.defaults.llm)])
  return {
    config: opts.config,
    runs: opts.runs,
    local: new LocalExecutor(),
    docker: ping.ok ? { executor: new DockerExecutor(docker), builder: new DockerImageBuilder(docker) } : null,
    ...(ping.ok ? {} : { dockerReason: ping.reason }),
    secrets: knownSecrets(),
    workspaceRoot: opts.config.defaults.workspace_root,
    model,
    ...(opts.progress ? { progress: opts.progress } : {}),
  }
}

export function executorChoiceOf(env: PipelineEnv, repo: RepositoryConfig): 'auto' | 'local' | 'docker' {
  return repo.executor ?? env.config.defaults.executor
}
