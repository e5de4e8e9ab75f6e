/** JSON values as the notation sees them, and the few helpers every part needs. */
export type JsonPrimitive = string | number | boolean | null
export type JsonArray = JsonValue[]
export interface JsonObject {
  [key: string]: JsonValue
}
export type JsonValue = JsonPrimitive | JsonArray | JsonObject

export function isJsonObject(v: unknown): v is JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** Sets an own, enumerable property, `__proto__` included (plain assignment would set the prototype). */
export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true })
  else obj[key] = value
}

/** Structural equality of JSON values (key order ignored; `-0` equals `0` as JSON has it). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] as JsonValue, b[i] as JsonValue)) return false
    return true
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false
    const ka = Object.keys(a)
    if (ka.length !== Object.keys(b).length) return false
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) return false
      if (!jsonEqual(a[k] as JsonValue, b[k] as JsonValue)) return false
    }
    return true
  }
  return false
}

export function cloneJson(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(cloneJson)
  if (isJsonObject(v)) {
    const out: JsonObject = {}
    for (const k of Object.keys(v)) setOwn(out, k, cloneJson(v[k] as JsonValue))
    return out
  }
  return v
}
