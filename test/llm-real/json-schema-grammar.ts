/**
 * The JSON Schema of an OpenAI `response_format` (what the AI SDK makes of a zod schema), as the
 * subset node-llama-cpp's JSON-schema grammar understands. node-llama-cpp quietly turns a schema
 * it does not know into `null`; this says which features it would have dropped instead, so the
 * server can answer 400. Bounds the grammar cannot enforce (minimum, maximum, …) are accepted and
 * dropped: the client validates and clamps them.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
type Schema = { [k: string]: Json }

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment'])
/** Validated by the client (zod), not by the grammar. */
const UNENFORCED = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'required', 'uniqueItems'])
const BASIC_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null'])
const FORMATS = new Set(['date-time', 'time', 'date'])

export type GrammarSchemaResult = { ok: true; schema: Schema } | { ok: false; unsupported: string[] }

const isSchema = (v: Json | undefined): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)

export function toGrammarSchema(root: Json): GrammarSchemaResult {
  const unsupported: string[] = []
  const defs: Schema = { ...(isSchema(root) && isSchema(root.$defs) ? root.$defs : {}), ...(isSchema(root) && isSchema(root.definitions) ? root.definitions : {}) }

  const convert = (s: Json, at: string, depth: number): Schema => {
    if (s === true || (isSchema(s) && Object.keys(s).every((k) => ANNOTATIONS.has(k)))) return ANY
    if (!isSchema(s) || depth > 64) {
      unsupported.push(`${at}: ${JSON.stringify(s)?.slice(0, 40)}`)
      return { type: 'null' }
    }
    const out: Schema = {}
    const allow = (k: string) => ANNOTATIONS.has(k) || UNENFORCED.has(k)
    for (const [k, v] of Object.entries(s)) {
      const here = `${at}/${k}`
      switch (k) {
        case '$ref': {
          const name = typeof v === 'string' ? /^#\/(?:\$defs|definitions)\/(.+)$/.exec(v)?.[1] : undefined
          const target = name !== undefined ? defs[name] : undefined
          if (target === undefined) unsupported.push(`${here}: ${String(v)}`)
          else Object.assign(out, convert(target, here, depth + 1))
          break
        }
        case '$defs':
        case 'definitions':
          break
        case 'type':
          if (typeof v === 'string' && (BASIC_TYPES.has(v) || v === 'object' || v === 'array')) out.type = v
          else if (Array.isArray(v) && v.every((t) => typeof t === 'string' && BASIC_TYPES.has(t))) out.type = v
          else unsupported.push(`${here}: ${JSON.stringify(v)}`)
          break
        case 'properties':
          if (isSchema(v)) out.properties = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, convert(ps, `${here}/${p}`, depth + 1)]))
          else unsupported.push(here)
          break
        case 'additionalProperties':
          out.additionalProperties = typeof v === 'boolean' ? v : convert(v, here, depth + 1)
          break
        case 'items':
          if (Array.isArray(v)) out.prefixItems = v.map((x, i) => convert(x, `${here}/${i}`, depth + 1))
          else out.items = convert(v, here, depth + 1)
          break
        case 'prefixItems':
          if (Array.isArray(v)) out.prefixItems = v.map((x, i) => convert(x, `${here}/${i}`, depth + 1))
          else unsupported.push(here)
          break
        case 'anyOf':
        case 'oneOf':
          if (Array.isArray(v)) out.oneOf = v.map((x, i) => convert(x, `${here}/${i}`, depth + 1))
          else unsupported.push(here)
          break
        case 'enum':
          if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) out.enum = v
          else unsupported.push(here)
          break
        case 'const':
          if (v === null || typeof v !== 'object') out.const = v
          else unsupported.push(here)
          break
        case 'format':
          if (typeof v === 'string' && FORMATS.has(v)) out.format = v
          else if (!(typeof v === 'string' && s.type === 'string')) unsupported.push(`${here}: ${String(v)}`)
          // other string formats (email, uri, …) are left to the client's validation
          break
        case 'minLength':
        case 'maxLength':
        case 'minItems':
        case 'maxItems':
        case 'minProperties':
        case 'maxProperties':
          if (typeof v === 'number') out[k] = v
          break
        default:
          if (!allow(k)) unsupported.push(`${here}`)
      }
    }
    if (typeof out.format === 'string' && (out.minLength !== undefined || out.maxLength !== undefined)) unsupported.push(`${at}: format with a length`)
    if (out.type === 'object' && out.properties === undefined && out.additionalProperties === undefined) out.additionalProperties = true
    if (out.type === undefined && out.oneOf === undefined && out.enum === undefined && out.const === undefined && !('$ref' in s)) {
      if (out.properties !== undefined) out.type = 'object'
      else if (out.items !== undefined || out.prefixItems !== undefined) out.type = 'array'
      else return ANY
    }
    return out
  }

  const schema = convert(root, '#', 0)
  return unsupported.length ? { ok: false, unsupported } : { ok: true, schema }
}

/** Any JSON value: what node-llama-cpp's grammar makes of `additionalProperties: true`. */
const ANY: Schema = { oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'array' }, { type: 'object', additionalProperties: true }] }
