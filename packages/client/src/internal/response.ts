/** Turns an HTTP answer into a decoded value or a typed AmsError (ams-api.md §3.5, by status and by body). */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { AmsError } from "../AmsError.js"
import { AmsBalancerError, AmsDecodeError, AmsServiceError, AmsTimeoutError } from "../AmsError.js"

// The secret-bearing fields of AMS answers: a user's `token`, a registration's `activation_token`. The
// value may be cut short (a truncated body), so it ends at its closing quote or at the end of the text.
const secretField = /("(?:token|activation_token)"\s*:\s*")(?:[^"\\]|\\.)*("|$)/gi

/** The text with the values of secret-bearing JSON fields replaced by `<redacted>`. */
export const redactFields = (text: string): string => text.replace(secretField, "$1<redacted>$2")

/** At most 200 characters of a body, secret fields redacted, for error messages. */
export const excerpt = (text: string): string => {
  const redacted = redactFields(text)
  return redacted.length > 200 ? `${redacted.slice(0, 200)}…` : redacted
}

/** Removes one secret from texts, as it is and as it would appear in a URL. */
export type Scrub = (text: string) => string

/** A `Scrub` for `secret`: every occurrence, raw or percent-encoded, becomes `<redacted>`. */
export const scrubber = (secret: string): Scrub => {
  const forms = [
    ...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ k: secret }).toString().slice(2)])
  ]
    .filter((form) => form !== "")
  return (text) => forms.reduce((clean, form) => clean.split(form).join("<redacted>"), text)
}

const noScrub: Scrub = (text) => text

/**
 * An error's cause with the secret removed from its message (and from the causes it wraps): a
 * transport error may quote the header value or the URL it choked on.
 */
export const scrubCause = (cause: unknown, scrub: Scrub, depth = 0): unknown => {
  if (typeof cause === "string") return scrub(cause)
  if (!(cause instanceof Error) || depth > 3) return cause
  const inner = scrubCause(cause.cause, scrub, depth + 1)
  const message = scrub(cause.message)
  if (message === cause.message && inner === cause.cause && scrub(String(cause.stack)) === String(cause.stack)) {
    return cause
  }
  const clean = inner === undefined ? new Error(message) : new Error(message, { cause: inner })
  clean.name = cause.name
  return clean
}

// A plain try/catch: `notJson` marks a body that does not parse (no JSON text parses to a fresh symbol).
const notJson: unique symbol = Symbol()

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return notJson
  }
}

interface ErrorBody {
  readonly code: number | undefined
  readonly message: string
  readonly status: string
}

/** The `{"error":{"code","message","status"}}` document of an AMS error, if the body is one. */
const errorBody = (text: string): ErrorBody | undefined => {
  // Reading a property of any parsed value (or of `notJson`) is safe but for `null`, hence the `?.`.
  const error = (parseJson(text) as { readonly error?: Record<string, unknown> | null } | null)?.error
  const message = error?.message
  return typeof message === "string"
    ? {
      code: typeof error!.code === "number" ? error!.code : undefined,
      message,
      status: typeof error!.status === "string" ? error!.status : ""
    }
    : undefined
}

/**
 * Classifies a non-200 answer. A JSON AMS error is the service speaking and is never a balancer error,
 * whatever its status (`500 "no ack pending"`); a non-JSON 500/502/503/504 is the balancer's; 408 is a
 * timeout, and so is a balancer 504 on the routes the balancer times out (publish, pull, acknowledge).
 */
export const classify = (
  operation: string,
  status: number,
  answer: string,
  balancerTimeouts: boolean,
  scrub: Scrub = noScrub
): AmsError => {
  const text = scrub(answer)
  const body = errorBody(text)
  if (status === 408 || (body === undefined && status === 504 && balancerTimeouts)) {
    return new AmsTimeoutError({
      operation,
      status,
      source: body ? "service" : "balancer",
      message: body
        ? body.message
        : status === 408
        ? "Request timed out at the load balancer (408)"
        : "Gateway timed out (504)"
    })
  }
  if (body === undefined && (status === 500 || status === 502 || status === 503 || status === 504)) {
    return new AmsBalancerError({
      operation,
      status,
      body: excerpt(text),
      message: `The load balancer answered ${status}`
    })
  }
  // AMS's own error document, or a body that no balancer rule covers (`404 page not found`, an empty 405).
  const trimmed = text.trim()
  return new AmsServiceError({
    operation,
    status,
    code: body?.code ?? status,
    statusText: body?.status ?? "",
    message: body?.message ?? (trimmed === "" ? `HTTP ${status}` : excerpt(trimmed))
  })
}

/** Decodes a 200 body: empty means `{}`, anything else must be JSON of the expected shape. */
export const decode = <A, I>(
  operation: string,
  schema: Schema.Schema<A, I>,
  text: string,
  scrub: Scrub = noScrub
): Effect.Effect<A, AmsDecodeError> => {
  const fail = (expected: string, problem: string) =>
    new AmsDecodeError({ operation, expected, excerpt: excerpt(scrub(text)), message: `${operation}: ${problem}` })
  const parsed = text.trim() === "" ? {} : parseJson(text)
  if (parsed === notJson) return Effect.fail(fail("a JSON document", "the answer is not JSON"))
  const failure = (error: ParseResult.ParseError) => {
    // The parse issue quotes the values it refused: the same redaction as the excerpt.
    const expected = redactFields(scrub(ParseResult.TreeFormatter.formatErrorSync(error)))
    return fail(expected, `unexpected answer: ${expected}`)
  }
  const decoded = Schema.decodeUnknown(schema)(parsed)
  // A schema that decodes synchronously (every answer's) gives an Either: read on the spot, no extra step.
  if (Either.isEither(decoded)) {
    const result = decoded as Either.Either<A, ParseResult.ParseError>
    return Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(failure(result.left))
  }
  return Effect.mapError(decoded, failure)
}
