/** Typed payloads: a Schema over a message's data, read as JSON text, plain text or bytes. */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * How a message's data carries a typed value: `json` (UTF-8 JSON text, the default), `text` (the UTF-8
 * text itself is the schema's encoded side) or `bytes` (the raw bytes are).
 */
export type Format = "json" | "text" | "bytes"

const decoder = /*#__PURE__*/ new TextDecoder()

const reason = (error: ParseResult.ParseError): string => ParseResult.TreeFormatter.formatErrorSync(error)

/** Decodes a message's data with `schema`; fails with the reason, in words. */
export const decode = <A, I, R>(schema: Schema.Schema<A, I, R>, format: Format) => {
  const decodeUnknown = Schema.decodeUnknown(schema)
  return (data: Uint8Array): Effect.Effect<A, string, R> => {
    if (format === "bytes") return Effect.mapError(decodeUnknown(data), reason)
    const text = decoder.decode(data)
    if (format === "text") return Effect.mapError(decodeUnknown(text), reason)
    return Effect.flatMap(
      Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => "the data is not JSON text" }),
      (json) => Effect.mapError(decodeUnknown(json), reason)
    )
  }
}

/** Encodes a value with `schema` into a message's data; fails with the reason, in words. */
export const encode = <A, I, R>(schema: Schema.Schema<A, I, R>, format: Format) => {
  const encodeUnknown = Schema.encode(schema)
  return (value: A): Effect.Effect<string | Uint8Array, string, R> =>
    Effect.flatMap(
      Effect.mapError(encodeUnknown(value), reason),
      (encoded): Effect.Effect<string | Uint8Array, string> => {
        if (format === "json") {
          return Effect.try({
            try: () => JSON.stringify(encoded),
            catch: () => "the encoded value cannot be written as JSON"
          })
        }
        if (format === "text") {
          return typeof encoded === "string"
            ? Effect.succeed(encoded)
            : Effect.fail("format \"text\" needs a schema whose encoded side is a string")
        }
        return encoded instanceof Uint8Array
          ? Effect.succeed(encoded)
          : Effect.fail("format \"bytes\" needs a schema whose encoded side is a Uint8Array")
      }
    )
}
