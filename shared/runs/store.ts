import type { RunRecord, RunStatus } from './model'

/** The subset of Motia's state manager the run store needs (so the CLI can use another one). */
export interface KeyValueState {
  get<T>(group: string, key: string): Promise<T | null>
  set<T>(group: string, key: string, value: T): Promise<T>
  getGroup<T>(group: string): Promise<T[]>
  delete(group: string, key: string): Promise<unknown>
}

export const RUNS_GROUP = 'cicd-runs'

export interface RunQuery {
  repo?: string
  status?: RunStatus
  limit: number
  offset: number
}

export interface RunPage {
  total: number
  limit: number
  offset: number
  runs: RunRecord[]
}

/** Runs kept in a key-value state (Motia's state on Redis in the server). */
export class RunStore {
  constructor(private readonly state: KeyValueState) {}

  get(id: string): Promise<RunRecord | null> {
    return this.state.get<RunRecord>(RUNS_GROUP, id)
  }

  async save(run: RunRecord): Promise<RunRecord> {
    run.updatedAt = new Date().toISOString()
    await this.state.set(RUNS_GROUP, run.id, run)
    return run
  }

  /** Read, change and write one run; returns null when the run does not exist. */
  async update(id: string, change: (run: RunRecord) => void): Promise<RunRecord | null> {
    const run = await this.get(id)
    if (!run) return null
    change(run)
    return this.save(run)
  }

  async list(q: RunQuery): Promise<RunPage> {
    const all = (await this.state.getGroup<RunRecord>(RUNS_GROUP))
      .filter((r) => (!q.repo || r.repo === q.repo) && (!q.status || r.status === q.status))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    return { total: all.length, limit: q.limit, offset: q.offset, runs: all.slice(q.offset, q.offset + q.limit) }
  }
}

/** An in-memory state for the CLI and tests. */
export class MemoryState implements KeyValueState {
  private groups = new Map<string, Map<string, unknown>>()
  async get<T>(group: string, key: string): Promise<T | null> {
    const v = this.groups.get(group)?.get(key)
    return v === undefined ? null : (structuredClone(v) as T)
  }
  async set<T>(group: string, key: string, value: T): Promise<T> {
    let g = this.groups.get(group)
    if (!g) this.groups.set(group, (g = new Map()))
    g.set(key, structuredClone(value))
    return value
  }
  async getGroup<T>(group: string): Promise<T[]> {
    return [...(this.groups.get(group)?.values() ?? [])].map((v) => structuredClone(v) as T)
  }
  async delete(group: string, key: string): Promise<unknown> {
    const v = await this.get(group, key)
    this.groups.get(group)?.delete(key)
    return v
  }
}
