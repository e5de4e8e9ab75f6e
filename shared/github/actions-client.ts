import { Octokit } from '@octokit/rest'

export interface FailedJob {
  id: number
  name: string
  workflowName?: string
  conclusion: string | null
  /** The first step that failed, as GitHub names it (e.g. `Run cargo clippy`). */
  failedStep?: string
  htmlUrl?: string
}

/** The REST API base: GITHUB_API_URL (GitHub Enterprise, or a local stand-in in tests). */
export function githubClient(env: NodeJS.ProcessEnv = process.env): Octokit {
  return new Octokit({
    ...(env.GITHUB_TOKEN ? { auth: env.GITHUB_TOKEN } : {}),
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    userAgent: 'intelligent-cicd',
    request: { timeout: 15_000 },
  })
}

/** The failed (or timed-out) jobs of a workflow run's latest attempt. */
export async function failedJobs(gh: Octokit, owner: string, repo: string, runId: number): Promise<FailedJob[]> {
  const { data } = await gh.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: runId, filter: 'latest', per_page: 100 })
  return data.jobs
    .filter((j) => j.conclusion === 'failure' || j.conclusion === 'timed_out')
    .map((j) => {
      const step = (j.steps?.find((s) => s.conclusion === 'failure') ?? j.steps?.find((s) => s.conclusion === 'timed_out' || s.conclusion === 'cancelled'))?.name
      return {
        id: j.id,
        name: j.name,
        conclusion: j.conclusion,
        ...(j.workflow_name ? { workflowName: j.workflow_name } : {}),
        ...(step ? { failedStep: step } : {}),
        ...(j.html_url ? { htmlUrl: j.html_url } : {}),
      }
    })
}

/** How long a job log download may take, redirect and body included. */
const LOG_DOWNLOAD_TIMEOUT_MS = 60_000

export interface LogTail {
  /** The last `maxBytes` (at most) of the log, from a line start (or a character boundary when one line is longer). */
  text: string
  /** Bytes of the log's head that were not kept. */
  droppedBytes: number
  /** The most bytes held at once while reading: `maxBytes` plus at most two network chunks, whatever the log's size. */
  peakBytes: number
}

/** Cuts collected bytes to the last `maxBytes`, starting after a newline (or at a UTF-8 character start). */
function cutTail(buf: Buffer, maxBytes: number, dropped: number): { text: string; droppedBytes: number } {
  if (buf.length <= maxBytes && dropped === 0) return { text: buf.toString('utf8'), droppedBytes: 0 }
  let start = Math.max(0, buf.length - maxBytes)
  const nl = buf.indexOf(0x0a, start > 0 ? start - 1 : 0)
  if (nl >= 0 && nl + 1 < buf.length) start = nl + 1
  else while (start < buf.length && ((buf[start] ?? 0) & 0xc0) === 0x80) start++
  return { text: buf.subarray(start).toString('utf8'), droppedBytes: dropped + start }
}

/**
 * Reads a byte stream keeping only its last `maxBytes`: chunks are dropped from the head as soon as the ones after
 * them hold enough, so memory stays bounded however big the log is.
 */
export async function tailOfStream(stream: AsyncIterable<Uint8Array>, maxBytes: number): Promise<LogTail> {
  const chunks: Buffer[] = []
  let held = 0
  let dropped = 0
  let peak = 0
  for await (const part of stream) {
    let chunk = Buffer.from(part.buffer, part.byteOffset, part.byteLength)
    if (chunk.length > maxBytes) {
      dropped += chunk.length - maxBytes
      chunk = chunk.subarray(chunk.length - maxBytes)
      dropped += held
      chunks.length = 0
      held = 0
    }
    chunks.push(Buffer.from(chunk)) // a copy: the reader may reuse its buffer
    held += chunk.length
    peak = Math.max(peak, held)
    // keep one byte more than the bound so the cut can tell whether it starts on a line boundary
    while (chunks.length > 1 && held - (chunks[0]?.length ?? 0) > maxBytes) {
      const first = chunks.shift()
      held -= first?.length ?? 0
      dropped += first?.length ?? 0
    }
  }
  return { ...cutTail(Buffer.concat(chunks, held), maxBytes, dropped), peakBytes: peak }
}

/** A job's log (GitHub answers with a redirect to the file), streamed and cut to its last `maxBytes`. */
export async function jobLogTail(gh: Octokit, owner: string, repo: string, jobId: number, maxBytes = 2 * 1024 * 1024): Promise<LogTail> {
  const res = await gh.rest.actions.downloadJobLogsForWorkflowRun({
    owner,
    repo,
    job_id: jobId,
    // the body as a stream (the redirect is followed by fetch; errors still throw with their status)
    request: { parseSuccessResponseBody: false, signal: AbortSignal.timeout(LOG_DOWNLOAD_TIMEOUT_MS) },
  })
  const data: unknown = res.data
  if (typeof data === 'string') return { ...cutTail(Buffer.from(data), maxBytes, 0), peakBytes: Buffer.byteLength(data) }
  if (data instanceof ArrayBuffer) return { ...cutTail(Buffer.from(data), maxBytes, 0), peakBytes: data.byteLength }
  if (data && typeof data === 'object' && Symbol.asyncIterator in data) return tailOfStream(data as AsyncIterable<Uint8Array>, maxBytes)
  if (data && typeof data === 'object' && 'getReader' in data) {
    const reader = (data as ReadableStream<Uint8Array>).getReader()
    const iterable: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            const { done, value } = await reader.read()
            if (done) return
            if (value) yield value
          }
        } finally {
          reader.releaseLock()
        }
      },
    }
    return tailOfStream(iterable, maxBytes)
  }
  return { text: '', droppedBytes: 0, peakBytes: 0 }
}

/** A job's log, cut to its last `maxBytes` while it streams in (see `jobLogTail`). */
export async function jobLog(gh: Octokit, owner: string, repo: string, jobId: number, maxBytes = 2 * 1024 * 1024): Promise<string> {
  return (await jobLogTail(gh, owner, repo, jobId, maxBytes)).text
}

/** The head branch and commit of a pull request. */
export async function pullHead(gh: Octokit, owner: string, repo: string, pull: number): Promise<{ ref: string; sha: string }> {
  const { data } = await gh.rest.pulls.get({ owner, repo, pull_number: pull })
  return { ref: data.head.ref, sha: data.head.sha }
}

/** The newest failed workflow run for a commit, if any. */
export async function latestFailedRun(gh: Octokit, owner: string, repo: string, sha: string): Promise<{ id: number; name: string; attempt: number; branch: string } | null> {
  const { data } = await gh.rest.actions.listWorkflowRunsForRepo({ owner, repo, head_sha: sha, status: 'failure', per_page: 10 })
  const run = data.workflow_runs[0]
  return run ? { id: run.id, name: run.name ?? 'workflow', attempt: run.run_attempt ?? 1, branch: run.head_branch ?? 'unknown' } : null
}

/** Re-runs the failed jobs of a workflow run (`/healer retry`). */
export async function rerunFailedJobs(gh: Octokit, owner: string, repo: string, runId: number): Promise<void> {
  await gh.rest.actions.reRunWorkflowFailedJobs({ owner, repo, run_id: runId })
}
