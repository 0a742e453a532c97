/**
 * Messages: what you publish (text or bytes plus string attributes) and what a pull returns
 * (binary-safe data, attributes, id, publish time, and the ack id).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { AmsDecodeError, AmsMessageError } from "./AmsError.js"
import * as Base64 from "./internal/base64.js"
import { decodeData, decodeTime } from "./internal/fast.js"
import { excerpt } from "./internal/response.js"

/**
 * A message to publish: `data` (a UTF-8 string or bytes, sent as base64) and/or string `attributes`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Outgoing {
  readonly data?: string | Uint8Array | undefined
  readonly attributes?: Readonly<Record<string, string>> | undefined
}

/**
 * Builds a message to publish. It is checked when published: a message needs data or at least one
 * attribute.
 *
 * @example
 * import { Message } from "@argo-ams/client"
 *
 * const message = Message.make({ data: "{\"host\":\"a\"}", attributes: { type: "status" } })
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (message: Outgoing): Outgoing => message

/**
 * A message as it travels to the server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Encoded {
  readonly data: string
  readonly attributes?: Readonly<Record<string, string>>
}

/**
 * The largest record, in bytes, the server's Kafka producer accepts (Sarama's
 * `Producer.MaxMessageBytes` in the server's `brokers/kafka.go`). A message whose `recordBytes` is
 * larger is refused before any request: the server would refuse it mid-batch, after publishing the
 * messages before it.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxRecordBytes = 1_500_000

// What the server stores for one message: `json.MarshalIndent(message, "", "   ")` of
// `{messageId, attributes?, data, publishTime}`, and Sarama counts that value plus a fixed record
// overhead (`5 * MaxVarintLen32 + MaxVarintLen64 + 1`, no key, no headers). The id and the time are
// only known once stored, so the longest ones are assumed: an int64 offset has at most 19 digits and
// Go's `2006-01-02T15:04:05.999999999Z` layout at most 30 characters. The fixed parts of the
// pretty-printed object, quotes and separators included, are 59 bytes; a non-empty attributes object
// adds 24 bytes plus 14 per entry.
const recordOverhead = 36
const longestId = 19
const longestPublishTime = 30
const fixedJson = 59
const attributesJson = 24
const attributeJson = 14

// Plain base64 needs no escaping: the common case is its length.
const plain = /^[A-Za-z0-9+/=]*$/

// The bytes Go's encoding/json (Go 1.21, HTML-safe escaping) writes for the characters of a string.
// Attribute text with `"`, `\` or control characters is refused before this is used: for the rest, the
// raw bytes the server writes for an attribute and this escaped count agree.
const jsonBytes = (text: string): number => {
  if (plain.test(text)) return text.length
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 || c === 0x5c || c === 0x0a || c === 0x0d || c === 0x09) bytes += 2
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) bytes += 6
    else if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3 // the rest of the BMP, and a lone surrogate, which Go stores as U+FFFD
  }
  return bytes
}

/**
 * The bytes the server counts against `maxRecordBytes` for one encoded message, assuming the longest
 * message id and publish time (so at most 28 bytes more than the server counts for a given message).
 *
 * @since 0.1.0
 * @category encoding
 */
export const recordBytes = (message: Encoded): number => record(jsonBytes(message.data), message.attributes)

/** `recordBytes` from the bytes of the data's JSON text. */
const record = (dataBytes: number, attributeMap: Encoded["attributes"]): number => {
  let bytes = recordOverhead + fixedJson + longestId + longestPublishTime + dataBytes
  const attributes = attributeMap === undefined ? [] : Object.entries(attributeMap)
  if (attributes.length > 0) {
    bytes += attributesJson
    for (const [key, value] of attributes) bytes += attributeJson + jsonBytes(key) + jsonBytes(value)
  }
  return bytes
}

// The server writes attributes into JSON without escaping: a `"`, a `\` or a control character
// (U+0000–U+001F) makes every later pull of the subscription fail to parse. A lone surrogate would be
// stored as U+FFFD, another text than the one sent.
// An attribute named in an error, at most 40 characters of it.
const quote = (key: string): string => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)

const attributeProblem = (text: string): string | undefined => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 || c === 0x5c) return "contains '\"' or '\\', which AMS stores as broken JSON"
    if (c < 0x20) {
      return `contains the control character U+${c.toString(16).padStart(4, "0")}, which AMS stores as broken JSON`
    }
    if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++
    else if (c >= 0xd800 && c < 0xe000) return "contains a lone UTF-16 surrogate, which AMS stores as U+FFFD"
  }
  return undefined
}

// A plain function, not a closure made on every call: `encode` is on the publish path of every message.
const refuse = (operation: string, index: number, reason: string) =>
  Either.left(new AmsMessageError({ operation, index, message: reason }))

