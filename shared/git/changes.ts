import { git } from './git'
import { ZERO_SHA } from '../github/push-event'

export type ChangeKind = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed'

export interface ChangedFile {
  path: string
  kind: ChangeKind
  /** For renames: the old path. */
  from?: string
  additions: number
  deletions: number
}

export interface ChangeSet {
  base: string | null
  head: string
  files: ChangedFile[]
  additions: number
  deletions: number
  /** Why the base is what it is (first push, force push...). */
  note?: string
}

const KINDS: Record<string, ChangeKind> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed' }

async function commitExists(dir: string, sha: string): Promise<boolean> {
  try {
    await git(['cat-file', '-e', `${sha}^{commit}`], dir)
    return true
  } catch {
    return false
  }
}

/**
 * Files changed between `before` and `head` in a checkout. With no usable `before` (a new
 * branch, a force push to an unknown commit), compares with the head's first parent, and for a
 * root commit lists every file.
 */
export async function changedFiles(dir: string, head: string, before?: string | null): Promise<ChangeSet> {
  let base: string | null = null
  let note: string | undefined
  if (before && before !== ZERO_SHA && (await commitExists(dir, before))) base = before
  else {
    if (before && before !== ZERO_SHA) note = `before ${before.slice(0, 7)} is not in the repository (force push?); compared with the parent`
    else if (before === ZERO_SHA) note = 'new branch: compared with the parent commit'
    base = (await commitExists(dir, `${head}^`)) ? (await git(['rev-parse', `${head}^`], dir)).trim() : null
    if (!base) note = 'root commit: every file counts as added'
  }
  const range = base ? [base, head] : [head]
  const statusArgs = base ? ['diff', '--name-status', '-M', '-z', ...range] : ['show', '--format=', '--name-status', '-z', '--root', head]
  const numArgs = base ? ['diff', '--numstat', '-M', '-z', ...range] : ['show', '--format=', '--numstat', '-z', '--root', head]
  const [status, numstat] = await Promise.all([git(statusArgs, dir), git(numArgs, dir)])

  const files: ChangedFile[] = []
  const tokens = status.split('\0').filter((t) => t.length > 0)
  for (let i = 0; i < tokens.length; ) {
    const code = tokens[i++] ?? ''
    const kind = KINDS[code[0] ?? 'M'] ?? 'modified'
    if (kind === 'renamed' || kind === 'copied') {
      const from = tokens[i++] ?? ''
      const to = tokens[i++] ?? ''
      files.push({ path: to, from, kind, additions: 0, deletions: 0 })
    } else files.push({ path: tokens[i++] ?? '', kind, additions: 0, deletions: 0 })
  }
  // numstat -z: "add\tdel\tpath\0" or for renames "add\tdel\t\0from\0to\0"
  const nt = numstat.split('\0')
  const counts = new Map<string, [number, number]>()
  for (let i = 0; i < nt.length; i++) {
    const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(nt[i] ?? '')
    if (!m) continue
    const add = m[1] === '-' ? 0 : Number(m[1])
    const del = m[2] === '-' ? 0 : Number(m[2])
    let p = m[3] ?? ''
    if (p === '') {
      i += 2
      p = nt[i] ?? ''
    }
    counts.set(p, [add, del])
  }
  for (const f of files) {
    const c = counts.get(f.path)
    if (c) [f.additions, f.deletions] = c
  }
  return {
    base,
    head,
    files,
    additions: files.reduce((s, f) => s + f.additions, 0),
    deletions: files.reduce((s, f) => s + f.deletions, 0),
    ...(note ? { note } : {}),
  }
}
