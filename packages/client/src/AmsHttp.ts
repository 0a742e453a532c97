/**
 * `AmsHttp`: the one service every AMS operation depends on. It knows the endpoint, the token and the
 * default project, sends requests through an `HttpClient`, and turns answers into values or typed errors.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Tracer from "effect/Tracer"
import type { AmsError } from "./AmsError.js"
import { AmsArgumentError } from "./AmsError.js"
import * as Checks from "./internal/options.js"
import * as Response from "./internal/response.js"
import * as Transport from "./internal/transport.js"

/**
 * One request to AMS, as an operation describes it. `AmsHttp.execute` adds the base URL, the token and
 * the error classification.
 *
 * @since 0.1.0
 * @category models
 */
export interface AmsRequest<A, I = unknown> {
  /** The operation's name, e.g. `topic.publish`: used in errors. */
  readonly operation: string
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  /** The path after `/v1`, with every segment already URL-safe, e.g. `/projects/P/topics/T:publish`. */
  readonly path: string
  readonly query?: Readonly<Record<string, string>> | undefined
  /** The JSON body; `undefined` sends none. */
  readonly body?: unknown
  /**
   * The body written as JSON text, the same text as `JSON.stringify(body)`, by a writer faster than it
   * (the publish body: base64 needs no escaping). A transport may call it instead of stringifying the
   * body; one that ignores it sends the same request.
   */
  readonly json?: (() => string) | undefined
  /** How to decode a 200 answer (an empty body is decoded as `{}`). */
  readonly response: Schema.Schema<A, I>
  /** Publish, pull and acknowledge: a non-JSON 504 there is a timeout (ams-api.md §3.5). */
  readonly balancerTimeouts?: boolean | undefined
  /**
   * The path or query carries a secret (`users:byToken`, an activation token): the HTTP client's own
   * span, which records the URL, is switched off for this request.
   */
  readonly secretInUrl?: boolean | undefined
  /**
   * Give each HTTP request its own span (the HTTP client's), below the operation's: operations set it
   * when they are given a `retry`, so that every attempt shows. Otherwise the operation's span is the
   * only one, and carries the request's method and status.
   */
  readonly attemptSpans?: boolean | undefined
  /**
   * The operation's span, for the transport to record the request on (method, URL, status) and to name
   * in trace headers. Operations give it instead of making it the fiber's current span (which would copy
   * the fiber's context twice per request): a transport that makes spans of its own makes them its
   * children. `undefined` where the operation made none (see `AmsHttpService.spanOptional`).
   */
  readonly span?: Tracer.Span | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface AmsHttpService {
  /** The base URL, ending in `/v1` (never carries the token). */
  readonly baseUrl: string
  /** The project used by project-scoped operations that are not given `{ project }`. */
  readonly project: string
  readonly execute: <A, I>(request: AmsRequest<A, I>) => Effect.Effect<A, AmsError>
  /**
   * `true` when `execute` only records the request on `AmsRequest.span` (it sends no trace headers).
   * Then, where no span can be seen (under Effect's built-in tracer, which exports nothing, or with
   * tracing switched off), operations make none and `span` is `undefined`: making a span costs more
   * than the rest of a request's work in the client. A service that leaves it out is always handed
   * the operation's span.
   */
  readonly spanOptional?: boolean | undefined
}

/**
 * The service every AMS operation depends on.
 *
 * @since 0.1.0
 * @category tags
 */
export class AmsHttp extends Context.Tag("@argo-ams/client/AmsHttp")<AmsHttp, AmsHttpService>() {}

/**
 * Options that every operation accepts.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** The project for this call, instead of the layer's default (project-scoped operations only). */
  readonly project?: string | undefined
  /**
   * How to retry. Only retryable errors are retried (`AmsError.isRetryable`); the default is no retry,
   * as in the Python client. See `Retry`.
   */
  readonly retry?: Schedule.Schedule<unknown, AmsError> | undefined
}

