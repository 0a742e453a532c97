/** Runs one AMS operation: name checks, argument checks, the request through `AmsHttp`, retries, and a span. */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { AmsError } from "../AmsError.js"
import { AmsArgumentError, isNotFound, isRetryable } from "../AmsError.js"
import type { AmsHttpService, AmsRequest, RequestOptions } from "../AmsHttp.js"
import { AmsHttp } from "../AmsHttp.js"
import * as Names from "./names.js"
import * as Tracing from "./tracing.js"

/** Resource names of a route, `[argument, value]`, e.g. `["topic", "alerts"]`. */
export type ResourceNames = ReadonlyArray<readonly [argument: string, value: string]>

/** Something computed from the call's project (the per-call override or the layer's default). */
type OfProject<A> = A | ((project: string) => A)

/** What an operation says about itself. */
export interface Spec<A, I> {
  /** `module.verb`, e.g. `topic.publish`; the span is `ams.topic.publish`. */
  readonly operation: string
  readonly method: AmsRequest<A, I>["method"]
  /**
   * The path after `/v1`. For a project-scoped route it receives the project (the per-call override or
   * the layer's default), already checked.
   */
  readonly path: (project: string) => string
  /** Whether the route lives under `/projects/{P}`: then the project is checked and recorded. */
  readonly projectScoped: boolean
  /** Resource names in the path, checked against the server's rule and recorded on the span. */
  readonly names?: ResourceNames | undefined
  /**
   * Checks of the other arguments, run after the names and before any request, inside the span; a
   * function receives the project.
   */
  readonly check?: OfProject<Effect.Effect<unknown, AmsError, AmsHttp>> | undefined
  readonly query?: Readonly<Record<string, string>> | undefined
  /**
   * The JSON body. A function receives the project and may return an `Effect` (a body that must be
   * checked or encoded first: it then fails before any request). A plain value is sent as it is.
   */
  readonly body?: unknown
  /** Writes the body as `JSON.stringify` would, faster (see `AmsRequest.json`). */
  readonly json?: ((body: unknown) => string) | undefined
  readonly response: Schema.Schema<A, I>
  readonly balancerTimeouts?: boolean
  /** See `AmsRequest.secretInUrl`. */
  readonly secretInUrl?: boolean
  readonly options?: RequestOptions | undefined
  /** For publish, pull and acknowledge: OpenTelemetry's messaging attributes on the span. */
  readonly messaging?: Messaging | undefined
  /**
   * `messaging.batch.message_count`: how many messages the request concerns (a number, recorded before
   * the request) or the answer carries (a function of it, recorded once it is decoded).
   */
  readonly messageCount?: number | ((answer: A) => number) | undefined
}

/** An AmsArgumentError for arguments that broke while being read (a JavaScript caller past the types). */
export const unreadable = (operation: string, cause: unknown): AmsArgumentError =>
  new AmsArgumentError({
    operation,
    argument: "arguments",
    message: `${operation}: the arguments cannot be read (${
      cause instanceof Error ? cause.message : "a value that is not what the types say"
    })`
  })

/**
 * Builds an operation's program inside the Effect: whatever a caller passes, reading the arguments
 * never throws while the program is built, and a throw is an `AmsArgumentError`, never a defect.
 */
export const lazy = <A, E, R>(
  operation: string,
  build: () => Effect.Effect<A, E, R>
): Effect.Effect<A, E | AmsArgumentError, R> =>
  Effect.suspend((): Effect.Effect<A, E | AmsArgumentError, R> => {
    try {
      return build()
    } catch (cause) {
      return Effect.fail(unreadable(operation, cause))
    }
  })

/** `lazy` for an operation that is a stream. */
export const lazyStream = <A, E, R>(
  operation: string,
  build: () => Stream.Stream<A, E, R>
): Stream.Stream<A, E | AmsArgumentError, R> =>
  Stream.suspend((): Stream.Stream<A, E | AmsArgumentError, R> => {
    try {
      return build()
    } catch (cause) {
      return Stream.fail(unreadable(operation, cause))
    }
  })

/** The options every operation shares, read once and checked. */
interface Common {
  readonly project: string | undefined
  readonly retry: Schedule.Schedule<unknown, AmsError> | undefined
}

const noOptions: Common = { project: undefined, retry: undefined }

// A plain function: `traced` runs it inside the Effect, and a getter that throws is an unreadable argument.
const common = (operation: string, options: unknown): Common | AmsArgumentError => {
  if (options === undefined || options === null) return noOptions
  const fail = (argument: string, message: string) =>
    new AmsArgumentError({ operation, argument, message: `${operation}: ${message}` })
  if (!Predicate.isRecord(options)) return fail("options", "the options must be an object")
  const { project, retry } = options
  if (project !== undefined && !Predicate.isString(project)) return fail("project", "the project must be a string")
  if (retry !== undefined && !Schedule.isSchedule(retry)) return fail("retry", "retry must be a Schedule")
  return { project, retry: retry as Schedule.Schedule<unknown, AmsError> | undefined }
}

