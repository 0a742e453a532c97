/** The socket adapter: a node `http`/`https` server that feeds each request to the emulator. */
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import * as NodeBuffer from "node:buffer"
import * as Http from "node:http"
import * as Https from "node:https"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import type { Outcome } from "../Faults.js"
import type { EmulatorRequest } from "./contract.js"
import * as Errors from "./errors.js"
import * as Reply from "./reply.js"

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
  /** The largest request body read; a longer one is answered 413 without being kept. */
  readonly maxBodyBytes: number
}

/** Go's `http.DefaultMaxHeaderBytes`: the request line and headers may take 1 MB (Node's default is 16 KB). */
export const maxHeaderBytes = 1 << 20

/** The default body limit: 64 MiB, room for dozens of the largest messages the server stores in one publish. */
export const defaultMaxBodyBytes = 64 * 1024 * 1024

/** Above this a body could not be held as one string (node's `buffer.constants.MAX_STRING_LENGTH`). */
export const maxBodyLimit = NodeBuffer.constants.MAX_STRING_LENGTH

type Body = { readonly _tag: "Read"; readonly text: string } | { readonly _tag: "TooLarge" }

const tooLarge: Body = { _tag: "TooLarge" }

/**
 * Reads the body up to `limit` bytes. A declared or streamed length over the limit stops the reading at once:
 * what arrives after is discarded, never kept (the answer goes out while the client may still be sending).
 */
const readBody = (req: Http.IncomingMessage, limit: number): Promise<Body> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0)
    if (declared > limit) return resolve(tooLarge)
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size <= limit) {
        chunks.push(chunk)
        return
      }
      req.off("data", onData)
      chunks.length = 0
      resolve(tooLarge)
    }
    req.on("data", onData)
    req.on("end", () => {
      try {
        resolve({ _tag: "Read", text: Buffer.concat(chunks).toString("utf8") })
      } catch (error) {
        reject(error)
      }
    })
    req.on("error", reject)
  })

/** Go's `Header.Get`: the first value of a repeated header (node would join them with ", "). */
const firstValues = (headers: NodeJS.Dict<Array<string>>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([k, v]) => v === undefined || v.length === 0 ? [] : [[k.toLowerCase(), v[0]!]])
  )

const toRequest = (req: Http.IncomingMessage, body: string): EmulatorRequest => ({
  method: req.method ?? "GET",
  url: req.url ?? "/",
  headers: firstValues(req.headersDistinct),
  body
})

