import { z } from 'zod'

export const deployStrategies = ['immediate', 'blue-green', 'canary', 'rolling'] as const
export const riskLevels = ['low', 'medium', 'high'] as const

export const deployDecisionSchema = z.object({
  deploy: z.boolean(),
  strategy: z.enum(deployStrategies),
  risk: z.enum(riskLevels),
  approvalRequired: z.boolean(),
  rollback: z.object({ automatic: z.boolean(), failedChecks: z.number().int().min(1).max(20) }),
  healthCheck: z.object({ path: z.string().min(1), intervalSeconds: z.number().int().min(1).max(300), healthyChecksRequired: z.number().int().min(1).max(50) }),
  reasons: z.array(z.string()).min(1),
})
export type DeployDecision = z.output<typeof deployDecisionSchema>

export interface DeployFacts {
  environment: 'staging' | 'production'
  /** cicd.yml deploy.<environment>. */
  configured: { auto_deploy: boolean; strategy: DeployDecision['strategy']; require_approval?: boolean | undefined }
  tests: { total: number; failed: number; errors: number } | null
  change: { files: number; additions: number; deletions: number }
  /** Is the version now live healthy? null when nothing is deployed yet. */
  currentHealthy: boolean | null
  recentRollbacks: number
  /**
   * cicd.yml's monitoring of the environment: the baseline's health-check and rollback settings
   * (not shown to the model as facts: BASELINE carries them).
   */
  monitor?: { healthPath: string; intervalSeconds: number; healthyChecks: number; failedChecks: number }
  /** Untrusted (commit message). */
  message?: string
}
