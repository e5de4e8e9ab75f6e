import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseDocument } from 'yaml'
import { cicdConfigSchema, type CicdConfig, type RepositoryConfig } from './schema'
import { ConfigError, describeIssues } from './errors'
import { environmentNames } from './deploy'

export const DEFAULT_CONFIG_FILE = 'config/cicd.yml'

/** The config file in use: `CICD_CONFIG`, else config/cicd.yml under the working directory. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return path.resolve(cwd, env.CICD_CONFIG || DEFAULT_CONFIG_FILE)
}

export interface LoadedConfig {
  file: string
  config: CicdConfig
}

/** Parses and validates YAML text; relative repository paths are resolved against the file's folder. */
export function parseConfig(text: string, file: string): CicdConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    )
  }
  const raw: unknown = doc.toJS() ?? {}
  const parsed = cicdConfigSchema.safeParse(raw, { reportInput: true })
  if (!parsed.success) throw new ConfigError(file, describeIssues(parsed.error.issues))
  const clashes = entrypointClashes(parsed.data)
  if (clashes.length) throw new ConfigError(file, clashes)
  const dir = path.dirname(file)
  for (const repo of parsed.data.repositories) {
    if (repo.path) repo.path = path.resolve(dir, repo.path)
  }
  return parsed.data
}

export function loadConfigFile(file: string): LoadedConfig {
  if (!existsSync(file)) throw new ConfigError(file, [{ path: '(file)', message: 'does not exist (set CICD_CONFIG or create config/cicd.yml)' }])
  if (!statSync(file).isFile()) throw new ConfigError(file, [{ path: '(file)', message: 'is not a file (a YAML file such as config/cicd.yml)' }])
  return { file, config: parseConfig(readFileSync(file, 'utf8'), file) }
}

let cached: { file: string; mtimeMs: number; loaded: LoadedConfig } | undefined

/** Loads the config in use, re-reading it when the file changes. Throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = configFilePath(env)
  const mtimeMs = existsSync(file) ? statSync(file).mtimeMs : -1
  if (cached && cached.file === file && cached.mtimeMs === mtimeMs) return cached.loaded
  const loaded = loadConfigFile(file)
  cached = { file, mtimeMs, loaded }
  return loaded
}

/** Finds a repository by its name or by its GitHub `owner/name`. */
export function findRepository(config: CicdConfig, nameOrFullName: string): RepositoryConfig | undefined {
  const key = nameOrFullName.toLowerCase()
  return config.repositories.find((r) => r.name === key || r.github?.toLowerCase() === key)
}

/** Two environments on one host port: the second deploy would take the first one's entrypoint. */
function entrypointClashes(config: CicdConfig): Array<{ path: string; message: string }> {
  const seen: Array<{ path: string; port: number; bind: string }> = []
  const out: Array<{ path: string; message: string }> = []
  config.repositories.forEach((repo, i) => {
    for (const env of environmentNames) {
      const e = repo.deploy[env]
      if (e.port === undefined) continue
      const here = `repositories[${i}].deploy.${env}.port`
      const other = seen.find((x) => x.port === e.port && (x.bind === e.bind || x.bind === '0.0.0.0' || e.bind === '0.0.0.0'))
      if (other) out.push({ path: here, message: `${e.port} is also ${other.path}: each environment needs its own entrypoint port` })
      seen.push({ path: here, port: e.port, bind: e.bind })
    }
  })
  return out
}
