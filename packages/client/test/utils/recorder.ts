/** A recording HttpClient for unit tests: it keeps every request and answers from a script. */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as AmsHttp from "../../src/AmsHttp.js"

/** A request as the recorder saw it. */
export interface Recorded {
  readonly method: string
  /** The full URL, including the query string. */
  readonly url: string
  /** The path, e.g. `/v1/projects/demo/topics/t1`. */
  readonly path: string
  readonly query: Record<string, string>
  /** Header names lower-cased. */
  readonly headers: Record<string, string>
  /** The raw body text ("" when none). */
  readonly body: string
  /** The body parsed as JSON, or `undefined` when there is none. */
  readonly json: unknown
}

/** How the recorder answers one request. */
export type Reply =
  | { readonly status?: number; readonly json: unknown; readonly headers?: Record<string, string> }
  | { readonly status?: number; readonly text: string; readonly headers?: Record<string, string> }
  | { readonly fail: "refused" | "reset" }

/** The defaults of the recorder's `AmsHttp` layer. */
export const defaults = {
  endpoint: "https://ams.test",
  token: "secret-token-123",
  project: "demo"
} as const

const bodyText = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      return new TextDecoder().decode(body.body)
    case "Raw":
      return typeof body.body === "string" ? body.body : ""
    default:
      return ""
  }
}

/**
 * A recorder answering from `replies` in order (the last one repeats), or from a function of the request.
 * Returns the `AmsHttp` layer to provide and the requests seen so far.
 */
export const make = (
  replies: ReadonlyArray<Reply> | ((request: Recorded, index: number) => Reply),
  options: Partial<AmsHttp.Options> = {}
) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<Recorded>>([])
    const client = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const body = bodyText(request)
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value
        const recorded: Recorded = {
          method: request.method,
          url: url.toString(),
          path: url.pathname,
          query: Object.fromEntries(url.searchParams.entries()),
          headers,
          body,
          json: body === "" ? undefined : JSON.parse(body)
        }
        const index = (yield* Ref.getAndUpdate(seen, (all) => [...all, recorded])).length
        const reply = typeof replies === "function"
          ? replies(recorded, index)
          : replies[Math.min(index, replies.length - 1)]
        if (reply === undefined) return yield* Effect.die("recorder: no reply scripted")
        if ("fail" in reply) {
          return yield* Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              cause: new Error(
                reply.fail === "refused" ? "connect ECONNREFUSED 127.0.0.1:1" : "socket hang up (ECONNRESET)"
              )
            })
          )
        }
        const text = "json" in reply ? JSON.stringify(reply.json) : reply.text
        return HttpClientResponse.fromWeb(
          request,
          new Response(text, { status: reply.status ?? 200, headers: reply.headers ?? {} })
        )
      })
    )
    const layer = AmsHttp.layer({
      endpoint: defaults.endpoint,
      token: Redacted.make(defaults.token),
      project: defaults.project,
      ...options
    }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
    return {
      layer,
      /** Every request so far. */
      requests: Ref.get(seen),
      /** The only request made; dies if there were none or several. */
      single: Effect.flatMap(Ref.get(seen), (all) =>
        all.length === 1 ? Effect.succeed(all[0]!) : Effect.dieMessage(`expected 1 request, saw ${all.length}`))
    }
  })
