import { z } from 'zod'

/** Root-cause families of a failed CI job; each is owned by one specialist agent. */
export const healerCategory = z.enum(['rust', 'frontend', 'infra', 'github', 'unknown'])
export type HealerCategory = z.output<typeof healerCategory>

export const healerAgent = z.enum(['rex', 'blaze', 'bolt', 'atlas'])
export type HealerAgent = z.output<typeof healerAgent>

export const AGENT_OF: Record<HealerCategory, HealerAgent> = {
  rust: 'rex',
  frontend: 'blaze',
  infra: 'bolt',
  github: 'atlas',
  unknown: 'atlas',
}

/** The finer failure kind inside a category (what the specialist should look at first). */
export const failureType = z.enum([
  // rust
  'rust_clippy',
  'rust_fmt',
  'rust_test',
  'rust_build',
  'rust_deps',
  // frontend
  'npm_install',
  'ts_typecheck',
  'eslint',
  'stylelint',
  'prettier',
  'js_test',
  'frontend_build',
  // infra
  'docker_build',
  'helm',
  'k8s_manifest',
  'terraform',
  'yaml_syntax',
  // github
  'workflow_syntax',
  'permissions',
  'missing_secret',
  'rate_limit',
  'checkout',
  'runner',
  'timeout',
  'cancelled',
  'unknown',
])
export type FailureType = z.output<typeof failureType>

/** The category each failure type belongs to (`unknown` belongs to `unknown`). */
export const CATEGORY_OF_TYPE: Record<FailureType, HealerCategory> = {
  rust_clippy: 'rust',
  rust_fmt: 'rust',
  rust_test: 'rust',
  rust_build: 'rust',
  rust_deps: 'rust',
  npm_install: 'frontend',
  ts_typecheck: 'frontend',
  eslint: 'frontend',
  stylelint: 'frontend',
  prettier: 'frontend',
  js_test: 'frontend',
  frontend_build: 'frontend',
  docker_build: 'infra',
  helm: 'infra',
  k8s_manifest: 'infra',
  terraform: 'infra',
  yaml_syntax: 'infra',
  workflow_syntax: 'github',
  permissions: 'github',
  missing_secret: 'github',
  rate_limit: 'github',
  checkout: 'github',
  runner: 'github',
  timeout: 'github',
  cancelled: 'github',
  unknown: 'unknown',
}

export const healerDecisionSchema = z
  .object({
    category: healerCategory,
    agent: healerAgent,
    failureType,
    /** Calibrated probability that `category` is right. */
    confidence: z.number().min(0).max(1),
    /**
     * The log lines that explain the failure, cleaned (no timestamps, colours or `##[...]` markers). Without a log, the
     * names that decided instead (`workflow: ...`, `job: ...`, `step: ...`, `changed files: ...`).
     */
    evidence: z.array(z.string()),
    reasons: z.array(z.string()).min(1),
  })
  .refine((d) => d.agent === AGENT_OF[d.category], { message: 'agent must be the owner of the category', path: ['agent'] })
  .refine((d) => CATEGORY_OF_TYPE[d.failureType] === d.category, { message: 'failureType must belong to the category', path: ['failureType'] })

export type HealerDecision = z.output<typeof healerDecisionSchema>

/** What the Healer knows about a failed job: its log and, when available, where it ran. */
export interface HealerFacts {
  log: string
  workflow?: string
  job?: string
  step?: string
  changedFiles?: string[]
}
