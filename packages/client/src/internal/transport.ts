/**
 * What every `AmsHttp` transport shares: the checked options, the JSON body, the time limit, the
 * classification and decoding of answers, and the span attributes of a transport without spans of its own.
 */
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import type * as Tracer from "effect/Tracer"
import type { AmsError } from "../AmsError.js"
import { AmsArgumentError, AmsConnectionError } from "../AmsError.js"
import type { AmsHttpService, AmsRequest } from "../AmsHttp.js"
import * as Checks from "./options.js"
import * as Response from "./response.js"
import * as Tracing from "./tracing.js"

/** The options once checked: what a transport is built from. */
export interface Checked {
  readonly base: string
  readonly token: string
  readonly project: string
  readonly queryAuth: boolean
  readonly timeout: Duration.Duration | undefined
  readonly tracerPropagation: boolean
  readonly transformClient: unknown
}

/** An option that cannot work, named in `argument`, never quoted. */
export const optionError = (layer: string, argument: string, problem: string): AmsArgumentError =>
  new AmsArgumentError({ operation: layer, argument, message: `${layer}: ${problem}` })

const optionsError = (layer: string, argument: string, problem: string) =>
  Either.left(optionError(layer, argument, problem))

/**
 * Reads the options without throwing, whatever a JavaScript caller passes. `layer` names the
 * constructor in errors (`AmsHttp.layer`).
 */
export const check = (options: unknown, layer: string): Either.Either<Checked, AmsArgumentError> => {
  if (!Predicate.isRecord(options)) return optionsError(layer, "options", "the options must be an object")
  const base = Checks.endpoint(options.endpoint)
  if (!base.ok) return optionsError(layer, "endpoint", base.problem)
  if (!Redacted.isRedacted(options.token)) {
    return optionsError(layer, "token", "the token must be a Redacted string (Redacted.make)")
  }
  const token = Checks.token(Redacted.value(options.token))
  if (!token.ok) return optionsError(layer, "token", token.problem)
  // Its name is checked by each project-scoped operation, against the project that call uses.
  if (!Predicate.isString(options.project)) return optionsError(layer, "project", "the project must be a string")
  const authMode = options.authMode ?? "header"
  if (authMode !== "header" && authMode !== "query") {
    return optionsError(layer, "authMode", "authMode must be \"header\" or \"query\"")
  }
  let timeout: Duration.Duration | undefined
  if (options.timeout !== undefined) {
    try {
      timeout = Duration.decode(options.timeout as Duration.DurationInput)
    } catch {
      // Not a duration: refused below.
    }
    if (timeout === undefined || !(Duration.toMillis(timeout) > 0)) {
      return optionsError(layer, "timeout", "the timeout must be a positive duration")
    }
  }
  const tracerPropagation = options.tracerPropagation ?? false
  if (!Predicate.isBoolean(tracerPropagation)) {
    return optionsError(layer, "tracerPropagation", "tracerPropagation must be a boolean")
  }
  const transformClient = options.transformClient
  if (transformClient !== undefined && !Predicate.isFunction(transformClient)) {
    return optionsError(layer, "transformClient", "transformClient must be a function from HttpClient to HttpClient")
  }
  return Either.right({
    base: base.value,
    token: token.value,
    project: options.project,
    queryAuth: authMode === "query",
    timeout,
    tracerPropagation,
    transformClient
  })
}

/** The query string of a request (`?a=b`, or `""`), with the token when it travels in the query. */
export const search = (query: Readonly<Record<string, string>> | undefined, key?: string): string => {
  if (query === undefined && key === undefined) return ""
  const params = new URLSearchParams(query)
  if (key !== undefined) params.set("key", key)
  const text = params.toString()
  return text === "" ? "" : `?${text}`
}

/**
 * What a transport is handed of a request, with whether its URL carries a secret. Not the request
 * itself: its body is garbage once it is JSON, and a transport holds the exchange until the answer comes
 * (a publish's messages would outlive the young generation of the heap, and be copied and kept).
 */
export interface Exchange {
  readonly operation: string
  readonly method: AmsRequest<unknown>["method"]
  readonly path: string
  readonly query: Readonly<Record<string, string>> | undefined
  readonly span: AmsRequest<unknown>["span"]
  readonly attemptSpans: boolean | undefined
  readonly secret: boolean
}

/** An answer as a transport reads it. */
export interface Answer {
  readonly status: number
  readonly text: string
}

/**
 * A transport: sends one request (and again, each time the effect runs) and reads the whole answer,
 * failing only with what it classified itself. `json` is the body, to be turned into what the transport
 * sends once, outside the effect.
 */
export type Send = (exchange: Exchange, json: string | undefined) => Effect.Effect<Answer, AmsError>

const bodyError = (operation: string, error: unknown): AmsArgumentError =>
  new AmsArgumentError({
    operation,
    argument: "body",
    message: `${operation}: the body cannot be sent as JSON (${String(error)})`
  })

/**
 * The service on a transport: the JSON body, the time limit, classification and decoding are the same
 * whichever way the request travels.
 */
