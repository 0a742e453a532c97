/**
 * Messages: what you publish (text or bytes plus string attributes) and what a pull returns
 * (binary-safe data, attributes, id, publish time, and the ack id).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { AmsDecodeError, AmsMessageError } from "./AmsError.js"
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
 * The server stores each message in a record of at most 1,500,000 bytes; a payload whose base64 text
 * alone is larger can never be published, so it is refused before the request (a 413 mid-batch would
 * leave the earlier messages of the batch published).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxEncodedDataLength = 1_500_000

// The server writes attributes into JSON without escaping: a `"` or `\` makes every later pull of the
// subscription fail to parse, so such attributes are refused.
const unsafeAttribute = /["\\]/

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
  const fail = (reason: string) => Either.left(new AmsMessageError({ operation, index, message: reason }))
  if (!Predicate.isRecord(message)) return fail(`Message ${index} is not an object`)
  const { attributes, data } = message as { readonly data?: unknown; readonly attributes?: unknown }
  if (data !== undefined && !Predicate.isString(data) && !(data instanceof Uint8Array)) {
    return fail(`Message ${index}: data must be a string or a Uint8Array`)
  }
  if (attributes !== undefined && !Predicate.isRecord(attributes)) {
    return fail(`Message ${index}: attributes must be an object of strings`)
  }
  const attributeEntries: Array<[string, unknown]> = attributes === undefined ? [] : Object.entries(attributes)
  const checked: Record<string, string> = {}
  for (const [key, value] of attributeEntries) {
    if (!Predicate.isString(value)) return fail(`Message ${index}: attribute "${key}" is not a string`)
    if (unsafeAttribute.test(key) || unsafeAttribute.test(value)) {
      return fail(`Message ${index}: attribute "${key}" contains '"' or '\\', which AMS stores as broken JSON`)
    }
    checked[key] = value
  }
  const hasData = data !== undefined && data.length > 0
  if (!hasData && attributeEntries.length === 0) {
    return fail(`Message ${index}: at least data or one attribute needs to be defined`)
  }
  const encoded = hasData ? Encoding.encodeBase64(data) : ""
  if (encoded.length > maxEncodedDataLength) {
    return fail(`Message ${index}: data is ${encoded.length} bytes in base64, over the ${maxEncodedDataLength} limit`)
  }
  return Either.right(
    attributeEntries.length === 0 ? { data: encoded } : { attributes: checked, data: encoded }
  )
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

const decodeData = (raw: string): Uint8Array =>
  Either.getOrElse(Encoding.decodeBase64(raw), () => new TextEncoder().encode(raw))

const decodeTime = (raw: string): Date | undefined => {
  const date = new Date(raw)
  return raw === "" || Number.isNaN(date.getTime()) ? undefined : date
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
