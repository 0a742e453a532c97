/**
 * Fast decoding of the hot answers (a pull's messages, a publish's ids, a topic). The Schema stays the
 * contract: a fast decoder recognises only answers it is sure the Schema accepts, builds exactly the
 * value the Schema would, and hands everything else to the Schema, so errors are the Schema's own.
 * Property tests (`test/internal/fast.test.ts`) hold both to the same results on generated valid and
 * invalid answers.
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Message, Received } from "../Message.js"
import type { Topic } from "../Topic.js"
import * as Base64 from "./base64.js"
import * as Names from "./names.js"

/**
 * `schema`, decoding through `fast` first: `fast` returns the decoded value, or `undefined` to let the
 * Schema decide (and fail with its own error). Encoding is the Schema's.
 */
export const withFastPath = <A, I>(
  schema: Schema.Schema<A, I>,
  fast: (input: unknown) => A | undefined
): Schema.Schema<A, I> => {
  const decode = ParseResult.decodeUnknown(schema)
  const encode = ParseResult.encodeUnknown(schema)
  return Schema.declare([], {
    decode: () => (input, options) => {
      const value = fast(input)
      return value === undefined ? decode(input, options) : ParseResult.succeed(value)
    },
    encode: () => (input, options) => encode(input, options)
  }) as unknown as Schema.Schema<A, I>
}

/**
 * A message payload: its bytes, or the UTF-8 bytes of the text when it is not base64 (never lost).
 * The bytes go where `allocate` says (by default an array of their own).
 */
export const decodeData = (raw: string, allocate?: Base64.Allocate): Uint8Array =>
  Base64.decode(raw, allocate) ?? new TextEncoder().encode(raw)

/** A publish time, `undefined` when missing or unreadable. */
export const decodeTime = (raw: string): Date | undefined => {
  const date = new Date(raw)
  return raw === "" || Number.isNaN(date.getTime()) ? undefined : date
}

/** An object that a `Schema.Struct` reads as it is (an array would pass a Struct too: left to the Schema). */
const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** An optional string field: its value, `""` when absent, `undefined` when it is anything else. */
const optionalString = (u: unknown): string | undefined => u === undefined ? "" : typeof u === "string" ? u : undefined

const hasOwn = Object.prototype.hasOwnProperty

/**
 * String attributes, read as `Schema.Record({ key: String, value: String })` reads them; the parsed
 * object is fresh, so it is kept rather than copied. A `__proto__` key (which the Schema's copy drops)
 * is left to the Schema.
 */
const attributes = (u: unknown): Readonly<Record<string, string>> | undefined => {
  if (u === undefined) return {}
  if (!isObject(u) || hasOwn.call(u, "__proto__")) return undefined
  for (const key in u) if (typeof u[key] !== "string") return undefined
  return u as Record<string, string>
}

/** One `{ackId, message: {messageId?, data?, attributes?, publishTime?}}`, as `Message.ReceivedFromWire`. */
const received = (u: unknown, allocate: Base64.Allocate): Received | undefined => {
  if (!isObject(u) || typeof u.ackId !== "string" || !isObject(u.message)) return undefined
  const wire = u.message
  const messageId = optionalString(wire.messageId)
  const data = optionalString(wire.data)
  const publishTime = optionalString(wire.publishTime)
  const attrs = attributes(wire.attributes)
  if (messageId === undefined || data === undefined || publishTime === undefined || attrs === undefined) {
    return undefined
  }
  const message: Message = {
    messageId,
    data: decodeData(data, allocate),
    rawData: data,
    attributes: attrs,
    publishTime: decodeTime(publishTime),
    rawPublishTime: publishTime
  }
  return { ackId: u.ackId, message }
}

/** A pull's answer, `{"receivedMessages": [...] | null}`. */
export const pulled = (
  u: unknown
): { readonly receivedMessages: ReadonlyArray<Received> | null } | undefined => {
  if (!isObject(u)) return undefined
  const list = u.receivedMessages
  if (list === null) return { receivedMessages: null }
  if (!Array.isArray(list)) return undefined
  const out: Array<Received> = new Array(list.length)
  // The payloads of one answer share slabs of memory (`Message.Message.data`), sized by what they need
  // at most (three bytes for four characters): read before the messages are, so each read is guarded.
  let expected = 0
  for (let i = 0; i < list.length; i++) {
    const data = (list[i] as { message?: { data?: unknown } } | null)?.message?.data
    if (typeof data === "string") expected += Math.ceil(data.length / 4) * 3
  }
  const allocate = Base64.slabs(expected)
  for (let i = 0; i < list.length; i++) {
    const one = received(list[i], allocate)
    if (one === undefined) return undefined
    out[i] = one
  }
  return { receivedMessages: out }
}

/** A publish's answer, `{"messageIds": [...]}`; the parsed array is fresh, so it is kept. */
export const messageIds = (u: unknown): { readonly messageIds: ReadonlyArray<string> } | undefined => {
  if (!isObject(u) || !Array.isArray(u.messageIds)) return undefined
  for (const id of u.messageIds) if (typeof id !== "string") return undefined
  return { messageIds: u.messageIds as Array<string> }
}

/**
 * A topic, `{"name": "/projects/P/topics/T", "schema"?, "created_on"?}`, as `Topic.TopicFromWire` reads
 * it: an empty schema is none, and a creation time must be a valid date.
 */
export const topic = (u: unknown): Topic | undefined => {
  if (!isObject(u) || typeof u.name !== "string") return undefined
  const parsed = Names.parse("topics", u.name, "required")
  const { created_on, schema } = u
  if (parsed === undefined || (schema !== undefined && typeof schema !== "string")) return undefined
  let createdOn: Date | undefined
  if (created_on !== undefined) {
    if (typeof created_on !== "string") return undefined
    createdOn = new Date(created_on)
    if (Number.isNaN(createdOn.getTime())) return undefined
  }
  return {
    name: parsed.name,
    fullName: u.name,
    project: parsed.project,
    schema: schema === undefined || schema === "" ? undefined : schema,
    createdOn
  }
}
