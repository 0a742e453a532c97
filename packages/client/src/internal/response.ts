/** Turns an HTTP answer into a decoded value or a typed AmsError (ams-api.md §3.5, by status and by body). */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type { AmsError } from "../AmsError.js"
import { AmsBalancerError, AmsDecodeError, AmsServiceError, AmsTimeoutError } from "../AmsError.js"

/** At most 200 characters of a body, for error messages. */
export const excerpt = (text: string): string => text.length > 200 ? `${text.slice(0, 200)}…` : text

const parseJson = (text: string): Either.Either<unknown, unknown> => Either.try(() => JSON.parse(text) as unknown)

interface ErrorBody {
  readonly code: number | undefined
  readonly message: string
  readonly status: string
}

/** The `{"error":{"code","message","status"}}` document of an AMS error, if the body is one. */
const errorBody = (text: string): ErrorBody | undefined => {
  const parsed = parseJson(text)
  if (Either.isLeft(parsed)) return undefined
  const json = parsed.right
  if (!Predicate.hasProperty(json, "error") || !Predicate.hasProperty(json.error, "message")) return undefined
  const error = json.error
  if (!Predicate.isString(error.message)) return undefined
  return {
    code: Predicate.hasProperty(error, "code") && Predicate.isNumber(error.code) ? error.code : undefined,
    message: error.message,
    status: Predicate.hasProperty(error, "status") && Predicate.isString(error.status) ? error.status : ""
  }
}

/**
 * Classifies a non-200 answer. A JSON AMS error is the service speaking and is never a balancer error,
 * whatever its status (`500 "no ack pending"`); a non-JSON 500/502/503/504 is the balancer's; 408 is a
 * timeout, and so is a balancer 504 on the routes the balancer times out (publish, pull, acknowledge).
 */
export const classify = (
  operation: string,
  status: number,
  text: string,
  balancerTimeouts: boolean
): AmsError => {
  const body = errorBody(text)
  if (status === 408) {
    return new AmsTimeoutError({
      operation,
      status,
      source: body ? "service" : "balancer",
      message: body ? body.message : "Request timed out at the load balancer (408)"
    })
  }
  if (body) {
    return new AmsServiceError({
      operation,
      status,
      code: body.code ?? status,
      statusText: body.status,
      message: body.message
    })
  }
  if (status === 504 && balancerTimeouts) {
    return new AmsTimeoutError({
      operation,
      status,
      source: "balancer",
      message: "Gateway timed out (504)"
    })
  }
  if (status === 500 || status === 502 || status === 503 || status === 504) {
    return new AmsBalancerError({
      operation,
      status,
      body: excerpt(text),
      message: `The load balancer answered ${status}`
    })
  }
  return new AmsServiceError({
    operation,
    status,
    code: status,
    statusText: "",
    message: text.trim() === "" ? `HTTP ${status}` : excerpt(text.trim())
  })
}

/** Decodes a 200 body: empty means `{}`, anything else must be JSON of the expected shape. */
export const decode = <A, I>(
  operation: string,
  schema: Schema.Schema<A, I>,
  text: string
): Effect.Effect<A, AmsDecodeError> => {
  const parsed = text.trim() === "" ? Either.right<unknown>({}) : parseJson(text)
  if (Either.isLeft(parsed)) {
    return Effect.fail(
      new AmsDecodeError({
        operation,
        expected: "a JSON document",
        excerpt: excerpt(text),
        message: `${operation}: the answer is not JSON`
      })
    )
  }
  return Schema.decodeUnknown(schema)(parsed.right).pipe(
    Effect.mapError((error) => {
      const expected = ParseResult.TreeFormatter.formatErrorSync(error)
      return new AmsDecodeError({
        operation,
        expected,
        excerpt: excerpt(text),
        message: `${operation}: unexpected answer: ${expected}`
      })
    })
  )
}
