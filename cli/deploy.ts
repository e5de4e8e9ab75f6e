import { parseArgs } from 'node:util'
import { apiToken, callJson, serverUrl, type JsonAnswer } from './http'

const call = (method: string, url: string, body?: unknown, token?: string): Promise<JsonAnswer> => callJson(method, url, { body, ...(token ? { token } : {}) })

function fail(status: number, body: Record<string, unknown>): never {
  throw new Error(`${String(body.message ?? `server answered ${status}`)} (HTTP ${status})`)
}

/** `cicd approve <runId> [--reject] [--by name] [--comment text] [--environment staging|production]` */
export async function approveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { reject: { type: 'boolean', default: false }, by: { type: 'string' }, comment: { type: 'string' }, environment: { type: 'string' }, server: { type: 'string' }, json: { type: 'boolean', default: false } },
  })
  const runId = positionals[0]
  if (!runId) throw new Error('usage: cicd approve <runId> [--reject] [--by name] [--comment text] [--environment staging|production] (cicd approvals lists the waiting ones)')
  const by = values.by ?? process.env.USER ?? process.env.LOGNAME
  if (!by) throw new Error('--by: who decides (a name); USER is not set')
  const { status, body } = await call('POST', `${serverUrl(values.server)}/api/cicd/approvals/${encodeURIComponent(runId)}`, { approve: !values.reject, by, ...(values.comment ? { comment: values.comment } : {}), ...(values.environment ? { environment: values.environment } : {}) }, apiToken())
  if (status !== 200) fail(status, body)
  const a = body.approval as { status: string; repo: string; environment: string; imageTag: string }
  process.stdout.write(values.json ? `${JSON.stringify(body, null, 2)}\n` : `${a.status}: ${a.repo} ${a.imageTag} → ${a.environment} (run ${runId})\n`)
  return 0
}

/** `cicd approvals [--status pending|approved|rejected]` */
export async function approvalsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { status: { type: 'string', default: 'pending' }, server: { type: 'string' }, json: { type: 'boolean', default: false } } })
  const { status, body } = await call('GET', `${serverUrl(values.server)}/api/cicd/approvals?status=${encodeURIComponent(values.status ?? 'pending')}`, undefined, apiToken())
  if (status !== 200) fail(status, body)
  if (values.json) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    return 0
  }
  const list = (body.approvals as Array<{ runId: string; repo: string; environment: string; imageTag: string; risk: string; strategy: string; requestedAt: string; status: string }>) ?? []
  process.stdout.write(`${list.length} ${values.status} approval(s)\n`)
  for (const a of list) process.stdout.write(`${a.runId.padEnd(20)} ${a.repo.padEnd(14)} ${a.environment.padEnd(10)} ${a.imageTag.padEnd(24)} ${a.strategy.padEnd(10)} risk ${a.risk.padEnd(6)} ${a.requestedAt}\n`)
  return 0
}

/** `cicd rollback <repo> <environment> [--reason text]` */
export async function rollbackCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { reason: { type: 'string' }, server: { type: 'string' } } })
  const [repo, environment] = positionals
  if (!repo || !environment) throw new Error('usage: cicd rollback <repo> <staging|production> [--reason text]')
  const { status, body } = await call(
    'POST',
    `${serverUrl(values.server)}/api/events`,
    { event: 'cicd.rollback.requested', data: { repo, environment, reason: values.reason ?? `manual rollback by ${process.env.USER ?? 'cli'}` } },
    apiToken(),
  )
  if (status !== 202) fail(status, body)
  process.stdout.write(`rollback of ${repo} ${environment} requested; \`cicd environments\` shows the outcome\n`)
  return 0
}

interface EnvRow {
  repo: string
  environment: string
  bind: string
  port: number
  phase: string
  canaryWeight: number
  live: { version: string } | null
  candidate: { version: string } | null
  standby: { version: string } | null
  history: Array<{ at: string; kind: string; version: string; reason?: string }>
}

/** `cicd environments`: what is live where. */
export async function environmentsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { server: { type: 'string' }, json: { type: 'boolean', default: false } } })
  const { status, body } = await call('GET', `${serverUrl(values.server)}/api/cicd/environments`)
  if (status !== 200) fail(status, body)
  if (values.json) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    return 0
  }
  for (const e of (body.environments as EnvRow[]) ?? []) {
    const extra = [e.candidate ? `canary ${e.candidate.version} at ${e.canaryWeight}%` : '', e.standby ? `standby ${e.standby.version}` : ''].filter(Boolean).join(', ')
    process.stdout.write(`${e.repo}/${e.environment} http://${e.bind}:${e.port}  ${e.live?.version ?? '(nothing live)'}  ${e.phase}${extra ? `  (${extra})` : ''}\n`)
    const last = e.history[0]
    if (last) process.stdout.write(`    last: ${last.kind} ${last.version} at ${last.at}${last.reason ? ` — ${last.reason}` : ''}\n`)
  }
  return 0
}
