// JSON in and out the way the Go server does it: case-insensitive keys, strict types, HTML-escaped output.
import * as Option from "effect/Option"

/** A decoder of one JSON value: `None` when the value has the wrong type (Go's UnmarshalTypeError). */
export type Decode<A> = (u: unknown) => Option.Option<A>

/** `encoding/json` refuses documents nested deeper than this ("exceeded max depth"). */
export const maxDepth = 10_000

/** True when arrays and objects nest deeper than `maxDepth` (brackets inside strings do not count). */
export const tooDeep = (text: string): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      if (++depth > maxDepth) return true
    } else if (c === 93 || c === 125) depth--
  }
  return false
}

/** Parses a JSON text; `None` for anything `encoding/json` would reject (including "" and deep nesting). */
export const parse = (text: string): Option.Option<unknown> => {
  if (tooDeep(text)) return Option.none()
  try {
    return Option.some(JSON.parse(text) as unknown)
  } catch {
    return Option.none()
  }
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Looks a key up the way Go does: case-insensitively, the last matching key winning. */
export const lookup = (obj: Readonly<Record<string, unknown>>, name: string): unknown => {
  const wanted = name.toLowerCase()
  let found: unknown = undefined
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === wanted) found = obj[key]
  }
  return found
}

/** A Go `string` field: `null` keeps the zero value "". */
export const string: Decode<string> = (u) =>
  u === null ? Option.some("") : typeof u === "string" ? Option.some(u) : Option.none()

// Go's int is 64 bits: a larger number does not decode (UnmarshalTypeError), so it is never stored and never
// rendered in exponent notation. (A literal like `1.0` or `1e3` is also refused by Go; JSON.parse cannot tell it
// from `1` or `1000`, so those are accepted here.)
const intLimit = 2 ** 63

/** A Go `int` field: an integral JSON number within 64 bits; `null` keeps 0. */
export const int: Decode<number> = (u) =>
  u === null
    ? Option.some(0)
    : typeof u === "number" && Number.isInteger(u) && Math.abs(u) < intLimit
    ? Option.some(u)
    : Option.none()

/** A Go `bool` field: `null` keeps false. */
export const bool: Decode<boolean> = (u) =>
  u === null ? Option.some(false) : typeof u === "boolean" ? Option.some(u) : Option.none()

/** A Go slice: `null` stays `null`, items decoded one by one. */
export const array = <A>(item: Decode<A>): Decode<ReadonlyArray<A> | null> => (u) => {
  if (u === null) return Option.some(null)
  if (!Array.isArray(u)) return Option.none()
  const out: Array<A> = []
  for (const element of u) {
    const decoded = item(element)
    if (Option.isNone(decoded)) return Option.none()
    out.push(decoded.value)
  }
  return Option.some(out)
}

/** A Go `map[string]string`: `null` is an empty map. */
export const stringMap: Decode<Readonly<Record<string, string>>> = (u) => {
  if (u === null) return Option.some({})
  if (!isRecord(u)) return Option.none()
  const out: Array<readonly [string, string]> = []
  for (const [key, value] of Object.entries(u)) {
    const decoded = string(value)
    if (Option.isNone(decoded)) return Option.none()
    out.push([key, decoded.value])
  }
  // fromEntries defines own properties, so a key like `__proto__` is kept as data (an assignment would drop it).
  return Option.some(Object.fromEntries(out))
}

/** The decoded fields of a struct: absent keys are `undefined`. */
export type StructOf<F extends Record<string, Decode<unknown>>> = {
  readonly [K in keyof F]: F[K] extends Decode<infer A> ? A | undefined : never
}

/** A Go struct: a JSON object (or `null`) whose known keys are matched case-insensitively. */
export const struct = <F extends Record<string, Decode<unknown>>>(fields: F): Decode<StructOf<F>> => (u) => {
  if (u !== null && !isRecord(u)) return Option.none()
  const out: Record<string, unknown> = {}
  for (const name of Object.keys(fields)) {
    const raw = u === null ? undefined : lookup(u, name)
    if (raw === undefined) {
      out[name] = undefined
      continue
    }
    const decoded = fields[name]!(raw)
    if (Option.isNone(decoded)) return Option.none()
    out[name] = decoded.value
  }
  return Option.some(out as StructOf<F>)
}

/** Parses and decodes a request body in one go. */
export const decodeBody = <A>(text: string, decode: Decode<A>): Option.Option<A> => Option.flatMap(parse(text), decode)

const escapeHtml = (text: string): string =>
  text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** Go's `json.MarshalIndent(v, "", "   ")`. */
export const pretty = (value: unknown): string => escapeHtml(JSON.stringify(value, null, 3))

/** Go's `json.MarshalIndent(v, "", " ")` (status, version, VA metrics and the schema routes). */
export const oneSpace = (value: unknown): string => escapeHtml(JSON.stringify(value, null, 1))

/** Go's `json.Marshal(v)`. */
export const compact = (value: unknown): string => escapeHtml(JSON.stringify(value))
