// A raw node:http(s) client for socket tests: exact bytes in, exact bytes out, transport errors as values.
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import * as Https from "node:https"
import * as Net from "node:net"

/** What came back over the socket. */
export interface RawResponse {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
}

/** Sends one request; fails with the node error (ECONNRESET, a TLS error, a body cut short...). */
export const request = (
  url: string,
  options?: {
    readonly method?: string
    readonly headers?: Record<string, string>
    readonly body?: string
    readonly ca?: string
  }
): Effect.Effect<RawResponse, Error> =>
  Effect.async<RawResponse, Error>((resume, signal) => {
    const target = new URL(url)
    const module = target.protocol === "https:" ? Https : Http
    const req = module.request(target, {
      method: options?.method ?? "GET",
      headers: options?.headers ?? {},
      agent: false,
      signal,
      ...(options?.ca === undefined ? {} : { ca: options.ca })
    }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () =>
        resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })))
      res.on("aborted", () =>
        resume(Effect.fail(new Error("response aborted"))))
      res.on("error", (error) => resume(Effect.fail(error)))
    })
    req.on("error", (error) => resume(Effect.fail(error)))
    req.end(options?.body)
  })

/** A response read off a raw socket: status line, headers (lower-cased names, repeats kept), body bytes as text. */
export interface WireResponse {
  readonly status: number
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly header: (name: string) => string | undefined
  readonly body: string
}

const parseWire = (text: string): WireResponse => {
  const end = text.indexOf("\r\n\r\n")
  const head = end < 0 ? text : text.slice(0, end)
  const [statusLine = "", ...lines] = head.split("\r\n")
  const headers = lines.map((line) => {
    const colon = line.indexOf(":")
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const
  })
  return {
    status: Number(statusLine.split(" ")[1]),
    headers,
    header: (name) => headers.find(([key]) => key === name)?.[1],
    body: end < 0 ? "" : text.slice(end + 4)
  }
}

/**
 * Writes `head` (a request line and headers, `\r\n`-separated, without the blank line) and `Connection: close`
 * to a plain socket, then reads until the server closes: the exact request-target reaches the server, no URL
 * class in between.
 */
export const wire = (port: number, head: string, body = ""): Effect.Effect<WireResponse, Error> =>
  Effect.async<WireResponse, Error>((resume) => {
    const chunks: Array<Buffer> = []
    const socket = Net.connect(port, "127.0.0.1", () => {
      socket.write(`${head}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n${body}`)
    })
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    socket.on("close", () => resume(Effect.succeed(parseWire(Buffer.concat(chunks).toString("latin1")))))
    socket.on("error", (error) => chunks.length === 0 ? resume(Effect.fail(error)) : undefined)
    return Effect.sync(() => socket.destroy())
  })
