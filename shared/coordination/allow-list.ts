import { findRepository } from '../config/load'
import type { CicdConfig, RepositoryConfig } from '../config/schema'
import type { CiCommand } from './messages'

/** The repository a command may act on, with its GitHub owner and name. */
export interface Target {
  repo: RepositoryConfig
  owner: string
  name: string
  /** `owner/name`, as events and the audit log name it. */
  fullName: string
}

export type Allowance = ({ ok: true } & Target) | { ok: false; field: string; reason: string }

/** The configured repository for `nameOrFullName` (its cicd.yml name or `owner/name`) that names its GitHub repository. */
export function targetOf(config: CicdConfig, nameOrFullName: string): Target | null {
  const repo = findRepository(config, nameOrFullName)
  const [owner, name] = repo?.github?.split('/') ?? []
  return repo && owner && name ? { repo, owner, name, fullName: `${owner}/${name}` } : null
}

/**
 * Seed 000's governance: a command runs only for a repository in cicd.yml that names its GitHub
 * repository and lists the command in `coordination.commands` (merge: `coordination.merge: true`).
 * Checked when a command is published and again when it is executed (the config may have changed,
 * and agents can write to the queues directly).
 */
export function allowCommand(config: CicdConfig, cmd: Pick<CiCommand, 'type' | 'repo'>): Allowance {
  const repo = findRepository(config, cmd.repo)
  if (!repo) return { ok: false, field: 'repo', reason: `repo: "${cmd.repo}" is not a repository in cicd.yml` }
  const target = targetOf(config, cmd.repo)
  if (!target) return { ok: false, field: 'repo', reason: `repo: ${repo.name} has no "github: owner/name" in cicd.yml` }
  const c = repo.coordination
  if (cmd.type === 'merge') {
    if (!c.merge) return { ok: false, field: 'type', reason: `type: merge is not allowed for ${repo.name} (coordination.merge is false)` }
  } else if (!c.commands.includes(cmd.type)) {
    return { ok: false, field: 'type', reason: `type: ${cmd.type} is not on ${repo.name}'s allow-list (coordination.commands: [${c.commands.join(', ')}])` }
  }
  return { ok: true, ...target }
}