const send = (req: Http.IncomingMessage, res: Http.ServerResponse, outcome: Outcome): void => {
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

const plain = { "content-type": "text/plain; charset=utf-8" }
const internalError: Outcome = {
  _tag: "Respond",
  response: { status: 500, headers: plain, body: "Internal Server Error\n" }
}

/**
 * Writes an outcome; if writing it throws (a status or header node refuses), answers a plain 500 when nothing
 * has been sent yet, and otherwise closes the connection: a request is never left without an end.
 */
const write = (req: Http.IncomingMessage, res: Http.ServerResponse, outcome: Outcome): void => {
  try {
    send(req, res, outcome)
  } catch {
    if (res.headersSent) {
      req.socket.destroy()
    } else {
      res.removeHeader("content-length")
      send(req, res, internalError)
    }
  }
}

// How long the rest of an oversized body may keep arriving (discarded) before the connection is cut.
const drainMillis = 1_000

/** The answer to a body over the limit: the server's own 413 envelope. */
const tooLargeOutcome: Outcome = { _tag: "Respond", response: Reply.handlerError(Errors.tooLargeMessage()) }

// net/http's own answers to a request it cannot parse, byte for byte (no JSON, no CORS, connection closed).
const goError = (status: string): string =>
  `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`

/** A request line and headers node's parser stopped at, as far as they can be read. */
const parseHead = (raw: Buffer): EmulatorRequest | undefined => {
  const text = raw.toString("latin1")
  const end = text.indexOf("\r\n\r\n")
  if (end < 0) return undefined
  const [line = "", ...lines] = text.slice(0, end).split("\r\n")
  const parts = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.[01]$/.exec(line)
  if (parts === null) return undefined
  const headers: Record<string, string> = {}
  for (const header of lines) {
    const colon = header.indexOf(":")
    if (colon <= 0) return undefined
    const name = header.slice(0, colon).toLowerCase()
    headers[name] ??= header.slice(colon + 1).trim()
  }
  return { method: parts[1]!, url: parts[2]!, headers, body: "" }
}

const wireResponse = (outcome: Outcome): string | undefined => {
  if (outcome._tag !== "Respond") return undefined
  const { body, headers, status } = outcome.response
  const bytes = Buffer.from(body, "utf8")
  const lines = Object.entries({ ...headers, "content-length": String(bytes.byteLength), connection: "close" })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")
  return `HTTP/1.1 ${status} ${Http.STATUS_CODES[status] ?? ""}\r\n${lines}\r\n${body}`
}

/**
 * Listens on `host:port` (port 0 = any free one) and answers every request through `handle`. Closing the
 * scope stops listening, interrupts requests in flight and closes every connection.
 */
export const listen = (
  options: ListenOptions,
  handle: (request: EmulatorRequest) => Effect.Effect<Outcome>
): Effect.Effect<Listening, Error, Scope.Scope> =>
  Effect.gen(function*() {
    if (
      !Number.isSafeInteger(options.maxBodyBytes) || options.maxBodyBytes < 0 || options.maxBodyBytes > maxBodyLimit
    ) {
      return yield* Effect.fail(
        new Error(`maxBodyBytes must be an integer 0–${maxBodyLimit}, got ${String(options.maxBodyBytes)}`)
      )
    }
    const run = yield* FiberSet.makeRuntime<never>()

    const onRequest = (req: Http.IncomingMessage, res: Http.ServerResponse): void => {
      const fiber = run(
        Effect.tryPromise(() => readBody(req, options.maxBodyBytes)).pipe(
          Effect.flatMap((body) => {
            if (body._tag === "Read") return handle(toRequest(req, body.text))
            // The rest of the body is discarded as it comes, and a client still sending after a while is cut
            // off. Closing at once (node's `Connection: close`) could reset the socket before the client has
            // read the 413; Go's server waits too before it closes.
            req.resume()
            const timer = setTimeout(() => req.complete || req.socket.destroy(), drainMillis)
            timer.unref()
            return Effect.succeed(tooLargeOutcome)
          }),
          Effect.catchAllCause(() => Effect.succeed(internalError)),
          Effect.flatMap((outcome) => Effect.sync(() => write(req, res, outcome))),
          Effect.catchAllDefect(() => Effect.sync(() => req.socket.destroy()))
        )
      )
      // A client that goes away (an aborted long poll, say) interrupts its request.
      res.once("close", () => {
        if (!res.writableFinished) fiber.unsafeInterruptAsFork(fiber.id())
      })
    }

    /**
     * What node's parser refuses never reaches `onRequest`. Go's server answers those itself (400, or 431 for
     * headers over 1 MB); a method node does not know (`get`, `FOO`) Go routes like any other, so gorilla
     * answers 405 or 404: such a request goes through `handle` with an empty body, then the connection closes.
     */
    const onClientError = (error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void => {
      if (!socket.writable) return void socket.destroy()
      const reply = (text: string): void => void socket.end(text)
      if (error.code === "HPE_HEADER_OVERFLOW") return reply(goError("431 Request Header Fields Too Large"))
      const head = error.code === "HPE_INVALID_METHOD" && error.rawPacket !== undefined
        ? parseHead(error.rawPacket)
        : undefined
      if (head === undefined) return reply(goError("400 Bad Request"))
      run(
        handle(head).pipe(
          Effect.map(wireResponse),
          Effect.catchAllCause(() => Effect.succeed(undefined)),
          Effect.flatMap((text) => Effect.sync(() => (text === undefined ? socket.destroy() : reply(text))))
        )
      )
    }

    const server: Http.Server = yield* Effect.acquireRelease(
      Effect.sync(() =>
        (options.tls === undefined
          ? Http.createServer({ maxHeaderSize: maxHeaderBytes }, onRequest)
          : Https.createServer(
            { cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2", maxHeaderSize: maxHeaderBytes },
            onRequest
          )).on("clientError", onClientError)
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
