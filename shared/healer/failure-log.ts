import type { Octokit } from '@octokit/rest'
import { failedJobs, jobLog, type FailedJob } from '../github/actions-client'

/** Where a failure's log comes from, as the intakes know it. */
export interface LogSource {
  repo: string
  runId: number | string
  /** The failed job, when the intake names it (a workflow_job webhook, an Actions check run). */
  job?: { id: number; name: string; failedStep?: string; htmlUrl?: string } | undefined
  /** Nothing to read (a status, another app's check): classify from names alone. */
  noLog?: boolean
  /** The log itself, when the intake already has it (our own pipeline's failures). */
  log?: { text: string; job: string; step?: string; url?: string }
}

export interface LogFacts {
  log: string
  job?: string
  step?: string
  jobUrl?: string
  /** A failed job whose log could not be read, when another one's was. */
  warning?: string
}

/** How many failed jobs of a run are tried before giving up on their logs. */
const MAX_JOBS_TRIED = 3

const fromJob = (job: Pick<FailedJob, 'name' | 'failedStep' | 'htmlUrl'>, log: string): LogFacts => ({
  log,
  job: job.name,
  ...(job.failedStep ? { step: job.failedStep } : {}),
  ...(job.htmlUrl ? { jobUrl: job.htmlUrl } : {}),
})

const firstLine = (err: unknown) => (err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err))

/**
 * The failed job's log: the named job's, or for a whole run (seed 001's body, a check suite) the
 * first of its failed jobs whose log can be read (logs expire, or a job may have none). Throws when
 * GitHub cannot list the run's jobs or no failed job's log can be read.
 */
export async function readFailureLog(gh: Octokit, f: LogSource): Promise<LogFacts> {
  if (f.log) return { log: f.log.text, job: f.log.job, ...(f.log.step ? { step: f.log.step } : {}), ...(f.log.url ? { jobUrl: f.log.url } : {}) }
  if (f.noLog || typeof f.runId !== 'number') return { log: '' }
  const [owner, repo] = f.repo.split('/') as [string, string]
  if (f.job) return fromJob(f.job, await jobLog(gh, owner, repo, f.job.id))
  const jobs = await failedJobs(gh, owner, repo, f.runId)
  if (jobs.length === 0) return { log: '' }
  const errors: string[] = []
  for (const job of jobs.slice(0, MAX_JOBS_TRIED)) {
    try {
      const facts = fromJob(job, await jobLog(gh, owner, repo, job.id))
      return errors.length ? { ...facts, warning: `log not readable for ${errors.join('; ')}` } : facts
    } catch (err) {
      errors.push(`job ${job.name}: ${firstLine(err)}`)
    }
  }
  throw new Error(`no failed job's log could be read (${errors.join('; ')})`)
}
