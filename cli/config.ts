import path from 'node:path'
import { parseArgs } from 'node:util'
import { configFilePath, loadConfigFile } from '../shared/config/load'
import { ConfigError } from '../shared/config/errors'
import { configJsonSchema } from '../shared/config/json-schema'

export function validateConfigCommand(argv: string[]): number {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} })
  const file = positionals[0] ? path.resolve(positionals[0]) : configFilePath()
  try {
    const { config } = loadConfigFile(file)
    process.stdout.write(`${file}: valid, ${config.repositories.length} repositor${config.repositories.length === 1 ? 'y' : 'ies'}${config.repositories.length ? ` (${config.repositories.map((r) => r.name).join(', ')})` : ''}\n`)
    return 0
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`)
    return 1
  }
}

export function configSchemaCommand(): number {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`)
  return 0
}
