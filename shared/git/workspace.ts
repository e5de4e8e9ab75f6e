import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { git, GitError } from './git'

export interface Workspace {
  dir: string
  commit: string
  /** True when an existing checkout of the same commit was reused. */
  reused: boolean
}

/** The per-run directory under `root` (the run id is validated to be a safe name). */
export function workspaceDir(root: string, runId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(runId)) throw new Error(`unsafe run id ${JSON.stringify(runId)}`)
  return path.resolve(root, runId)
}

/**
 * Checks out exactly `commit` from `source` (a local repository path or a clone URL) into the
 * run's directory. Reuses the directory when it already holds that commit (the test stage after
 * the build stage on the same machine); otherwise clones afresh.
 */
export async function prepareWorkspace(source: string, commit: string, root: string, runId: string): Promise<Workspace> {
  const dir = workspaceDir(root, runId)
  if (existsSync(path.join(dir, '.git'))) {
    try {
      const head = (await git(['rev-parse', 'HEAD'], dir)).trim()
      if (head.startsWith(commit) || commit.startsWith(head)) return { dir, commit: head, reused: true }
    } catch {
      /* broken checkout: start again */
    }
  }
  await rm(dir, { recursive: true, force: true })
  await mkdir(path.dirname(dir), { recursive: true })
  try {
    await git(['clone', '--quiet', '--no-checkout', '--no-hardlinks', source, dir], path.dirname(dir), 600_000)
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw new GitError(`cannot clone ${source}: ${err instanceof GitError ? err.message.replace(/^git clone failed: /, '') : String(err)}`, '')
  }
  try {
    const full = (await findCommit(dir, commit)).trim()
    await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', full], dir)
    return { dir, commit: full, reused: false }
  } catch {
    await rm(dir, { recursive: true, force: true })
    throw new GitError(`commit ${commit} is not in ${source} (was it pushed? is the repository path right?)`, '')
  }
}

/**
 * The commit in a fresh clone; a commit no branch or tag reaches (a pull request's head, from a
 * fork too: GitHub keeps those under refs/pull/N/head) is fetched by its SHA, then with the pull
 * request refs.
 */
async function findCommit(dir: string, commit: string): Promise<string> {
  const parse = () => git(['rev-parse', '--verify', '--quiet', `${commit}^{commit}`], dir)
  try {
    return await parse()
  } catch {
    /* not on a branch or tag */
  }
  if (/^[0-9a-f]{40}$/.test(commit)) await git(['fetch', '--quiet', 'origin', commit], dir, 600_000).catch(() => undefined)
  try {
    return await parse()
  } catch {
    /* not fetchable by SHA */
  }
  await git(['fetch', '--quiet', 'origin', '+refs/pull/*/head:refs/remotes/origin/pull/*'], dir, 600_000).catch(() => undefined)
  return parse()
}

export async function removeWorkspace(root: string, runId: string): Promise<void> {
  await rm(workspaceDir(root, runId), { recursive: true, force: true })
}

/** The commit a ref names in a repository (for `cicd run` without --commit). */
export async function resolveCommit(repoDir: string, ref = 'HEAD'): Promise<string> {
  return (await git(['rev-parse', '--verify', `${ref}^{commit}`], repoDir)).trim()
}
