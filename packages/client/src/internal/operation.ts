/** Runs one AMS operation: name checks, the request through `AmsHttp`, retries, and a span. */
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { AmsError } from "../AmsError.js"
import { isNotFound, isRetryable } from "../AmsError.js"
import type { AmsRequest, RequestOptions } from "../AmsHttp.js"
import { AmsHttp } from "../AmsHttp.js"
import * as Names from "./names.js"

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
  readonly names?: ReadonlyArray<readonly [argument: string, value: string]>
  readonly query?: Readonly<Record<string, string>> | undefined
  /** The JSON body, or a function of the resolved project for bodies that name it. */
  readonly body?: unknown
  readonly response: Schema.Schema<A, I>
  readonly balancerTimeouts?: boolean
  /** See `AmsRequest.secretInUrl`. */
  readonly secretInUrl?: boolean
  readonly options?: RequestOptions | undefined
}

/** The project a call is about: its `{ project }` option, else the layer's default. */
export const project = (options: RequestOptions | undefined): Effect.Effect<string, never, AmsHttp> =>
  Effect.map(AmsHttp, (http) => options?.project ?? http.project)

/** Runs an operation against the `AmsHttp` in the context. */
export const run = <A, I>(spec: Spec<A, I>): Effect.Effect<A, AmsError, AmsHttp> =>
  Effect.flatMap(AmsHttp, (http) => {
    const project = spec.options?.project ?? http.project
    const names = spec.names ?? []
    const checked = spec.projectScoped ? [["project", project] as const, ...names] : names
    const attempt = http.execute({
      operation: spec.operation,
      method: spec.method,
      path: spec.path(project),
      query: spec.query,
      body: typeof spec.body === "function" ? spec.body(project) : spec.body,
      response: spec.response,
      balancerTimeouts: spec.balancerTimeouts,
      secretInUrl: spec.secretInUrl
    })
    const schedule = spec.options?.retry
    const retried = schedule === undefined ? attempt : Effect.retry(attempt, { schedule, while: isRetryable })
    const attributes: Record<string, string> = {}
    for (const [argument, value] of checked) attributes[`ams.${argument}`] = value
    return Names.check(spec.operation, checked).pipe(
      Effect.zipRight(retried),
      Effect.withSpan(`ams.${spec.operation}`, { attributes, kind: "client" })
    )
  })

/**
 * Whether a `get` finds its resource: `false` on a 404 about the resource itself, while every other
 * error fails, including 404 `project doesn't exist`.
 */
export const exists = <A, R>(get: Effect.Effect<A, AmsError, R>): Effect.Effect<boolean, AmsError, R> =>
  get.pipe(
    Effect.as(true),
    Effect.catchIf(
      (error) => isNotFound(error) && error.message !== "project doesn't exist",
      () => Effect.succeed(false)
    )
  )
