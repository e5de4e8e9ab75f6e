import { z } from 'zod'
import { durationSchema } from './duration'
import { deploySchema, deployStrategy, environmentSchema } from './deploy'
import { coordinationSchema, repoCoordinationSchema, smokeSchema } from './coordination'

export { deployStrategy, environmentSchema }

/** Names a repository in URLs, image tags and state keys: keep it simple. */
const repoName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-", starting with a letter or digit')

export const executorChoice = z.enum(['auto', 'local', 'docker'])
export const testSelection = z.enum(['all', 'affected'])

export const buildSchema = z
  .object({
    auto_build: z.boolean().default(true),
    /** Dockerfile relative to `context`; used when the repo has it and a Docker engine answers. */
    dockerfile: z.string().min(1).default('Dockerfile'),
    context: z.string().min(1).default('.'),
    /** Commands run by the executor when there is no Dockerfile (or no engine). */
    commands: z.array(z.string().min(1)).default([]),
    cache: z.boolean().default(true),
    timeout: durationSchema.prefault(600),
    build_args: z.record(z.string(), z.string()).default({}),
  })
  .strict()

export const testReportSchema = z
  .object({
    format: z.enum(['junit']).default('junit'),
    /** Glob(s) of JUnit XML files, relative to the workspace. */
    paths: z.array(z.string().min(1)).default([]),
  })
  .strict()

export const testSchema = z
  .object({
    auto_test: z.boolean().default(true),
    commands: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Shell commands run in order. {tests}: the TestAgent's selected test files in its category order (empty when every test runs); {parallelism}: its parallelism (e.g. `npx vitest run --maxWorkers={parallelism} {tests}`).",
      ),
    /** `affected`: only tests related to the changed files (the TestAgent's selection). */
    select: testSelection.default('all'),
    /** Globs that name the test files (default: the TestAgent's conventions). */
    test_globs: z.array(z.string().min(1)).default([]),
    /** Changes to files matching these select every test. */
    select_all_on: z.array(z.string().min(1)).default([]),
    report: testReportSchema.prefault({}),
    /** Docker executor only: the image the commands run in (default: the image just built). */
    image: z.string().min(1).optional(),
    timeout: durationSchema.prefault(900),
  })
  .strict()

export const repositorySchema = z
  .object({
    name: repoName,
    /** A local git repository (absolute, or relative to the config file). */
    path: z.string().min(1).optional(),
    /** A clone URL (https://, ssh, file://). */
    url: z.string().min(1).optional(),
    /** `owner/name` on GitHub, matched against a webhook's repository.full_name. */
    github: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'owner/name').optional(),
    branches: z.array(z.string().min(1)).default(['main']),
    executor: executorChoice.optional(),
    build: buildSchema.prefault({}),
    test: testSchema.prefault({}),
    deploy: deploySchema.prefault({}),
    /** Domain name → path globs (seed 002): which parts of the repo a change touches. */
    domains: z.record(z.string().min(1), z.array(z.string().min(1))).default({}),
    coordination: repoCoordinationSchema.prefault({}),
    /** The smoke pipeline a `smoke_requested` on ci:events runs (none: such requests are answered, not run). */
    smoke: smokeSchema.optional(),
  })
  .strict()
  .refine((r) => Boolean(r.path) !== Boolean(r.url), {
    message: 'give exactly one of "path" (a local git repository) or "url" (a clone URL)',
    path: ['path'],
  })

export const agentNames = z.enum(['build', 'test', 'deploy', 'monitor', 'healer'])

/** The local LLM the agents may ask (Ollama's OpenAI-compatible API). */
export const llmSchema = z
  .object({
    /** `auto`: use it when it answers the probe; `off`: baselines only; `on`: always ask (errors fall back). */
    enabled: z.enum(['auto', 'on', 'off']).default('auto'),
    /** OLLAMA_BASE_URL overrides it. */
    base_url: z.string().url().default('http://localhost:11434/v1'),
    model: z.string().min(1).default('qwen2.5:7b-instruct'),
    /** A model per agent, e.g. `{ healer: "qwen2.5-coder:7b" }`. */
    models: z.partialRecord(agentNames, z.string().min(1)).default({}),
    timeout: durationSchema.prefault(20),
    /**
     * Model calls in flight at once: across every process and instance that shares Redis (a
     * Redis semaphore with leases), per process without Redis. A call waits for a slot within
     * its `timeout`.
     */
    concurrency: z.number().int().min(1).max(32).default(2),
    /** Extra attempts after a transport error (connection refused, 5xx, 429), within `timeout`. */
    transport_retries: z.number().int().min(0).max(5).default(1),
  })
  .strict()

