/** The socket adapter: a node `http`/`https` server that feeds each request to the emulator. */
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as Https from "node:https"
import type { AddressInfo } from "node:net"
import type { Outcome } from "../Faults.js"
import type { EmulatorRequest } from "./contract.js"

/** Where a started server listens. */
export interface Listening {
  readonly host: string
  readonly port: number
  readonly endpoint: string
}

/** Options of `listen`. */
export interface ListenOptions {
  readonly host: string
  readonly port: number
  readonly tls?: { readonly cert: string; readonly key: string }
}

const readBody = (req: Http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const toRequest = (req: Http.IncomingMessage, body: string): EmulatorRequest => ({
  method: req.method ?? "GET",
  url: req.url ?? "/",
  headers: Object.fromEntries(
    Object.entries(req.headers).flatMap(([k, v]) =>
      v === undefined ? [] : [[k.toLowerCase(), Array.isArray(v) ? v.join(", ") : v]]
    )
  ),
  body
})

const write = (req: Http.IncomingMessage, res: Http.ServerResponse, outcome: Outcome): void => {
  switch (outcome._tag) {
    case "Respond": {
      const body = Buffer.from(outcome.response.body, "utf8")
      res.writeHead(outcome.response.status, { "content-length": String(body.byteLength), ...outcome.response.headers })
      res.end(req.method === "HEAD" ? undefined : body)
      return
    }
    case "Drop":
      req.socket.destroy()
      return
    case "Truncate": {
      const body = Buffer.from(outcome.response.body, "utf8")
      res.writeHead(outcome.response.status, { "content-length": String(body.byteLength), ...outcome.response.headers })
      // Announce the full length, send part of it, then close: the client sees the body cut mid-way.
      res.write(body.subarray(0, outcome.bytes), () => req.socket.destroy())
      return
    }
  }
}

const internalError = "Internal Server Error\n"

/**
 * Listens on `host:port` (port 0 = any free one) and answers every request through `handle`. Closing the
 * scope stops listening, interrupts requests in flight and closes every connection.
 */
export const listen = (
  options: ListenOptions,
  handle: (request: EmulatorRequest) => Effect.Effect<Outcome>
): Effect.Effect<Listening, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const run = yield* FiberSet.makeRuntime<never>()

    const onRequest = (req: Http.IncomingMessage, res: Http.ServerResponse): void => {
      const fiber = run(
        Effect.tryPromise(() => readBody(req)).pipe(
          Effect.flatMap((body) => handle(toRequest(req, body))),
          Effect.matchCause({
            onFailure: (): Outcome => ({
              _tag: "Respond",
              response: { status: 500, headers: { "content-type": "text/plain; charset=utf-8" }, body: internalError }
            }),
            onSuccess: (outcome) => outcome
          }),
          Effect.flatMap((outcome) => Effect.sync(() => write(req, res, outcome)))
        )
      )
      // A client that goes away (an aborted long poll, say) interrupts its request.
      res.once("close", () => {
        if (!res.writableFinished) fiber.unsafeInterruptAsFork(fiber.id())
      })
    }

    const server: Http.Server = yield* Effect.acquireRelease(
      Effect.sync(() =>
        options.tls === undefined
          ? Http.createServer(onRequest)
          : Https.createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2" }, onRequest)
      ),
      (server) =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )

    yield* Effect.async<void, Error>((resume) => {
      const onError = (error: Error) => resume(Effect.fail(error))
      server.once("error", onError)
      server.listen(options.port, options.host, () => {
        server.off("error", onError)
        resume(Effect.void)
      })
    })

    const address = server.address() as AddressInfo
    const scheme = options.tls === undefined ? "http" : "https"
    const host = address.family === "IPv6" || address.address.includes(":") ? `[${address.address}]` : address.address
    return { host: address.address, port: address.port, endpoint: `${scheme}://${host}:${address.port}` }
  })
