import type { Redis } from 'ioredis'
import type { EnvironmentName } from '../config/deploy'

export interface Approval {
  runId: string
  repo: string
  environment: EnvironmentName
  commit: string
  imageTag: string
  traceId: string
  requestedAt: string
  status: 'pending' | 'approved' | 'rejected'
  /** What the DeployAgent said (risk, strategy, reasons), for whoever approves. */
  risk: string
  strategy: string
  reasons: string[]
  decidedBy?: string
  decidedAt?: string
  comment?: string
}

const KEY = 'cicd:deploy:approvals'

/** Decides a pending approval atomically: two approvers racing get one decision. */
const DECIDE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {0, ''} end
local a = cjson.decode(raw)
if a.status ~= 'pending' then return {1, raw} end
a.status = ARGV[2]
a.decidedBy = ARGV[3]
a.decidedAt = ARGV[4]
if ARGV[5] ~= '' then a.comment = ARGV[5] end
local out = cjson.encode(a)
redis.call('HSET', KEYS[1], ARGV[1], out)
return {2, out}
`

/** One approval per run and environment (a run may wait for both when cicd.yml asks). */
const field = (runId: string, environment: EnvironmentName) => `${runId}:${environment}`

/** Deploys waiting for a person (production by default), in Redis. */
export class ApprovalStore {
  constructor(private readonly redis: Redis) {}

  /** Records a pending approval unless the run already has one for that environment (returns what is stored). */
  async request(a: Omit<Approval, 'status' | 'requestedAt'>): Promise<Approval> {
    const record: Approval = { ...a, status: 'pending', requestedAt: new Date().toISOString() }
    await this.redis.hsetnx(KEY, field(a.runId, a.environment), JSON.stringify(record))
    return (await this.get(a.runId, a.environment)) ?? record
  }

  async get(runId: string, environment: EnvironmentName): Promise<Approval | null> {
    const raw = await this.redis.hget(KEY, field(runId, environment))
    return raw ? (JSON.parse(raw) as Approval) : null
  }

  /** The run's approvals, one per environment that asked. */
  async ofRun(runId: string): Promise<Approval[]> {
    const raw = await this.redis.hmget(KEY, field(runId, 'staging'), field(runId, 'production'))
    return raw.filter((v): v is string => typeof v === 'string').map((v) => JSON.parse(v) as Approval)
  }

  async list(status?: Approval['status']): Promise<Approval[]> {
    const all = Object.values(await this.redis.hgetall(KEY)).map((v) => JSON.parse(v) as Approval)
    return all.filter((a) => !status || a.status === status).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
  }

  /** `decided`: this call decided it; `already`: it was decided before (returned as it is). */
  async decide(runId: string, environment: EnvironmentName, approve: boolean, by: string, comment = ''): Promise<{ result: 'decided' | 'already'; approval: Approval } | { result: 'missing' }> {
    const [code, raw] = (await this.redis.eval(DECIDE, 1, KEY, field(runId, environment), approve ? 'approved' : 'rejected', by, new Date().toISOString(), comment)) as [number, string]
    if (code === 0) return { result: 'missing' }
    return { result: code === 2 ? 'decided' : 'already', approval: JSON.parse(raw) as Approval }
  }
}