export const service = (checked: Checked, scrub: Response.Scrub, send: Send): AmsHttpService => {
  const { base, timeout } = checked
  const secretUrl = checked.queryAuth
  const execute = <A, I>(request: AmsRequest<A, I>): Effect.Effect<A, AmsError> => {
    // A body that cannot be JSON (a cycle, a bigint) fails as an argument, never as a defect.
    let json: string | undefined
    if (request.body !== undefined) {
      try {
        json = request.json === undefined ? JSON.stringify(request.body) ?? "" : request.json()
      } catch (error) {
        return Effect.fail(bodyError(request.operation, error))
      }
    }
    const { balancerTimeouts, operation, response } = request
    const exchange = send({
      operation,
      method: request.method,
      path: request.path,
      query: request.query,
      span: request.span,
      attemptSpans: request.attemptSpans,
      secret: secretUrl || request.secretInUrl === true
    }, json)
    // `Effect.timeoutFail`, built from what every program already holds: the first to end wins, the
    // other is interrupted.
    const limited = timeout === undefined ? exchange : Effect.flatten(Effect.race(
      Effect.exit(exchange),
      Effect.exit(Effect.zipRight(
        Effect.sleep(timeout),
        Effect.fail(
          new AmsConnectionError({
            operation,
            reason: "Timeout",
            message: `${operation}: no answer within ${Duration.format(timeout)}`
          })
        )
      ))
    ))
    return Effect.flatMap(limited, (answer): Effect.Effect<A, AmsError> =>
      answer.status === 200
        ? Response.decode(operation, response, answer.text, scrub)
        : Effect.fail(Response.classify(operation, answer.status, answer.text, balancerTimeouts === true, scrub)))
  }
  // Trace headers name the operation's span: only without them is the span optional.
  return { baseUrl: base, project: checked.project, execute, spanOptional: !checked.tracerPropagation }
}

// The URL as an HTTP client's span would record it (only for URLs that carry no secret).
const fullUrl = (base: string, exchange: Exchange): string => base + exchange.path + search(exchange.query)

/**
 * The span a request is recorded on: the request's, else the fiber's current one if anybody can see
 * it (an operation that made no span, as nobody would see it, does not write on its caller's).
 */
const spanOf = (exchange: Exchange, fiber: Fiber.RuntimeFiber<unknown, unknown>): Tracer.Span | undefined => {
  const current = exchange.span ?? (Tracing.observed(fiber) ? fiber.currentSpan : undefined)
  return current !== undefined && current._tag === "Span" ? current : undefined
}

/** Records on `span` what an HTTP client's span would have: method, status, and the URL if it holds no secret. */
const record = (span: Tracer.Span, base: string, exchange: Exchange, status: number): void => {
  span.attribute("http.request.method", exchange.method)
  span.attribute("http.response.status_code", status)
  if (!exchange.secret) span.attribute("url.full", fullUrl(base, exchange))
}

/** When the operation's span is the only one, it records what the HTTP client's would have. */
export const annotate = (base: string, exchange: Exchange, status: number): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    const span = spanOf(exchange, fiber)
    if (span !== undefined) record(span, base, exchange, status)
    return Effect.void
  })

/**
 * Sends one request on a callback transport: `answer` or `fail` is called once, and the function it
 * returns (if any) aborts the request.
 */
export type Call = (
  headers: Record<string, string>,
  answer: (answer: Answer) => void,
  fail: (error: AmsError) => void
) => (() => void) | undefined

/**
 * A transport without spans of its own, on a callback transport: `call` gets the headers (with the
 * operation span's trace headers when `tracerPropagation` is on), and the operation's span records
 * method, URL and status. The span is the request's (else the fiber's current one), read once and
 * written when the answer comes: no more steps than the request itself.
 */
export const direct = (
  checked: Checked,
  exchange: Exchange,
  headers: Record<string, string>,
  call: Call
): Effect.Effect<Answer, AmsError> =>
  Effect.withFiberRuntime((fiber) => {
    const span = spanOf(exchange, fiber)
    const sent = checked.tracerPropagation && span !== undefined
      ? { ...headers, ...HttpTraceContext.toHeaders(span) }
      : headers
    return Effect.async<Answer, AmsError>((resume) => {
      let live = true
      const abort = call(
        sent,
        (answer) => {
          // Once interrupted, the span may have ended: it is not written to.
          if (!live) return
          if (span !== undefined) record(span, checked.base, exchange, answer.status)
          resume(Effect.succeed(answer))
        },
        (error) => resume(Effect.fail(error))
      )
      return Effect.sync(() => {
        live = false
        abort?.()
      })
    })
  })

/**
 * The error of a request that failed on the way (`reading: false`) or while its answer was read, with
 * the token scrubbed from the message and the cause; `reason` names the failure when there is no cause.
 */
export const connectionError = (
  operation: string,
  reading: boolean,
  cause: unknown,
  scrub: Response.Scrub,
  reason?: string
): AmsConnectionError => {
  const scrubbed = Response.scrubCause(cause, scrub)
  const detail = scrub(scrubbed instanceof Error ? scrubbed.message : String(scrubbed ?? reason))
  return new AmsConnectionError({
    operation,
    reason: reading ? "Body" : "Transport",
    message: `${operation}: ${reading ? "reading the answer failed" : "the request failed"}: ${detail}`,
    cause: scrubbed
  })
}
