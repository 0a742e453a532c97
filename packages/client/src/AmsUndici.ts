/**
 * Node only: `AmsHttp` on undici's `dispatch` called directly, without an `HttpClient` (nor the stream
 * and async resource of undici's own `request`). The same requests, answers and errors as
 * `AmsHttp.layer` on `NodeHttpClient.layerUndici`, at a fraction of the cost per request. Import it as
 * `@argo-ams/client/AmsUndici` (it is not in the index, which stays portable); it needs
 * `@effect/platform-node` (an optional peer dependency), whose `undici` it uses.
 *
 * @since 0.1.0
 */
/// <reference types="node" />
import * as Undici from "@effect/platform-node/Undici"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { AmsArgumentError } from "./AmsError.js"
import * as AmsHttp from "./AmsHttp.js"
import * as Response from "./internal/response.js"
import * as Transport from "./internal/transport.js"

/**
 * The options of `AmsHttp.layer` (but `transformClient`: there is no `HttpClient` here), and the undici
 * dispatcher to send through.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<AmsHttp.Options, "transformClient"> {
  /**
   * The dispatcher (an `Agent`, a `Pool`, a `ProxyAgent`, a `MockAgent`, ...). It stays yours: it is not
   * closed with the layer. By default the layer makes a keep-alive `Agent` and destroys it when released.
   */
  readonly dispatcher?: Undici.Dispatcher | undefined
}

const layerName = "AmsUndici.layer"

/**
 * Builds the service on undici's `dispatch`. Fails with `AmsArgumentError` (operation `AmsUndici.layer`,
 * the option in `argument`) when an option cannot work. There are no HTTP client spans: the operation's
 * span records the method, URL and status (and, with `tracerPropagation`, its trace headers are sent).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<AmsHttp.AmsHttpService, AmsArgumentError, Scope.Scope> =>
  Effect.flatMap(
    Effect.suspend(() => Transport.check(options, layerName)),
    (checked) => {
      if (checked.transformClient !== undefined) {
        return Effect.fail(Transport.optionError(
          layerName,
          "transformClient",
          "transformClient needs an HttpClient: use AmsHttp.layer"
        ))
      }
      const given = options.dispatcher
      const dispatcher = given === undefined
        ? Effect.acquireRelease(Effect.sync(() => new Undici.Agent()), (agent) => Effect.promise(() => agent.destroy()))
        : Effect.succeed(given)
      return Effect.map(dispatcher, (dispatcher) => build(checked, dispatcher))
    }
  )

const build = (checked: Transport.Checked, dispatcher: Undici.Dispatcher): AmsHttp.AmsHttpService => {
  const { base, queryAuth, token } = checked
  // The base is `<origin>/v1` (the endpoint check makes it so): undici takes the two apart.
  const origin = base.slice(0, -"/v1".length)
  const scrub = Response.scrubber(token)
  return Transport.service(checked, scrub, (exchange, json) => {
    const { method, operation } = exchange
    const path = "/v1" + exchange.path + Transport.search(exchange.query, queryAuth ? token : undefined)
    const headers: Record<string, string> = { accept: "application/json" }
    if (!queryAuth) headers["x-api-key"] = token
    if (json !== undefined) headers["content-type"] = "application/json"
    // Bytes outside the JavaScript heap, made once for every attempt (undici would convert the text on
    // each): a large body held while its answer is awaited costs the garbage collector nothing.
    const body = json === undefined ? null : Buffer.from(json, "utf8")
    return Transport.direct(checked, exchange, headers, (headers, answer, fail) => {
      const chunks: Array<Buffer> = []
      let status = 0
      // Set once the answer's head came: a failure after it is one while reading the answer.
      let reading = false
      let controller: Undici.Dispatcher.DispatchController | undefined
      let aborted = false
      const handler: Undici.Dispatcher.DispatchHandler = {
        onRequestStart: (started) => {
          controller = started
          if (aborted) started.abort(new Error("the request was interrupted"))
        },
        onResponseStart: (_, statusCode) => {
          status = statusCode
          reading = true
        },
        onResponseData: (_, chunk) => {
          chunks.push(chunk)
        },
        onResponseEnd: () => answer({ status, text: text(chunks) }),
        onResponseError: (_, cause) => fail(Transport.connectionError(operation, reading, cause, scrub))
      }
      try {
        dispatcher.dispatch({ origin, path, method, headers, body }, handler)
      } catch (cause) {
        fail(Transport.connectionError(operation, false, cause, scrub))
        return undefined
      }
      return () => {
        aborted = true
        controller?.abort(new Error("the request was interrupted"))
      }
    })
  })
}

/**
 * The answer's text, as undici's `body.text()` and `fetch`'s `text()` read it: UTF-8, without a
 * byte-order mark.
 */
const text = (chunks: ReadonlyArray<Buffer>): string => {
  if (chunks.length === 0) return ""
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
  const start = bytes.length > 2 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  return bytes.toString("utf8", start)
}

/**
 * A layer of `AmsHttp` on undici's `dispatch` (see `make`): needs no `HttpClient`, and costs about what
 * a hand-written `undici.request` costs per request. Without a `dispatcher` it makes its own keep-alive
 * `Agent`, destroyed when the layer is released.
 *
 * @example
 * import { Topic } from "@argo-ams/client"
 * import * as AmsUndici from "@argo-ams/client/AmsUndici"
 * import { Effect, Redacted } from "effect"
 *
 * const Ams = AmsUndici.layer({ endpoint: "msg.argo.grnet.gr", token: Redacted.make("secret"), project: "ARGO" })
 *
 * const program = Topic.list().pipe(Effect.provide(Ams))
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<AmsHttp.AmsHttp, AmsArgumentError> =>
  Layer.scoped(AmsHttp.AmsHttp, make(options))