/**
 * OpenTelemetry's `messaging.operation.type` of an operation that moves messages: `send` (publish),
 * `receive` (pull) or `settle` (acknowledge).
 */
export type Messaging = "send" | "receive" | "settle"

/** The project a call is about: its `{ project }` option, else the layer's default. */
export const project = (options: RequestOptions | undefined): Effect.Effect<string, never, AmsHttp> =>
  Effect.map(AmsHttp, (http) => options?.project ?? http.project)

/** What a span and the name checks need to know about an operation. */
export interface Traced {
  readonly operation: string
  readonly projectScoped: boolean
  readonly names?: ResourceNames | undefined
  readonly options?: RequestOptions | undefined
  /** The span also gets OpenTelemetry's messaging attributes, the destination being the last name. */
  readonly messaging?: Messaging | undefined
}

const resolve = <A>(value: OfProject<A>, project: string): A =>
  typeof value === "function" ? (value as (project: string) => A)(project) : value

/** What `traced` reads of a call before its span starts: the options, the project and the names. */
interface Call {
  readonly options: Common
  readonly project: string
  readonly checked: ResourceNames
}

const read = (spec: Traced, defaultProject: string): Call | AmsArgumentError => {
  const options = common(spec.operation, spec.options)
  if (options instanceof AmsArgumentError) return options
  const project = options.project ?? defaultProject
  const names = spec.names ?? []
  const checked: ResourceNames = spec.projectScoped ? [["project", project], ...names] : names
  return { options, project, checked }
}

/** The span's attributes: the names, and for messaging operations OpenTelemetry's attributes. */
const attributesOf = (spec: Traced, checked: ResourceNames): Record<string, string> => {
  const attributes: Record<string, string> = {}
  for (const [argument, value] of checked) attributes[`ams.${argument}`] = String(value)
  if (spec.messaging !== undefined) {
    attributes["messaging.system"] = "ams"
    attributes["messaging.operation.type"] = spec.messaging
    const destination = spec.names?.at(-1)
    if (destination !== undefined) attributes["messaging.destination.name"] = String(destination[1])
  }
  return attributes
}

/**
 * Runs `body(project)` after checking the project (for project-scoped routes) and the resource names,
 * in the span `ams.<operation>` that records them. Composite operations (`exists`, `getOrCreate`,
 * `pullAndAck`) use it directly, so the requests they make are child spans of theirs.
 *
 * Everything up to the span is plain code inside one `flatMap` (a request is a few microseconds of
 * work for the transport: the client's own steps must not cost more). Options that cannot be read
 * fail before the span, as they say nothing about the resource; invalid names and a body that throws
 * while built fail inside it.
 */
