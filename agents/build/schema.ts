import { z } from 'zod'

export const buildStrategy = z.enum(['cache', 'no-cache', 'multi-stage'])

export const buildDecisionSchema = z.object({
  shouldBuild: z.boolean(),
  /** How the build runs: a Docker image, the configured commands, or nothing to do. */
  mode: z.enum(['docker', 'commands', 'none']),
  strategy: buildStrategy,
  dockerfileChanged: z.boolean(),
  manifestsChanged: z.array(z.string()),
  /** Domains (cicd.yml `domains`) the change touches; `*` when it cannot be narrowed. */
  scope: z.array(z.string()),
  /** Median of recent builds of this repo, null without history. */
  estimatedDurationMs: z.number().nonnegative().nullable(),
  reasons: z.array(z.string()).min(1),
})

export type BuildDecision = z.output<typeof buildDecisionSchema>
