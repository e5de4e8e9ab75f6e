import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** The server the CLI talks to: `--server`, else CICD_SERVER, else the local default. */
export function serverUrl(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (given ?? env.CICD_SERVER ?? 'http://localhost:3000').replace(/\/$/, '')
}

/** CICD_API_TOKEN, else the file `npm start` writes (.cicd/api-token, or $CICD_STATE_DIR/api-token). */
export function apiToken(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CICD_API_TOKEN) return env.CICD_API_TOKEN
  const file = path.resolve(env.CICD_STATE_DIR ?? '.cicd', 'api-token')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  throw new Error(`no API token: set CICD_API_TOKEN, or run from the directory where npm start wrote ${path.relative(process.cwd(), file)}`)
}

export interface JsonAnswer {
  status: number
  body: Record<string, unknown>
}

/**
 * One JSON request to the server. A server that does not answer, or answers something that is
 * not JSON, is an error that says where and what to do.
 */
export async function callJson(method: string, url: string, opts: { body?: unknown; token?: string; timeoutMs?: number } = {}): Promise<JsonAnswer> {
  let res: Response
  try {
    res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    })
  } catch (err) {
    throw new Error(`no server answers at ${new URL(url).origin} (${err instanceof Error ? err.message : String(err)}); start one with npm start, or pass --server`)
  }
  const text = await res.text()
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> }
  } catch {
    throw new Error(`${url} answered ${res.status} with something that is not JSON`)
  }
}
