import { randomBytes } from 'node:crypto'

/** Time-sortable, URL- and path-safe run ids: `r` + base36 ms + 6 random hex. */
export function newRunId(now = Date.now()): string {
  return `r${now.toString(36)}${randomBytes(3).toString('hex')}`
}

export function newTraceId(): string {
  return randomBytes(8).toString('hex')
}

export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
