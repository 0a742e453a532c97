/**
 * The typed errors of `@argo-ams/client`: every way an AMS call can fail, each carrying the operation.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"

/**
 * AMS itself answered with an error (`{"error":{"code","message","status"}}`), or with a non-JSON
 * error body that no balancer rule covers (a plain-text `404 page not found`, an empty 405).
 *
 * `message` is the service's own text, unchanged (`Topic doesn't exist`), so it can be matched.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsServiceError extends Data.TaggedError("AmsServiceError")<{
  /** The operation that failed, e.g. `topic.get`. */
  readonly operation: string
  /** The HTTP status. */
  readonly status: number
  /** The `code` of the error body (equal to the HTTP status on every AMS answer). */
  readonly code: number
  /** The `status` of the error body, e.g. `NOT_FOUND`; `""` when the body had none. */
  readonly statusText: string
  /** The service's message, e.g. `Topic doesn't exist`. */
  readonly message: string
}> {}

/**
 * The load balancer in front of AMS answered (500/502/503/504 with an HTML or other non-JSON body):
 * the request may not have reached AMS. Retryable.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsBalancerError extends Data.TaggedError("AmsBalancerError")<{
  readonly operation: string
  readonly status: number
  /** The start of the body the balancer sent (at most 200 characters). */
  readonly body: string
  readonly message: string
}> {}

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
export class AmsTimeoutError extends Data.TaggedError("AmsTimeoutError")<{
  readonly operation: string
  readonly status: number
  readonly source: "balancer" | "service"
  readonly message: string
}> {}

/**
 * The transport failed before an answer was read: connection refused or reset, DNS, TLS, a body cut
 * short, or the client-side request timeout of `AmsHttp.layer({ timeout })`. Retryable.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsConnectionError extends Data.TaggedError("AmsConnectionError")<{
  readonly operation: string
  readonly reason: "Transport" | "Timeout" | "Body"
  readonly message: string
  /** The underlying failure (never the request, which may carry the token in query mode). */
  readonly cause?: unknown
}> {}

/**
 * A message that cannot be sent, found before any request: no data and no attributes, a non-string
 * attribute, an attribute the server would store as broken JSON, or a payload over the size limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsMessageError extends Data.TaggedError("AmsMessageError")<{
  readonly operation: string
  /** The position of the offending message in the batch. */
  readonly index: number
  readonly message: string
}> {}

/**
 * An argument the server would reject, found before any request: a resource name outside
 * `^[a-zA-Z0-9_-]+$`, an ack id of another subscription, a pull size below 1.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsArgumentError extends Data.TaggedError("AmsArgumentError")<{
  readonly operation: string
  /** Which argument, e.g. `topic`, `project`, `ackIds`. */
  readonly argument: string
  readonly message: string
}> {}

/**
 * The answer did not match what the operation expects: a 200 whose body is not JSON, or JSON of the
 * wrong shape.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmsDecodeError extends Data.TaggedError("AmsDecodeError")<{
  readonly operation: string
  /** What was expected, in words (the schema's description or the parse issue). */
  readonly expected: string
  /** The start of the body that was received (at most 200 characters). */
  readonly excerpt: string
  readonly message: string
}> {}

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