/**
 * Checks and encodes one message for the wire, or says why it cannot be sent.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (message: unknown, index: number, operation = "message.encode"): Either.Either<
  Encoded,
  AmsMessageError
> => {
  if (!Predicate.isRecord(message)) return refuse(operation, index, `Message ${index} is not an object`)
  const { attributes, data } = message as { readonly data?: unknown; readonly attributes?: unknown }
  if (data !== undefined && !Predicate.isString(data) && !(data instanceof Uint8Array)) {
    return refuse(operation, index, `Message ${index}: data must be a string or a Uint8Array`)
  }
  if (attributes !== undefined && !Predicate.isRecord(attributes)) {
    return refuse(operation, index, `Message ${index}: attributes must be an object of strings`)
  }
  const attributeEntries: Array<[string, unknown]> = attributes === undefined ? [] : Object.entries(attributes)
  const checked: Record<string, string> = {}
  for (const [key, value] of attributeEntries) {
    if (!Predicate.isString(value)) {
      return refuse(operation, index, `Message ${index}: attribute ${quote(key)} is not a string`)
    }
    const problem = attributeProblem(key) ?? attributeProblem(value)
    if (problem !== undefined) return refuse(operation, index, `Message ${index}: attribute ${quote(key)} ${problem}`)
    checked[key] = value
  }
  const hasData = data !== undefined && data.length > 0
  if (!hasData && attributeEntries.length === 0) {
    return refuse(operation, index, `Message ${index}: at least data or one attribute needs to be defined`)
  }
  const encoded: Encoded = attributeEntries.length === 0
    ? { data: hasData ? Base64.encode(data) : "" }
    : { attributes: checked, data: hasData ? Base64.encode(data) : "" }
  // The data is base64, whose JSON text is itself: no need to scan it.
  const bytes = record(encoded.data.length, encoded.attributes)
  if (bytes > maxRecordBytes) {
    return refuse(
      operation,
      index,
      `Message ${index}: the stored record would be ${bytes} bytes, over the server's ${maxRecordBytes} limit`
    )
  }
  return Either.right(encoded)
}

/**
 * Checks and encodes a batch, failing on the first message that cannot be sent.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeAll = (
  messages: Iterable<Outgoing>,
  operation: string
): Effect.Effect<Array<Encoded>, AmsMessageError> =>
  Effect.suspend(() => {
    const out: Array<Encoded> = []
    let index = 0
    for (const message of messages) {
      const result = encode(message, index++, operation)
      if (Either.isLeft(result)) return Effect.fail(result.left)
      out.push(result.right)
    }
    return Effect.succeed(out)
  })

/**
 * A message as a pull returns it. `data` holds the decoded bytes; `rawData` the base64 text the server
 * sent. A payload that is not valid base64 (AMS does not check) is never a reason to lose the message:
 * its `data` is then the UTF-8 bytes of `rawData`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Message {
  readonly messageId: string
  readonly data: Uint8Array
  readonly rawData: string
  readonly attributes: Readonly<Record<string, string>>
  /**
   * When the server stored the message, to the millisecond; `undefined` if the server sent no (or no
   * readable) time, which is never a reason to lose the message.
   */
  readonly publishTime: Date | undefined
  /** The publish time as the server sent it (RFC 3339 UTC with up to nanoseconds), `""` if none. */
  readonly rawPublishTime: string
}

/**
 * A pulled message and the id that acknowledges it (`projects/P/subscriptions/S:<offset>`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Received {
  readonly ackId: string
  readonly message: Message
}

/**
 * The wire shape of a received message, decoded into `Received`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReceivedFromWire = Schema.transform(
  Schema.Struct({
    ackId: Schema.String,
    message: Schema.Struct({
      messageId: Schema.optionalWith(Schema.String, { default: () => "" }),
      data: Schema.optionalWith(Schema.String, { default: () => "" }),
      attributes: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
        default: () => ({})
      }),
      publishTime: Schema.optionalWith(Schema.String, { default: () => "" })
    })
  }),
  Schema.declare((u: unknown): u is Received =>
    Predicate.hasProperty(u, "ackId") && Predicate.hasProperty(u, "message")
  ),
  {
    strict: true,
    decode: ({ ackId, message }): Received => ({
      ackId,
      message: {
        messageId: message.messageId,
        data: decodeData(message.data),
        rawData: message.data,
        attributes: message.attributes,
        publishTime: decodeTime(message.publishTime),
        rawPublishTime: message.publishTime
      }
    }),
    encode: ({ ackId, message }) => ({
      ackId,
      message: {
        messageId: message.messageId,
        data: message.rawData,
        attributes: message.attributes,
        publishTime: message.rawPublishTime
      }
    })
  }
)

/**
 * The data as UTF-8 text.
 *
 * @since 0.1.0
 * @category getters
 */
export const text = (message: Message | Received): string =>
  new TextDecoder().decode("ackId" in message ? message.message.data : message.data)

/**
 * The data parsed as JSON and decoded with a Schema.
 *
 * @example
 * import { Message } from "@argo-ams/client"
 * import { Schema } from "effect"
 *
 * const Status = Schema.Struct({ host: Schema.String, up: Schema.Boolean })
 * const readStatus = Message.json(Status)
 *
 * @since 0.1.0
 * @category getters
 */
export const json =
  <A, I>(schema: Schema.Schema<A, I>) => (message: Message | Received): Effect.Effect<A, AmsDecodeError> => {
    const raw = text(message)
    return Either.try(() => JSON.parse(raw) as unknown).pipe(
      Either.mapLeft(() => "a JSON payload"),
      Either.flatMap((value) =>
        Schema.decodeUnknownEither(schema)(value).pipe(
          Either.mapLeft((error) => ParseResult.TreeFormatter.formatErrorSync(error))
        )
      ),
      Either.match({
        onLeft: (expected) =>
          Effect.fail(
            new AmsDecodeError({
              operation: "message.json",
              expected,
              excerpt: excerpt(raw),
              message: `message.json: the payload is not ${expected}`
            })
          ),
        onRight: Effect.succeed
      })
    )
  }