/** Where a remediation goes: a coding agent's command, an HTTP webhook, or a comment on the failure's pull request (else its commit). */
export const healerSinkSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('command'), command: z.string().min(1), timeout: durationSchema.prefault(1800) }).strict(),
  z.object({ type: z.literal('http'), url: z.string().url(), headers: z.record(z.string(), z.string()).default({}) }).strict(),
  z.object({ type: z.literal('comment') }).strict(),
])

/** Seed 001's open questions, answered in config (defaults documented in the README). */
export const healerSchema = z
  .object({
    /** No second remediation on a branch within this window of the last one's start (once that one has ended). */
    branch_window: durationSchema.prefault(600),
    /**
     * How long a remediation holds its branch when nobody reports its end (a fix that never
     * arrives). It is released earlier when it is fixed, handed to a person, or finally fails;
     * each new delivery (escalation) holds it again for this long.
     */
    active_ttl: durationSchema.prefault(3600),
    /** How long the record of a triaged (or finally failed) webhook delivery stays on `GET /api/status` before the reaper deletes it. */
    intake_retention: durationSchema.prefault(7 * 86_400),
    /** Remediate failures of commits pushed by bots (`…[bot]`)? Off by default: fixes of fixes loop. */
    process_bots: z.boolean().default(false),
    /** Attempts per agent (a delivery a sink refused, or a fix that did not work: the same workflow failed again after it) before escalating: specialist → atlas → a human. */
    retry_limit: z.number().int().min(1).max(10).default(2),
    /** The last step of the escalation: this label on the failure's pull request, with a comment asking a person (a commit comment when there is no pull request). */
    human_label: z.string().min(1).default('needs-human'),
    /** Who may command the Healer with `/healer fix` and `/healer retry` (the comment's `author_association`). */
    allowed_associations: z
      .array(z.enum(['OWNER', 'MEMBER', 'COLLABORATOR', 'CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', 'FIRST_TIMER', 'MANNEQUIN', 'NONE']))
      .default(['OWNER', 'MEMBER', 'COLLABORATOR']),
    /** Seed 001's branch strategy: fixes are pushed to the failing branch (`same`) or to a new branch with a pull request against it (`new`). */
    fix_branch: z.enum(['same', 'new']).default('new'),
    sinks: z.array(healerSinkSchema).default([]),
    /**
     * Seed 001's model per specialist: the HealerAgent's model call, when the classifier routes a
     * failure to that agent, uses this model (else `defaults.llm.models.healer`, else `defaults.llm.model`).
     */
    models: z
      .object({ rex: z.string().min(1).optional(), blaze: z.string().min(1).optional(), bolt: z.string().min(1).optional(), atlas: z.string().min(1).optional() })
      .strict()
      .default({}),
  })
  .strict()

export const defaultsSchema = z
  .object({
    executor: executorChoice.default('auto'),
    /** Where per-run workspaces are created (relative to the working directory). */
    workspace_root: z.string().min(1).default('.cicd/workspaces'),
    /** Bytes of each stage's log kept with the run. */
    log_tail_bytes: z.number().int().min(1024).max(10_000_000).default(65_536),
    /** How long an ended run (its record, logs and timeline) is kept; its counters on /metrics stay. */
    run_retention: durationSchema.prefault(90 * 86_400),
    llm: llmSchema.prefault({}),
    /**
     * Redis-backed mode: the Redis every instance shares (state, queues, cron, streams). The
     * REDIS_URL variable wins; put a password there, not here. Unset: `npm start` runs its own.
     */
    redis_url: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'a redis:// or rediss:// URL, e.g. redis://redis:6379/0')
      .refine((u) => !/^rediss?:\/\/[^/@]*:[^/@]+@/.test(u), 'no password in cicd.yml: give the whole URL in REDIS_URL instead')
      .optional(),
  })
  .strict()

export const cicdConfigSchema = z
  .object({
    version: z.literal(1).default(1),
    defaults: defaultsSchema.prefault({}),
    repositories: z.array(repositorySchema).default([]),
    healer: healerSchema.prefault({}),
    coordination: coordinationSchema.prefault({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>()
    cfg.repositories.forEach((r, i) => {
      const prev = seen.get(r.name)
      if (prev !== undefined)
        ctx.addIssue({ code: 'custom', path: ['repositories', i, 'name'], message: `duplicate name "${r.name}" (also repositories[${prev}])` })
      seen.set(r.name, i)
    })
  })

export type CicdConfig = z.output<typeof cicdConfigSchema>
export type RepositoryConfig = CicdConfig['repositories'][number]
export type BuildConfig = RepositoryConfig['build']
export type TestConfig = RepositoryConfig['test']
export type ExecutorChoice = z.output<typeof executorChoice>
export type LlmConfig = z.output<typeof llmSchema>
export type AgentName = z.output<typeof agentNames>
export type HealerConfig = z.output<typeof healerSchema>
export type HealerSink = z.output<typeof healerSinkSchema>
