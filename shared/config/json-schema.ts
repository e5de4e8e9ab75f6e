import { z } from 'zod'
import { cicdConfigSchema } from './schema'

/** The JSON Schema of config/cicd.yml for editors (what a user writes, before defaults). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(cicdConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return {
    ...schema,
    $id: 'https://github.com/intelligent-cicd/config/cicd.schema.json',
    title: 'Intelligent CI/CD pipelines (config/cicd.yml)',
  }
}
