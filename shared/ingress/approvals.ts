import { z } from 'zod'
import type { ApprovalStore } from '../deploy/approvals'
import type { DeployRequested } from '../pipeline/events'
import { RUN_ID_PATTERN } from '../runs/ids'
import { invalidField, problem, type HttpAnswer, type IngressRequest } from './answer'
import { checkBearer } from './bearer'

export const approvalBodySchema = z
  .object({
    approve: z.boolean({ error: 'true to deploy, false to reject' }),
    by: z.string().trim().min(1, 'who decides (a name or handle)').max(100),
    comment: z.string().max(1000).default(''),
    /** Which of the run's waiting deploys (needed only when both environments wait). */
    environment: z.enum(['staging', 'production']).optional(),
  })
  .strict()

export interface ApprovalDeps {
  token: string | undefined
  approvals: ApprovalStore
  /** Sends the approved deploy back to the deploy step. */
  emit: (topic: string, data: DeployRequested & { runId: string; traceId: string }) => Promise<void>
}

/** GET /api/cicd/approvals[?status=pending|approved|rejected] */
export async function handleListApprovals(req: IngressRequest & { query?: Record<string, string | string[] | undefined> }, deps: Omit<ApprovalDeps, 'emit'>): Promise<HttpAnswer> {
  const denied = checkBearer(req, deps.token)
  if (denied) return denied
  const raw = req.query?.status
  const status = Array.isArray(raw) ? raw[0] : raw
  if (status !== undefined && !['pending', 'approved', 'rejected'].includes(status))
    return problem(400, 'invalid_request', 'status: one of pending, approved, rejected', { field: 'status' })
  return { status: 200, body: { approvals: await deps.approvals.list(status as 'pending' | 'approved' | 'rejected' | undefined) } }
}

/** POST /api/cicd/approvals/:runId with {approve, by, comment, environment?}: releases or rejects a waiting deploy. */
export async function handleApprovalDecision(req: IngressRequest, runId: string, deps: ApprovalDeps): Promise<HttpAnswer> {
  const denied = checkBearer(req, deps.token)
  if (denied) return denied
  if (!RUN_ID_PATTERN.test(runId)) return problem(400, 'invalid_request', 'runId: not a run id', { field: 'runId' })
  const body = approvalBodySchema.safeParse(req.body ?? {})
  if (!body.success) return invalidField(body.error.issues)
  let environment = body.data.environment
  if (!environment) {
    const mine = await deps.approvals.ofRun(runId)
    const pending = mine.filter((a) => a.status === 'pending')
    if (pending.length > 1) return problem(400, 'invalid_request', `environment: run ${runId} waits for approval in ${pending.map((a) => a.environment).join(' and ')}; name one`, { field: 'environment' })
    environment = (pending[0] ?? mine[0])?.environment
    if (!environment) return problem(404, 'not_found', `no deploy of run ${runId} waits for approval (GET /api/cicd/approvals lists them)`)
  }
  const got = await deps.approvals.decide(runId, environment, body.data.approve, body.data.by, body.data.comment)
  if (got.result === 'missing') return problem(404, 'not_found', `no ${environment} deploy of run ${runId} waits for approval (GET /api/cicd/approvals lists them)`)
  const a = got.approval
  if (got.result === 'already') return problem(409, 'already_decided', `run ${runId} was already ${a.status} by ${a.decidedBy ?? 'someone'} at ${a.decidedAt ?? '?'}`, { approval: a })
  if (a.status === 'approved' || a.status === 'rejected') {
    // Rejected deploys go back too: the deploy step records the rejection on the run.
    await deps.emit('cicd.deploy.requested', { runId: a.runId, traceId: a.traceId, repo: a.repo, commit: a.commit, imageTag: a.imageTag, environment: a.environment, force: false })
  }
  return { status: 200, body: { approval: a } }
}
