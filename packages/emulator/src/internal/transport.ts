/** The in-process transport: an `HttpClient` that hands each request to the emulator, no sockets involved. */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Outcome } from "../Faults.js"
import type { EmulatorRequest, EmulatorResponse } from "./contract.js"

const decoder = /*#__PURE__*/ new TextDecoder()
const encoder = /*#__PURE__*/ new TextEncoder()

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/** The request body as text, whatever `HttpBody` carries it. */
const bodyText = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<string, HttpClientError.RequestError> => {
  const encodeError = (cause: unknown) =>
    new HttpClientError.RequestError({ request, reason: "Encode", cause, description: "cannot read the request body" })
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      if (typeof body.body === "string") return Effect.succeed(body.body)
      if (body.body instanceof Uint8Array) return Effect.succeed(decoder.decode(body.body))
      return Effect.tryPromise({ try: () => new Response(body.body as BodyInit).text(), catch: encodeError })
    case "FormData":
      return Effect.tryPromise({
        try: () => new Request("http://emulator.invalid", { method: "POST", body: body.formData }).text(),
        catch: encodeError
      })
    case "Stream":
      return body.stream.pipe(
        Stream.runCollect,
        Effect.map((chunks) => decoder.decode(concat([...chunks]))),
        Effect.mapError(encodeError)
      )
  }
}

/** Builds the request the router sees: method, path and query, lower-cased headers, body text. */
export const toEmulatorRequest = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): Effect.Effect<EmulatorRequest, HttpClientError.RequestError> =>
  Effect.map(bodyText(request), (body) => ({
    method: request.method,
    url: url.pathname + url.search,
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body
  }))

// The Fetch API refuses a body on these statuses.
const nullBodyStatuses = /*#__PURE__*/ new Set([101, 103, 204, 205, 304])

const webResponse = (response: EmulatorResponse, body: BodyInit | null, length: number): Response =>
  new Response(nullBodyStatuses.has(response.status) ? null : body, {
    status: response.status,
    headers: { "content-length": String(length), ...response.headers }
  })

/** Turns an outcome into what `fetch` would have produced: a response, or a transport failure. */
export const toClientResponse = (
  request: HttpClientRequest.HttpClientRequest,
  outcome: Outcome
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> => {
  switch (outcome._tag) {
    case "Respond": {
      const bytes = encoder.encode(outcome.response.body)
      const body = bytes.byteLength === 0 || request.method === "HEAD" ? null : bytes
      return Effect.succeed(HttpClientResponse.fromWeb(request, webResponse(outcome.response, body, bytes.byteLength)))
    }
    case "Drop":
      return Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
          description: "the emulator dropped the connection"
        })
      )
    case "Truncate": {
      const bytes = encoder.encode(outcome.response.body)
      const kept = bytes.slice(0, outcome.bytes)
      // The stream yields what was "sent" and then fails, like a socket closed mid-body.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          if (kept.byteLength > 0) controller.enqueue(kept)
          controller.error(Object.assign(new Error("terminated"), { code: "UND_ERR_SOCKET" }))
        }
      })
      return Effect.succeed(HttpClientResponse.fromWeb(request, webResponse(outcome.response, body, bytes.byteLength)))
    }
  }
}

/** An `HttpClient` that answers every request (any host) through `handle`. */
export const makeClient = (handle: (request: EmulatorRequest) => Effect.Effect<Outcome>): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    toEmulatorRequest(request, url).pipe(
      Effect.flatMap(handle),
      Effect.flatMap((outcome) => toClientResponse(request, outcome))
    )
  )