export const traced = <A, E, R>(
  spec: Traced,
  body: (project: string, options: Common, http: AmsHttpService) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | AmsError, R | AmsHttp> =>
  open(
    spec,
    (project, options, http, span) =>
      span === undefined ? body(project, options, http) : Effect.withParentSpan(body(project, options, http), span)
  )

/**
 * `traced` for a body that is one request: the body is handed the span instead of running under it,
 * as the transport records on the span it is given (`AmsRequest.span`). Making a span the parent of
 * the fiber's work copies the fiber's context twice, which costs more than a direct transport's
 * whole request.
 *
 * No span is made where nobody could see it (`Tracing.observed`) if the service says it only records
 * on spans (`AmsHttpService.spanOptional`): the body is handed `undefined`. A span with its end
 * guaranteed costs more than the rest of the client's work for a request.
 */
const open = <A, E, R>(
  spec: Traced,
  body: (
    project: string,
    options: Common,
    http: AmsHttpService,
    span: Tracer.Span | undefined
  ) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | AmsError, R | AmsHttp> =>
  Effect.withFiberRuntime((fiber) => {
    // What `Effect.flatMap(AmsHttp, ...)` reads, read here with the fiber.
    const http = Context.unsafeGet(fiber.currentContext, AmsHttp)
    let call: Call | AmsArgumentError
    try {
      call = read(spec, http.project)
    } catch (cause) {
      return Effect.fail(unreadable(spec.operation, cause))
    }
    if (call instanceof AmsArgumentError) return Effect.fail(call)
    const { checked, options, project } = call
    const start = (span: Tracer.Span | undefined): Effect.Effect<A, E | AmsError, R> => {
      const invalid = Names.invalid(spec.operation, checked)
      if (invalid !== undefined) return invalid
      try {
        return body(project, options, http, span)
      } catch (cause) {
        return Effect.fail(unreadable(spec.operation, cause))
      }
    }
    if (http.spanOptional === true && !Tracing.observed(fiber)) return start(undefined)
    let attributes: Record<string, string>
    try {
      attributes = attributesOf(spec, checked)
    } catch (cause) {
      return Effect.fail(unreadable(spec.operation, cause))
    }
    // `Effect.withSpan`, spelled as what it does (its dual form costs bytes in every bundle). The stack
    // trace Effect captures for a span would point here, inside the client, never at the caller: it is
    // not worth its cost on every request.
    return Effect.useSpan(
      `ams.${spec.operation}`,
      { attributes, kind: "client", captureStackTrace: false },
      start
    )
  })

/**
 * `Effect.retry(attempt, { schedule, while: isRetryable })`, written on the schedule's driver: the same
 * steps (the schedule sees every error, and stops at the first that is not retryable), fewer bytes.
 */
const retrying = <A>(
  attempt: Effect.Effect<A, AmsError>,
  schedule: Schedule.Schedule<unknown, AmsError>
): Effect.Effect<A, AmsError> =>
  Effect.flatMap(Schedule.driver(Schedule.whileInput(schedule, isRetryable)), (driver) => {
    const loop: Effect.Effect<A, AmsError> = Effect.catchAll(
      attempt,
      (error) =>
        Effect.matchEffect(driver.next(error), {
          onFailure: () => Effect.fail(error),
          onSuccess: () => loop
        })
    )
    return loop
  })

/** Runs an operation against the `AmsHttp` in the context. */
export const run = <A, I>(spec: Spec<A, I>): Effect.Effect<A, AmsError, AmsHttp> =>
  open(spec, (project, options, http, span) => {
    const request = (body: unknown) => {
      // The spec is an `AmsRequest` but for its path (a function of the project) and its body.
      // Field by field, not a spread of the spec: the spread costs more than the rest of the request's building.
      const attempt = http.execute({
        operation: spec.operation,
        method: spec.method,
        path: spec.path(project),
        query: spec.query,
        body,
        json: spec.json === undefined ? undefined : () => spec.json!(body),
        response: spec.response,
        balancerTimeouts: spec.balancerTimeouts,
        secretInUrl: spec.secretInUrl,
        attemptSpans: options.retry !== undefined,
        span
      })
      const schedule = options.retry
      const sent = schedule === undefined ? attempt : retrying(attempt, schedule)
      const count = spec.messageCount
      return count === undefined || span === undefined
        ? sent
        : typeof count === "number"
        ? Effect.zipRight(Effect.sync(() => span.attribute("messaging.batch.message_count", count)), sent)
        : Effect.tap(sent, (answer) => span.attribute("messaging.batch.message_count", count(answer)))
    }
    // After the checks: a body is built from arguments they have vouched for. A check that is already
    // settled (`Effect.void`, a failure) is read on the spot.
    const send = (): Effect.Effect<A, AmsError, AmsHttp> => {
      const body: unknown = typeof spec.body === "function"
        ? (spec.body as (project: string) => unknown)(project)
        : spec.body
      return Effect.isEffect(body)
        ? Effect.flatMap(body as Effect.Effect<unknown, AmsError, AmsHttp>, request)
        : request(body)
    }
    if (spec.check === undefined) return send()
    const check = resolve(spec.check, project)
    if (Exit.isExit(check)) return Exit.isSuccess(check) ? send() : (check as Exit.Exit<never, AmsError>)
    return Effect.flatMap(check, () => lazy(spec.operation, send))
  })

/**
 * Whether a `get` finds its resource: `false` on a 404 about the resource itself, while every other
 * error fails, including 404 `project doesn't exist`.
 */
export const exists = <A, R>(
  spec: Traced,
  get: Effect.Effect<A, AmsError, R>
): Effect.Effect<boolean, AmsError, R | AmsHttp> =>
  traced(spec, () =>
    get.pipe(
      Effect.as(true),
      Effect.catchIf(
        (error) => isNotFound(error) && error.message !== "project doesn't exist",
        () => Effect.succeed(false)
      )
    ))

/**
 * Whether a create failed because the resource is already there (`409 ALREADY_EXISTS`), as opposed to
 * the other 409s (`CONFLICT`: push disabled, ...), which `getOrCreate` must not hide behind a `get`.
 */
const alreadyExists = (error: AmsError): boolean =>
  error._tag === "AmsServiceError" && error.status === 409 &&
  (error.statusText === "ALREADY_EXISTS" || error.message.endsWith("already exists"))

/**
 * `create`, and on 409 `already exists` `get`: so two callers racing for the same name both succeed.
 */
export const getOrCreate = <A, R>(
  spec: Traced,
  create: Effect.Effect<A, AmsError, R>,
  get: Effect.Effect<A, AmsError, R>
): Effect.Effect<A, AmsError, R | AmsHttp> => traced(spec, () => Effect.catchIf(create, alreadyExists, () => get))
