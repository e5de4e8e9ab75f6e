import { createHash, timingSafeEqual } from 'node:crypto'
import { header, problem, type HttpAnswer, type IngressRequest } from './answer'

/** Checks `Authorization: Bearer <token>` in constant time; returns the refusal, or null when allowed. */
export function checkBearer(req: IngressRequest, token: string | undefined): HttpAnswer | null {
  if (!token) return problem(401, 'api_token_not_configured', 'CICD_API_TOKEN is not set on the server, so the API cannot authenticate anyone. Set it (npm start writes one to .cicd/api-token).')
  const given = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '')?.[1]?.trim()
  if (!given) return problem(401, 'unauthorized', 'Authorization: Bearer <token> header is missing', { field: 'Authorization' })
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(token).digest()
  return timingSafeEqual(a, b) ? null : problem(401, 'unauthorized', 'the bearer token is not valid', { field: 'Authorization' })
}