/**
 * The options of `layer` and `make`, checked when the layer is built (`AmsArgumentError` naming the
 * option, never quoting it).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * A bare host (`msg.argo.grnet.gr`, `host:port`: https is implied, as the service speaks only TLS)
   * or an `http://` / `https://` URL (a loopback emulator). No credentials, query or fragment, and no
   * path but an optional `/` or `/v1` (the same base: requests go to `<endpoint>/v1/...` either way).
   */
  readonly endpoint: string
  /**
   * The token. Surrounding whitespace is dropped (a token read from a file ends in a newline); what is
   * left must be visible ASCII.
   */
  readonly token: Redacted.Redacted<string>
  /** The default project. */
  readonly project: string
  /**
   * `"header"` (default) sends `x-api-key`; `"query"` sends `?key=` for servers configured with
   * `auth_option: key`. In query mode the HTTP client's own spans are switched off so the URL (which
   * then carries the token) is never recorded.
   */
  readonly authMode?: "header" | "query" | undefined
  /** A client-side limit per HTTP request; past it the request fails with `AmsConnectionError` (Timeout). */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Send the HTTP client's trace headers (`b3`, `traceparent`) with each request. Off by default: AMS
   * ignores them, and in a browser any header outside AMS's CORS list makes the preflight fail.
   */
  readonly tracerPropagation?: boolean | undefined
  /**
   * Your middleware around the `HttpClient` the requests go through, as Effect's own API clients take
   * it: `HttpClient.mapRequest` (a header of your own), `HttpClient.tapRequest` (a log line),
   * `HttpClient.withTracerPropagation`, a proxy's rewrite, ... It sees each request complete, token
   * included (in `x-api-key`, or in the URL in query mode): keep it out of your logs. Keep the answers
   * as they come: AMS's error statuses are read from the response, so a middleware that turns them into
   * failures (`HttpClient.filterStatusOk`) makes them `AmsConnectionError`s; and retries belong to
   * `{ retry }`, which retries only what is safe to repeat (`HttpClient.retryTransient` here would also
   * repeat publishes the server may have stored).
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The base URL for an endpoint (https implied for a bare host, `/v1` appended once), or why the
 * endpoint cannot be used. The reason never quotes the endpoint.
 *
 * @since 0.1.0
 * @category utils
 */
export const baseUrl = (endpoint: string): Either.Either<string, string> => {
  const checked = Checks.endpoint(endpoint)
  return checked.ok ? Either.right(checked.value) : Either.left(checked.problem)
}

const transportError = (
  operation: string,
  error: HttpClientError.HttpClientError,
  scrub: Response.Scrub
): AmsError => {
  // A URL that cannot be parsed or a body that cannot be encoded fails the same way every time.
  if (error._tag === "RequestError" && error.reason !== "Transport") {
    const cause = Response.scrubCause(error.cause, scrub)
    return new AmsArgumentError({
      operation,
      argument: error.reason === "InvalidUrl" ? "endpoint" : "body",
      message: `${operation}: the request cannot be built: ${
        scrub(cause instanceof Error ? cause.message : String(cause ?? error.reason))
      }`
    })
  }
  return Transport.connectionError(operation, error._tag === "ResponseError", error.cause, scrub, error.reason)
}

const checked = (options: Options, layer: string) => Effect.suspend(() => Transport.check(options, layer))

/**
 * Builds the service from options, on the `HttpClient` in the context. Fails with `AmsArgumentError`
 * (operation `AmsHttp.layer`, the option in `argument`) when an option cannot work.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<AmsHttpService, AmsArgumentError, HttpClient.HttpClient> =>
  Effect.flatMap(
    checked(options, "AmsHttp.layer"),
    (checked) =>
      Effect.map(HttpClient.HttpClient, (platformClient): AmsHttpService => {
        const { base, queryAuth, token, tracerPropagation } = checked
        const transformClient = checked.transformClient as Options["transformClient"]
        const httpClient = transformClient === undefined ? platformClient : transformClient(platformClient)
        // Defence in depth: whatever a transport or an answer says, no error carries the token.
        const scrub = Response.scrubber(token)
        return Transport.service(checked, scrub, (exchange, json) => {
          // One `make` with options: the code every program that builds a request already holds.
          const made = HttpClientRequest.make(exchange.method)(base + exchange.path, {
            headers: queryAuth ? { accept: "application/json" } : { accept: "application/json", "x-api-key": token },
            urlParams: queryAuth ? { ...exchange.query, key: token } : exchange.query
          })
          const http = json === undefined ? made : HttpClientRequest.bodyText(made, json, "application/json")
          const sent = httpClient.execute(http).pipe(
            Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, text }))),
            Effect.mapError((error) =>
              error._tag === "RequestError" || error._tag === "ResponseError"
                ? transportError(exchange.operation, error, scrub)
                : error
            ),
            Effect.locally(HttpClient.currentTracerPropagation, tracerPropagation)
          )
          // One span per operation: the HTTP client's own span only where it shows something the
          // operation's cannot (each attempt of a retried call; the span that trace headers name), and
          // never when the URL carries a secret.
          const traced = !exchange.secret && (exchange.attemptSpans === true || tracerPropagation)
            ? sent
            : Effect.locally(
              Effect.tap(sent, ({ status }) => Transport.annotate(base, exchange, status)),
              HttpClient.currentTracerDisabledWhen,
              () => true
            )
          // The HTTP client reads the parent of its span, and the span its trace headers name, from the fiber.
          return exchange.span === undefined ? traced : Effect.withParentSpan(traced, exchange.span)
        })
      })
  )

/**
 * Options of `makeFetch` and `layerFetch`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchOptions extends Options {
  /**
   * The `fetch` to call (default: `globalThis.fetch`, looked up at each request). A request's JSON body
   * is handed to it as UTF-8 bytes (a `Uint8Array`), with `content-type: application/json`.
   */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * Builds the service on the platform's `fetch` called directly, without an `HttpClient`: the same
 * requests, answers and errors as `make` on `FetchHttpClient`, at a fraction of the cost per request.
 * There are no HTTP client spans: the operation's span records the method, URL and status (and, with
 * `tracerPropagation`, its trace headers are sent).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFetch = (options: FetchOptions): Effect.Effect<AmsHttpService, AmsArgumentError> =>
  Effect.map(checked(options, "AmsHttp.layer"), (checked) => {
    const { base, queryAuth, token } = checked
    const scrub = Response.scrubber(token)
    return Transport.service(checked, scrub, (exchange, json) => {
      const { method, operation } = exchange
      const url = base + exchange.path + Transport.search(exchange.query, queryAuth ? token : undefined)
      const headers: Record<string, string> = { accept: "application/json" }
      if (!queryAuth) headers["x-api-key"] = token
      if (json !== undefined) headers["content-type"] = "application/json"
      // Bytes, made once for every attempt (`fetch` would encode the text on each): a large body held
      // while its answer is awaited is then outside the JavaScript heap, where it costs the collector nothing.
      const body = json === undefined ? undefined : new TextEncoder().encode(json)
      return Transport.direct(checked, exchange, headers, (headers, answer, fail) => {
        const controller = new AbortController()
        const fetch = options.fetch ?? globalThis.fetch
        let sent: Promise<globalThis.Response>
        try {
          sent = fetch(
            url,
            body === undefined ? { method, headers, signal: controller.signal } : {
              method,
              headers,
              body,
              signal: controller.signal
            }
          )
        } catch (cause) {
          fail(Transport.connectionError(operation, false, cause, scrub))
          return undefined
        }
        sent.then(
          (response) =>
            response.text().then(
              (text) => answer({ status: response.status, text }),
              (cause) => fail(Transport.connectionError(operation, true, cause, scrub))
            ),
          (cause) => fail(Transport.connectionError(operation, false, cause, scrub))
        )
        return () => controller.abort()
      })
    })
  })

