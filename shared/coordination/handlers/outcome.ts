import type { Octokit } from '@octokit/rest'
import type { Target } from '../allow-list'

/** What a handler did: `executed`, or `refused` because a precondition failed (nothing was changed). */
export type Outcome = { result: 'executed' | 'refused'; detail: string }

export const executed = (detail: string): Outcome => ({ result: 'executed', detail })
export const refused = (detail: string): Outcome => ({ result: 'refused', detail })

/** A failure with the HTTP status that caused it (none: no answer), classified like Octokit's errors. */
export class HttpFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'HttpFailure'
  }
}

export interface HandlerContext {
  github: Octokit
  target: Target
  /** The Slack-compatible incoming webhook (a secret: never logged). */
  notifyUrl: string | undefined
}
