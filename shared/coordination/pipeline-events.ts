import { findRepository } from '../config/load'
import type { CicdConfig } from '../config/schema'
import type { FailureDetected } from '../pipeline/events'
import type { EventInput } from './messages'

/**
 * Our own pipeline's `ci.failure.detected` as a `stage_failed` event on ci:events, naming the
 * repository as GitHub does when cicd.yml says so; `once` keeps a redelivered event from being
 * published twice.
 */
export function stageFailedEvent(f: FailureDetected, config: CicdConfig): { event: EventInput; once: string } {
  const repo = findRepository(config, f.repo)
  return {
    event: { type: 'stage_failed', repo: repo?.github ?? f.repo, run_id: f.runId, stage: f.stage, commit: f.commit, reason: f.reason, source: 'cicd_pipeline' },
    once: `stage_failed:${f.runId}:${f.stage}${f.environment ? `:${f.environment}` : ''}`,
  }
}
