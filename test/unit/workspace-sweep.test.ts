import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sweepEndedWorkspaces } from '../../shared/pipeline/workspace-sweep'
import { newRun, type RunRecord } from '../../shared/runs/model'

let root = ''
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true })
})

function dir(name: string, ageMs: number): void {
  mkdirSync(path.join(root, name, 'src'), { recursive: true })
  writeFileSync(path.join(root, name, 'src', 'a.txt'), 'x')
  const t = (Date.now() - ageMs) / 1000
  utimesSync(path.join(root, name), t, t)
}

describe('sweeping workspaces of runs that ended on another instance', () => {
  it('removes only old directories whose run is known and ended', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cicd-sweep-'))
    const runs = new Map<string, RunRecord>()
    const add = (id: string, status: RunRecord['status']) => runs.set(id, { ...newRun({ id, repo: 'r', commit: 'abcdef1234', trigger: 'push' }), status })
    add('rdone', 'succeeded')
    add('rfailed', 'failed')
    add('rrunning', 'running')
    add('rfresh', 'succeeded')
    dir('rdone', 120_000)
    dir('rfailed', 120_000)
    dir('rrunning', 120_000)
    dir('rfresh', 1_000) // just touched: maybe still in use here
    dir('runknown', 120_000) // no record: not ours to judge
    mkdirSync(path.join(root, 'not a run id'))
    writeFileSync(path.join(root, 'rfile'), 'a file, not a workspace')

    const removed = await sweepEndedWorkspaces(root, async (id) => runs.get(id) ?? null)
    expect(removed.sort()).toEqual(['rdone', 'rfailed'])
    for (const kept of ['rrunning', 'rfresh', 'runknown', 'not a run id', 'rfile']) expect(existsSync(path.join(root, kept)), kept).toBe(true)
    expect(existsSync(path.join(root, 'rdone'))).toBe(false)
  })

  it('looks at the oldest first, within its limit, and survives a missing root or a failing store', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cicd-sweep-'))
    expect(await sweepEndedWorkspaces(path.join(root, 'missing'), async () => null)).toEqual([])
    const ended = (id: string) => ({ ...newRun({ id, repo: 'r', commit: 'abcdef1234', trigger: 'push' }), status: 'succeeded' as const })
    dir('rold', 600_000)
    dir('rmid', 300_000)
    dir('rnew', 120_000)
    expect(await sweepEndedWorkspaces(root, async (id) => ended(id), { limit: 2 })).toEqual(['rold', 'rmid'])
    expect(await sweepEndedWorkspaces(root, async () => Promise.reject(new Error('Redis down')))).toEqual([])
    expect(existsSync(path.join(root, 'rnew'))).toBe(true)
  })
})
