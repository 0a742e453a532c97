/**
 * Schema checking and message validation (§5.7): JSON schemas with ajv, AVRO schemas with avsc.
 *
 * What the emulator does, for both types, on `schemas:create`/`update`, `:validate` and on every publish to a
 * topic with a schema: the schema is compiled for real (an uncompilable one is a 400 with the compiler's
 * text), and every message's `data` is base64-decoded (Go's strict decoder) and validated for real, the
 * first failing message's index in the 400 text; a refused batch stores nothing.
 * - JSON: the decoded bytes must be a JSON document that the JSON schema accepts.
 * - AVRO: the decoded bytes must be the Avro binary encoding of one value of the schema (no container file,
 *   no Confluent header), as the server's goavro `NativeFromBinary` reads it; bytes left over after the value
 *   are ignored, as the server ignores them. `:validate` takes `{"data": "<base64 binary>"}` for AVRO and the
 *   raw JSON document for JSON.
 *
 * Where the texts differ from the server's (gojsonschema and goavro):
 * - base64: Go's `StdEncoding` texts, "illegal base64 data at input byte N", reproduced exactly.
 * - JSON schema errors: gojsonschema's `<field>: <description>` format (`(root)` for the document, dotted
 *   paths below it) and its descriptions for the common keywords (required, type, enum, const, lengths,
 *   bounds, pattern, format, items, additional properties); other keywords carry ajv's own wording. ajv
 *   compiles drafts 06/07; a `$schema` naming another draft (04) is dropped before compiling. The invalid
 *   primitive type compile error uses gojsonschema's text; other compile errors use ajv's.
 * - A message that is not JSON: "data is not valid JSON format," with a Go-like `encoding/json` text for the
 *   common cases (bad first character, truncated input, nesting past 10000), otherwise JavaScript's text.
 * - AVRO schema errors: avsc's text, except its unknown-type error, renamed to goavro's
 *   `unknown type name: "X"`. AVRO decoding failures read `cannot decode binary record "<name>": <reason>`
 *   for records (`cannot decode binary <type>: <reason>` otherwise), shorter than goavro's nested texts.
 */
import { Ajv, type ErrorObject } from "ajv"
import * as AjvFormatsModule from "ajv-formats"
import * as AvscModule from "avsc"
import * as Either from "effect/Either"
import * as Json from "./json.js"

// Both packages are CommonJS: native ESM sees only `default`, bundlers and tsc see the named exports too.
const addFormats = ((AjvFormatsModule as unknown as { readonly default: unknown }).default as {
  readonly default?: (ajv: Ajv) => Ajv
}).default ?? ((AjvFormatsModule as unknown as { readonly default: (ajv: Ajv) => Ajv }).default)
const Avro: typeof AvscModule = (AvscModule as unknown as { readonly default?: typeof AvscModule }).default ??
  AvscModule

/** The schema types the server knows. */
export type SchemaType = "json" | "avro"

/** The supported-type error text. */
export const unsupportedType = "Schema type can only be 'json' or 'avro'"

// --- base64, the way Go's base64.StdEncoding.DecodeString does it ------------------------------------

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/** Go's strict padded base64 decoder: the bytes, or Go's `illegal base64 data at input byte N` text. */
export const decodeBase64 = (text: string): Either.Either<Uint8Array, string> => {
  const src = Buffer.from(text, "latin1")
  const out: Array<number> = []
  const corrupt = (at: number) => Either.left(`illegal base64 data at input byte ${at}`)
  const isNewline = (c: number | undefined) => c === 10 || c === 13
  let si = 0
  while (si < src.length) {
    const quantum: Array<number> = []
    let j = 0
    let done = false
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Either.right(Uint8Array.from(out))
        return corrupt(si - j)
      }
      const c = src[si]!
      si++
      const value = alphabet.indexOf(String.fromCharCode(c))
      if (value >= 0) {
        quantum.push(value)
        continue
      }
      if (isNewline(c)) {
        j--
        continue
      }
      if (c !== 61) return corrupt(si - 1)
      if (j === 0 || j === 1) return corrupt(si - 1)
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++
        if (si === src.length) return corrupt(src.length)
        if (src[si] !== 61) return corrupt(si - 1)
        si++
      }
      while (si < src.length && isNewline(src[si])) si++
      if (si < src.length) return corrupt(si)
      done = true
      break
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum
    const n = (a << 18) | (b << 12) | (c << 6) | d
    const count = quantum.length === 4 ? 3 : quantum.length - 1
    out.push(...[(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].slice(0, count))
    if (done) break
    while (si < src.length && isNewline(src[si])) si++
  }
  return Either.right(Uint8Array.from(out))
}

