/**
 * The typed errors of `@argo-ams/client`: every way an AMS call can fail, each carrying the operation.
 * Each is a `Schema.TaggedError`, so it crosses a worker or RPC boundary and comes back as itself:
 * `Schema.encode(AmsError)` on one side, `Schema.decodeUnknown(AmsError)` on the other.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * AMS itself answered with an error (`{"error":{"code","message","status"}}`), or with a non-JSON
 * error body that no balancer rule covers (a plain-text `404 page not found`, an empty 405).
 *
 * `message` is the service's own text, unchanged (`Topic doesn't exist`), so it can be matched.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsServiceError extends Schema.TaggedError<AmsServiceError>()("AmsServiceError", {
  /** The operation that failed, e.g. `topic.get`. */
  operation: Schema.String,
  /** The HTTP status. */
  status: Schema.Number,
  /** The `code` of the error body (equal to the HTTP status on every AMS answer). */
  code: Schema.Number,
  /** The `status` of the error body, e.g. `NOT_FOUND`; `""` when the body had none. */
  statusText: Schema.String,
  /** The service's message, e.g. `Topic doesn't exist`. */
  message: Schema.String
}) {}

/**
 * The load balancer in front of AMS answered (500/502/503/504 with an HTML or other non-JSON body):
 * the request may not have reached AMS. Retryable.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsBalancerError extends Schema.TaggedError<AmsBalancerError>()("AmsBalancerError", {
  operation: Schema.String,
  status: Schema.Number,
  /** The start of the body the balancer sent (at most 200 characters). */
  body: Schema.String,
  message: Schema.String
}) {}

/**
 * A timeout answered over HTTP: a 408, or a balancer 504 on publish, pull or acknowledge.
 *
 * `source` tells who timed out: `"balancer"` (an HTML or empty body: retryable) or `"service"`
 * (AMS's own JSON `408 "ack timeout"`: the ack came too late, and sending it again cannot succeed, so
 * it is not retryable; pull again instead).
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsTimeoutError extends Schema.TaggedError<AmsTimeoutError>()("AmsTimeoutError", {
  operation: Schema.String,
  status: Schema.Number,
  source: Schema.Literal("balancer", "service"),
  message: Schema.String
}) {}

/**
 * The transport failed before an answer was read: connection refused or reset, DNS, TLS, a body cut
 * short, or the client-side request timeout of `AmsHttp.layer({ timeout })`. Retryable.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsConnectionError extends Schema.TaggedError<AmsConnectionError>()("AmsConnectionError", {
  operation: Schema.String,
  reason: Schema.Literal("Transport", "Timeout", "Body"),
  message: Schema.String,
  /**
   * The underlying failure (never the request, which may carry the token in query mode). Encoded as a
   * `Schema.Defect`: an `Error` crosses as its name and message.
   */
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * A message that cannot be sent, found before any request: no data and no attributes, a non-string
 * attribute, an attribute the server would store as broken JSON, or a payload over the size limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsMessageError extends Schema.TaggedError<AmsMessageError>()("AmsMessageError", {
  operation: Schema.String,
  /** The position of the offending message in the batch. */
  index: Schema.Number,
  message: Schema.String
}) {}

/**
 * An argument the server would reject, found before any request: a resource name outside
 * `^[a-zA-Z0-9_-]+$`, an ack id of another subscription, a pull size below 1.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsArgumentError extends Schema.TaggedError<AmsArgumentError>()("AmsArgumentError", {
  operation: Schema.String,
  /** Which argument, e.g. `topic`, `project`, `ackIds`. */
  argument: Schema.String,
  message: Schema.String
}) {}

/**
 * The answer did not match what the operation expects: a 200 whose body is not JSON, or JSON of the
 * wrong shape.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsDecodeError extends Schema.TaggedError<AmsDecodeError>()("AmsDecodeError", {
  operation: Schema.String,
  /** What was expected, in words (the schema's description or the parse issue). */
  expected: Schema.String,
  /** The start of the body that was received (at most 200 characters). */
  excerpt: Schema.String,
  message: Schema.String
}) {}

/**
 * Every error an AMS operation can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type AmsError =
  | AmsServiceError
  | AmsBalancerError
  | AmsTimeoutError
  | AmsConnectionError
  | AmsMessageError
  | AmsArgumentError
  | AmsDecodeError

/**
 * The schema of every error an AMS operation can fail with: the `error` of an RPC or worker schema,
 * or `Schema.encode` / `Schema.decodeUnknown` to carry an `AmsError` across a boundary yourself.
 *
 * @example
 * import { AmsError } from "@argo-ams/client"
 * import { Schema } from "effect"
 *
 * const error = new AmsError.AmsServiceError({
 *   operation: "topic.get",
 *   status: 404,
 *   code: 404,
 *   statusText: "NOT_FOUND",
 *   message: "Topic doesn't exist"
 * })
 * const wire = JSON.stringify(Schema.encodeSync(AmsError.AmsError)(error))
 * const back = Schema.decodeUnknownSync(AmsError.AmsError)(JSON.parse(wire))
 * console.log(back._tag, back.message) // AmsServiceError Topic doesn't exist
 *
 * @since 0.1.0
 * @category schemas
 */
export const AmsError: Schema.Union<[
  typeof AmsServiceError,
  typeof AmsBalancerError,
  typeof AmsTimeoutError,
  typeof AmsConnectionError,
  typeof AmsMessageError,
  typeof AmsArgumentError,
  typeof AmsDecodeError
]> = Schema.Union(
  AmsServiceError,
  AmsBalancerError,
  AmsTimeoutError,
  AmsConnectionError,
  AmsMessageError,
  AmsArgumentError,
  AmsDecodeError
)

const tags: ReadonlySet<string> = new Set([
  "AmsServiceError",
  "AmsBalancerError",
  "AmsTimeoutError",
  "AmsConnectionError",
  "AmsMessageError",
  "AmsArgumentError",
  "AmsDecodeError"
])

/**
 * @since 0.1.0
 * @category refinements
 */
export const isAmsError = (u: unknown): u is AmsError =>
  Predicate.hasProperty(u, "_tag") && Predicate.isString(u._tag) && tags.has(u._tag)

/**
 * Whether trying the same request again may succeed: balancer errors, connection errors and
 * balancer timeouts. AMS's own answers (`500 "no ack pending"`, `500 "wrong ack"`, `408 "ack timeout"`,
 * any 4xx) are not retryable: the service has spoken.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isRetryable = (error: AmsError): boolean => {
  switch (error._tag) {
    case "AmsBalancerError":
    case "AmsConnectionError":
      return true
    case "AmsTimeoutError":
      return error.source === "balancer"
    default:
      return false
  }
}

/**
 * Whether the error is AMS's `404 NOT_FOUND` answer (`Topic doesn't exist`, ...).
 *
 * @since 0.1.0
 * @category refinements
 */
export const isNotFound = (error: AmsError): error is AmsServiceError =>
  error._tag === "AmsServiceError" && error.status === 404
