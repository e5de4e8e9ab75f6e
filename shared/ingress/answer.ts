import type { z } from 'zod'
import { formatPath } from '../config/errors'

/** An HTTP answer from the core, mapped 1:1 by the steps. */
export interface HttpAnswer {
  status: number
  body: Record<string, unknown>
}

export interface IngressRequest {
  headers: Record<string, string | string[] | undefined>
  rawBody: string
  body: unknown
}

export function header(req: IngressRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

export function problem(status: number, error: string, message: string, extra: Record<string, unknown> = {}): HttpAnswer {
  return { status, body: { error, message, ...extra } }
}

/** 400 naming the first invalid field, e.g. `data.repo`. */
export function invalidField(issues: readonly z.core.$ZodIssue[], prefix = ''): HttpAnswer {
  const first = issues[0]
  const field = first ? [prefix, formatPath(first.path)].filter((p) => p && p !== '(root)').join('.') || '(body)' : '(body)'
  return problem(400, 'invalid_request', `${field}: ${first?.message ?? 'invalid'}`, {
    field,
    issues: issues.slice(0, 10).map((i) => ({ field: [prefix, formatPath(i.path)].filter((p) => p && p !== '(root)').join('.') || '(body)', message: i.message })),
  })
}
