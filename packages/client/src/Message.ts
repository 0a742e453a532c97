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
import type { AmsMessageError } from "./AmsError.js"
import { AmsDecodeError } from "./AmsError.js"
import { decodeData, decodeTime } from "./internal/fast.js"
import * as Checks from "./internal/outgoing.js"
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
export const maxRecordBytes = Checks.maxRecordBytes

/**
 * The bytes the server counts against `maxRecordBytes` for one encoded message, assuming the longest
 * message id and publish time (so at most 28 bytes more than the server counts for a given message).
 *
 * @since 0.1.0
 * @category encoding
 */
export const recordBytes: (message: Encoded) => number = Checks.recordBytes

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
  const checked = Checks.check(message, index, operation)
  if (Either.isLeft(checked)) return Either.left(checked.left)
  const encoded = Checks.encoded(checked.right)
  return Checks.tooLarge(encoded.data.length, encoded.attributes, index, operation) ?? Either.right(encoded)
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
 * A small `data` may be a view of memory it shares with other messages of the same pull (at most
 * 64 KiB, which one allocation serves, and no more than the pull's payloads need; `data.byteOffset`
 * and `data.buffer` show it): `data.slice()` is a copy of its own.
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
