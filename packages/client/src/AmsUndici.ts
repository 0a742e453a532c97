/**
 * Node only: `AmsHttp` on undici's `request` called directly, without an `HttpClient`. The same requests,
 * answers and errors as `AmsHttp.layer` on `NodeHttpClient.layerUndici`, at a fraction of the cost per
 * request. Import it as `@argo-ams/client/AmsUndici` (it is not in the index, which stays portable); it
 * needs `@effect/platform-node` (an optional peer dependency), whose `undici` it uses.
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
 * Builds the service on undici's `request`. Fails with `AmsArgumentError` (operation `AmsUndici.layer`,
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
      const failed = (reading: boolean) => (cause: unknown) =>
        fail(Transport.connectionError(operation, reading, cause, scrub))
      const signal = new Abort()
      let sent: Promise<Undici.Dispatcher.ResponseData>
      try {
        sent = dispatcher.request({ origin, path, method, headers, body, signal })
      } catch (cause) {
        failed(false)(cause)
        return undefined
      }
      sent.then(
        (response) =>
          response.body.text().then(
            (text) => answer({ status: response.statusCode, text }),
            failed(true)
          ),
        failed(false)
      )
      return () => signal.abort()
    })
  })
}

/**
 * The abort signal undici is given: it accepts any `EventTarget`-like object (`aborted`, `reason`,
 * `addEventListener`, `removeEventListener`), and this one costs a fraction of an `AbortController`,
 * which every request would otherwise make. Aborting before the answer fails the request; during the
 * body, it destroys the body.
 */
class Abort {
  aborted = false
  reason: Error | undefined = undefined
  private listener: (() => void) | undefined = undefined
  addEventListener(_type: "abort", listener: () => void) {
    this.listener = listener
  }
  removeEventListener() {
    this.listener = undefined
  }
  abort() {
    if (this.aborted) return
    this.aborted = true
    const listener = this.listener
    this.listener = undefined
    listener?.()
  }
}

/**
 * A layer of `AmsHttp` on undici's `request` (see `make`): needs no `HttpClient`, and costs about what a
 * hand-written `undici.request` costs per request. Without a `dispatcher` it makes its own keep-alive
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
