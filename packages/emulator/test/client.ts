// A raw node:http(s) client for socket tests: exact bytes in, exact bytes out, transport errors as values.
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import * as Https from "node:https"

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