/**
 * A layer of `AmsHttp` on the platform's `fetch`, called directly (see `makeFetch`): needs no
 * `HttpClient`, and costs about what a hand-written `fetch` costs per request.
 *
 * @example
 * import { AmsHttp, Topic } from "@argo-ams/client"
 * import { Effect, Redacted } from "effect"
 *
 * const Ams = AmsHttp.layerFetch({ endpoint: "msg.argo.grnet.gr", token: Redacted.make("secret"), project: "ARGO" })
 *
 * const program = Topic.list().pipe(Effect.provide(Ams))
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFetch = (options: FetchOptions): Layer.Layer<AmsHttp, AmsArgumentError> =>
  Layer.effect(AmsHttp, makeFetch(options))

/**
 * A layer of `AmsHttp` on the `HttpClient` you provide (`FetchHttpClient.layer`, `NodeHttpClient.layerUndici`,
 * or the emulator's in-process client).
 *
 * @example
 * import { AmsHttp, Topic } from "@argo-ams/client"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const Ams = AmsHttp.layer({
 *   endpoint: "msg.argo.grnet.gr",
 *   token: Redacted.make("secret"),
 *   project: "ARGO"
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * const program = Topic.list().pipe(Effect.provide(Ams))
 *
 * @example
 * // Your middleware with `transformClient`: here a header of your own on every request (outside a
 * // browser: AMS's CORS policy refuses headers it does not list).
 * import { AmsHttp } from "@argo-ams/client"
 * import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 *
 * const Ams = AmsHttp.layer({
 *   endpoint: "msg.argo.grnet.gr",
 *   token: Redacted.make("secret"),
 *   project: "ARGO",
 *   transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("x-request-source", "alerts-worker"))
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<AmsHttp, AmsArgumentError, HttpClient.HttpClient> =>
  Layer.effect(AmsHttp, make(options))

/**
 * A layer of `AmsHttp` from configuration: by default `AMS_ENDPOINT`, `AMS_TOKEN` (redacted),
 * `AMS_PROJECT`, and optionally `AMS_AUTH_MODE` (`header` or `query`). The values are checked as
 * `layer` checks its options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: {
  readonly endpoint?: Config.Config<string>
  readonly token?: Config.Config<Redacted.Redacted<string>>
  readonly project?: Config.Config<string>
  readonly authMode?: Config.Config<"header" | "query">
} = {}): Layer.Layer<AmsHttp, ConfigError.ConfigError | AmsArgumentError, HttpClient.HttpClient> =>
  Layer.effect(
    AmsHttp,
    Effect.flatMap(
      Config.all({
        endpoint: config.endpoint ?? Config.string("AMS_ENDPOINT"),
        token: config.token ?? Config.redacted("AMS_TOKEN"),
        project: config.project ?? Config.string("AMS_PROJECT"),
        authMode: config.authMode ?? Config.literal("header", "query")("AMS_AUTH_MODE").pipe(
          Config.withDefault("header" as const)
        )
      }),
      make
    )
  )
