// What a route handler answers on success (always HTTP 200) and how responses are assembled.
import type { EmulatorResponse } from "./contract.js"
import * as Errors from "./errors.js"
import * as Json from "./json.js"

/** A successful answer body. */
export interface Reply {
  readonly body: string
}

/** A pretty-printed JSON document (3-space indent). */
export const json = (value: unknown): Reply => ({ body: Json.pretty(value) })

/** A JSON document indented with one space. */
export const oneSpaceJson = (value: unknown): Reply => ({ body: Json.oneSpace(value) })

/** A compact JSON document. */
export const compactJson = (value: unknown): Reply => ({ body: Json.compact(value) })

/** An empty body (0 bytes). */
export const empty: Reply = { body: "" }

/** The literal `{}`. */
export const emptyObject: Reply = { body: "{}" }

const jsonType = "application/json; charset=utf-8"
const textType = "text/plain; charset=utf-8"

/** A handler's 200 answer. */
export const ok = (reply: Reply): EmulatorResponse => ({
  status: 200,
  headers: { "content-type": jsonType },
  body: reply.body
})

/** An error written by a handler (JSON content type). */
export const handlerError = (error: Errors.ApiError): EmulatorResponse => ({
  status: error.code,
  headers: { "content-type": jsonType },
  body: Errors.render(error)
})

/** An error written by the pipeline wrappers (Go sniffs text/plain). */
export const pipelineError = (error: Errors.ApiError): EmulatorResponse => ({
  status: error.code,
  headers: { "content-type": textType },
  body: Errors.render(error)
})

/** gorilla/mux's unknown path answer. */
export const notFoundPage: EmulatorResponse = {
  status: 404,
  headers: { "content-type": textType, "x-content-type-options": "nosniff" },
  body: "404 page not found\n"
}

/** gorilla/mux's wrong-method answer. */
export const methodNotAllowed: EmulatorResponse = { status: 405, headers: {}, body: "" }

/**
 * net/http's answer to a request-target its URL parser refuses (written before any handler runs, so no JSON and
 * no route), and the connection closes after it.
 */
export const badRequest: EmulatorResponse = {
  status: 400,
  headers: { "content-type": textType, connection: "close" },
  body: "400 Bad Request"
}

/** gorilla/mux's redirect to the cleaned path: a 301 with only a `Location`. */
export const movedPermanently = (location: string): EmulatorResponse => ({
  status: 301,
  headers: { location },
  body: ""
})