// --- JSON schema --------------------------------------------------------------------------------------

const primitiveTypes = ["array", "boolean", "integer", "number", "null", "object", "string"]
const valueKeywords: ReadonlySet<string> = new Set(["enum", "const", "default", "examples"])

const invalidPrimitive = (schema: unknown): string | undefined => {
  if (Array.isArray(schema)) {
    for (const item of schema) {
      const found = invalidPrimitive(item)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (typeof schema !== "object" || schema === null) return undefined
  for (const [key, value] of Object.entries(schema)) {
    if (valueKeywords.has(key)) continue
    if (key === "type") {
      const types = typeof value === "string" ? [value] : Array.isArray(value) ? value : []
      const bad = types.find((t) => typeof t === "string" && !primitiveTypes.includes(t))
      if (typeof bad === "string") {
        return `has a primitive type that is NOT VALID -- given: /${bad}/ Expected valid values are:[${
          primitiveTypes.join(" ")
        }]`
      }
      continue
    }
    const found = invalidPrimitive(value)
    if (found !== undefined) return found
  }
  return undefined
}

const draft07 = /draft-0[67]\/schema#?$/

const prepare = (schema: unknown): unknown => {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return schema
  const record = schema as Record<string, unknown>
  if (typeof record["$schema"] === "string" && !draft07.test(record["$schema"])) {
    const { $schema: _ignored, ...rest } = record
    return rest
  }
  return schema
}

const compileJson = (schema: unknown) =>
  Either.try({
    try: () => {
      const ajv = new Ajv({ allErrors: true, strict: false })
      addFormats(ajv)
      return ajv.compile(prepare(schema ?? {}) as object)
    },
    catch: (error) => (error instanceof Error ? error.message : String(error))
  })

const jsonType = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "array"
    : typeof value === "number"
    ? Number.isInteger(value) ? "integer" : "number"
    : typeof value

const fieldOf = (path: string): string => (path === "" ? "(root)" : path.slice(1).split("/").join("."))

const valueAt = (document: unknown, path: string): unknown =>
  path === "" ? document : path.slice(1).split("/").reduce<unknown>((node, part) => {
    if (typeof node !== "object" || node === null) return undefined
    return (node as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")]
  }, document)

const quoteAll = (values: unknown): string =>
  Array.isArray(values) ? values.map((v) => JSON.stringify(v)).join(", ") : JSON.stringify(values)

/** gojsonschema's `ResultError.String()` for one ajv error. */
const describe = (error: ErrorObject, document: unknown): string => {
  const field = fieldOf(error.instancePath)
  const p = error.params as Record<string, unknown>
  const text = (description: string) => `${field}: ${description}`
  switch (error.keyword) {
    case "required":
      return text(`${String(p["missingProperty"])} is required`)
    case "type":
      return text(
        `Invalid type. Expected: ${String(p["type"]).split(",").join("/")}, given: ${
          jsonType(valueAt(document, error.instancePath))
        }`
      )
    case "enum":
      return text(`${field} must be one of the following: ${quoteAll(p["allowedValues"])}`)
    case "const":
      return text(`${field} does not match: ${quoteAll(p["allowedValue"])}`)
    case "minLength":
      return text(`String length must be greater than or equal to ${String(p["limit"])}`)
    case "maxLength":
      return text(`String length must be less than or equal to ${String(p["limit"])}`)
    case "pattern":
      return text(`Does not match pattern '${String(p["pattern"])}'`)
    case "format":
      return text(`Does not match format '${String(p["format"])}'`)
    case "minimum":
      return text(`Must be greater than or equal to ${String(p["limit"])}`)
    case "maximum":
      return text(`Must be less than or equal to ${String(p["limit"])}`)
    case "exclusiveMinimum":
      return text(`Must be greater than ${String(p["limit"])}`)
    case "exclusiveMaximum":
      return text(`Must be less than ${String(p["limit"])}`)
    case "multipleOf":
      return text(`Must be a multiple of ${String(p["multipleOf"])}`)
    case "minItems":
      return text(`Array must have at least ${String(p["limit"])} items`)
    case "maxItems":
      return text(`Array must have at most ${String(p["limit"])} items`)
    case "additionalProperties":
      return text(`Additional property ${String(p["additionalProperty"])} is not allowed`)
    default:
      return text(error.message ?? error.keyword)
  }
}

const goJsonError = (text: string, error: unknown): string => {
  const trimmed = text.trimStart()
  if (trimmed === "") return "unexpected end of JSON input"
  if (!/^[[{"\-0-9tfn]/.test(trimmed)) return `invalid character '${trimmed[0]}' looking for beginning of value`
  return error instanceof Error ? error.message : String(error)
}

// --- AVRO ---------------------------------------------------------------------------------------------

const compileAvro = (schema: unknown) =>
  Either.try({
    try: () => Avro.Type.forSchema(schema as AvscModule.Schema),
    catch: (error) => {
      const message = error instanceof Error ? error.message : String(error)
      const unknown = /^(?:undefined type name|unknown type): "?([^"]*)"?$/.exec(message)
      return unknown === null ? message : `unknown type name: "${unknown[1]}"`
    }
  })

const avroLabel = (type: AvscModule.Type): string =>
  type.typeName === "record" ? `record "${type.name ?? ""}"` : type.typeName

// --- public API ---------------------------------------------------------------------------------------

/** Normalises a type name (case-insensitive); `undefined` when unsupported. */
export const parseType = (text: string): SchemaType | undefined => {
  const lower = text.toLowerCase()
  return lower === "json" || lower === "avro" ? lower : undefined
}

/**
 * Checks a schema on create/update like the server's `checkSchema`: `Left` with the text to answer with
 * (400 INVALID_ARGUMENT), including the unsupported-type text.
 */
export const check = (type: string, schema: unknown): Either.Either<void, string> => {
  try {
    return checkUnsafe(type, schema)
  } catch (error) {
    // A schema nested deeply enough to exhaust the stack: refused like any schema that does not compile.
    return Either.left(error instanceof Error ? error.message : String(error))
  }
}

const checkUnsafe = (type: string, schema: unknown): Either.Either<void, string> => {
  switch (parseType(type)) {
    case "json": {
      const primitive = invalidPrimitive(schema)
      if (primitive !== undefined) return Either.left(primitive)
      return Either.map(compileJson(schema), () => undefined)
    }
    case "avro":
      return Either.map(compileAvro(schema), () => undefined)
    default:
      return Either.left(unsupportedType)
  }
}

/** Why a batch failed: a 400 text, or a schema that cannot be loaded (500 "Could not load schema for topic"). */
export type Invalid = { readonly _tag: "Invalid"; readonly message: string } | { readonly _tag: "Unloadable" }

/**
 * Validates base64 message payloads against a schema, stopping at the first failing message (§3.3 texts).
 */
export const validate = (
  type: string,
  schema: unknown,
  payloads: ReadonlyArray<string>
): Either.Either<void, Invalid> => {
  const invalid = (message: string): Either.Either<void, Invalid> => Either.left({ _tag: "Invalid", message })
  const unloadable: Either.Either<void, Invalid> = Either.left({ _tag: "Unloadable" })
  const decodeAll = (onMessage: (i: number, bytes: Uint8Array) => string | undefined) => {
    for (const [i, data] of payloads.entries()) {
      const bytes = decodeBase64(data)
      if (Either.isLeft(bytes)) return invalid(`Message ${i} is not in valid base64 enocding,${bytes.left}`)
      const failure = onMessage(i, bytes.right)
      if (failure !== undefined) return invalid(failure)
    }
    return Either.void
  }
  switch (parseType(type)) {
    case "json": {
      const compiled = compileJson(schema)
      if (Either.isLeft(compiled)) return unloadable
      const validator = compiled.right
      return decodeAll((i, bytes) => {
        const text = Buffer.from(bytes).toString("utf8")
        if (Json.tooDeep(text)) return `Message ${i} data is not valid JSON format,exceeded max depth`
        let document: unknown
        try {
          document = JSON.parse(text)
        } catch (error) {
          return `Message ${i} data is not valid JSON format,${goJsonError(text, error)}`
        }
        let valid: boolean
        try {
          valid = validator(document)
        } catch (error) {
          return `Message ${i} data is not valid,(root): ${error instanceof Error ? error.message : String(error)}`
        }
        if (valid) return undefined
        const errors = (validator.errors ?? []).map((e) => describe(e, document))
        return errors.length > 1
          ? `Message ${i} data is not valid.${errors.map((e, k) => `${k + 1})${e}.`).join("")}`
          : `Message ${i} data is not valid,${errors[0] ?? "(root): invalid"}`
      })
    }
    case "avro": {
      const compiled = compileAvro(schema)
      if (Either.isLeft(compiled)) return unloadable
      const avroType = compiled.right
      return decodeAll((i, bytes) => {
        try {
          const decoded = avroType.decode(Buffer.from(bytes), 0)
          return decoded.offset < 0
            ? `Message ${i} is not valid.cannot decode binary ${avroLabel(avroType)}: short buffer`
            : undefined
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          return `Message ${i} is not valid.cannot decode binary ${avroLabel(avroType)}: ${reason}`
        }
      })
    }
    default:
      return unloadable
  }
}
