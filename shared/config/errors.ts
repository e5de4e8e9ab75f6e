import type { z } from 'zod'

/** `['repositories', 0, 'deploy']` → `repositories[0].deploy` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out ? `.${String(key)}` : String(key)
  }
  return out || '(root)'
}

export interface ConfigProblem {
  path: string
  message: string
}

/** One line per problem, naming the path and, for enums and unknown keys, what is allowed. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    const path = formatPath(issue.path)
    switch (issue.code) {
      case 'invalid_value':
        return [{ path, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }]
      case 'unrecognized_keys':
        return issue.keys.map((k) => ({
          path: formatPath([...issue.path, k]),
          message: 'is not a known setting (check the spelling; see config/cicd.schema.json)',
        }))
      case 'invalid_type':
        return [{ path, message: `expected ${issue.expected}${issue.input === undefined ? ' (it is missing)' : `, got ${describe(issue.input)}`}` }]
      case 'invalid_union':
        return [{ path, message: issue.message }]
      default:
        return [{ path, message: issue.message }]
    }
  })
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${String(value)}`
}

/** Thrown when the config file cannot be used; `message` is ready to print. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: invalid configuration\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}
