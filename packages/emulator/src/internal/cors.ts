/** CORS in front of the router, as the real server's gorilla/handlers `CORS(...)` middleware does it (spec §1.2). */
import * as Effect from "effect/Effect"
import type { EmulatorRequest, EmulatorResponse } from "./contract.js"

// gorilla always allows its defaults; AMS adds X-Requested-With, Content-Type and x-api-key.
const defaultHeaders = ["Accept", "Accept-Language", "Content-Language", "Origin"]
const allowedHeaders = [...defaultHeaders, "X-Requested-With", "Content-Type", "X-Api-Key"]
const allowedMethods = ["OPTIONS", "POST", "GET", "PUT", "DELETE", "HEAD"]
const simpleMethods = ["GET", "HEAD", "POST"]

/** Go's `http.CanonicalHeaderKey`: `x-api-key` → `X-Api-Key`. */
const canonical = (name: string): string =>
  name.trim().toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())

const answer = (status: number, headers: Record<string, string> = {}): EmulatorResponse => ({
  status,
  headers,
  body: ""
})

/** Wraps a handler with the server's CORS behaviour; request header names are lower-case. */
export const cors = (
  handle: (request: EmulatorRequest) => Effect.Effect<EmulatorResponse>
) =>
(request: EmulatorRequest): Effect.Effect<EmulatorResponse> => {
  const origin = request.headers["origin"] ?? ""
  // Go compares the method as sent: only "OPTIONS" is a preflight.
  const isOptions = request.method === "OPTIONS"
  if (origin === "") return isOptions ? Effect.succeed(answer(200)) : handle(request)
  const extra: Record<string, string> = {}
  if (isOptions) {
    const method = request.headers["access-control-request-method"]
    if (method === undefined) return Effect.succeed(answer(400))
    if (!allowedMethods.includes(method)) return Effect.succeed(answer(405))
    const requested = (request.headers["access-control-request-headers"] ?? "").split(",").map(canonical)
    const allowed: Array<string> = []
    for (const header of requested) {
      if (header === "" || defaultHeaders.includes(header)) continue
      if (!allowedHeaders.includes(header)) return Effect.succeed(answer(403))
      allowed.push(header)
    }
    if (allowed.length > 0) extra["access-control-allow-headers"] = allowed.join(",")
    if (!simpleMethods.includes(method)) extra["access-control-allow-methods"] = method
  }
  extra["access-control-allow-origin"] = "*"
  if (isOptions) return Effect.succeed(answer(200, extra))
  return Effect.map(handle(request), (response) => ({ ...response, headers: { ...extra, ...response.headers } }))
}
