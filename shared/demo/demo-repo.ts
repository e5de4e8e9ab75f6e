import { cpSync, existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { git } from '../git/git'

/**
 * Makes `<stateDir>/demo-repo`, a git repository holding examples/demo, so the embedded
 * config has a real repository to build on a fresh machine. Left alone once it exists.
 */
export async function ensureDemoRepo(productRoot: string, stateDir: string): Promise<string> {
  const dir = path.join(stateDir, 'demo-repo')
  if (existsSync(path.join(dir, '.git'))) return dir
  mkdirSync(dir, { recursive: true })
  cpSync(path.join(productRoot, 'examples/demo'), dir, { recursive: true })
  await git(['init', '-q', '-b', 'main'], dir)
  await git(['add', '-A'], dir)
  await git(['-c', 'user.name=cicd', '-c', 'user.email=cicd@localhost', 'commit', '-q', '-m', 'demo: initial commit'], dir)
  return dir
}
