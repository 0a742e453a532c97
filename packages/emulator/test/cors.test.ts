// CORS as the server's gorilla/handlers middleware answers it (ams-api.md §1.2): allowed headers
// X-Requested-With, Content-Type, x-api-key (plus gorilla's defaults), methods OPTIONS, POST, GET, PUT,
// DELETE, HEAD; 400 without Access-Control-Request-Method, 405 for another method, 403 for another header.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as AmsEmulator from "../src/AmsEmulator.js"
import * as Faults from "../src/Faults.js"
import type { EmulatorRequest, EmulatorResponse } from "../src/internal/contract.js"
import { cors } from "../src/internal/cors.js"
import * as Fake from "./fake.js"

const origin = "http://127.0.0.1:5173"

/** Runs one request through `cors` in front of a handler that records what reaches it. */
const through = (method: string, headers: Record<string, string>) =>
  Effect.gen(function*() {
    const reached = yield* Ref.make(0)
    const inner = (_: EmulatorRequest): Effect.Effect<EmulatorResponse> =>
      Effect.as(Ref.update(reached, (n) => n + 1), {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: "404 page not found\n"
      })
    const response = yield* cors(inner)({ method, url: "/v1/projects/demo/topics/t:publish", headers, body: "" })
    return { response, reached: yield* Ref.get(reached) }
  })

const preflight = (method: string | undefined, requestHeaders?: string) =>
  through("OPTIONS", {
    origin,
    ...(method === undefined ? {} : { "access-control-request-method": method }),
    ...(requestHeaders === undefined ? {} : { "access-control-request-headers": requestHeaders })
  })

describe("CORS", () => {
  it.effect("a preflight the browser sends for the client's calls: 200, empty, never reaches the router", () =>
    Effect.gen(function*() {
      const { reached, response } = yield* preflight("POST", "content-type,x-api-key")
      assert.deepStrictEqual(response, {
        status: 200,
        headers: { "access-control-allow-headers": "Content-Type,X-Api-Key", "access-control-allow-origin": "*" },
        body: ""
      })
      assert.strictEqual(reached, 0)
    }))

  it.effect("names Access-Control-Allow-Methods only for methods outside GET, HEAD, POST", () =>
    Effect.gen(function*() {
      for (const method of ["PUT", "DELETE", "OPTIONS"]) {
        const { response } = yield* preflight(method, "x-api-key")
        assert.strictEqual(response.status, 200)
        assert.strictEqual(response.headers["access-control-allow-methods"], method)
      }
      for (const method of ["GET", "HEAD", "POST"]) {
        const { response } = yield* preflight(method, "x-api-key")
        assert.strictEqual(response.status, 200)
        assert.isUndefined(response.headers["access-control-allow-methods"])
      }
    }))

  it.effect("echoes allowed headers canonicalised, skips gorilla's defaults and empty items", () =>
    Effect.gen(function*() {
      const mixed = yield* preflight("GET", " X-REQUESTED-WITH , , accept,Accept-Language,content-language,origin")
      assert.strictEqual(mixed.response.status, 200)
      assert.strictEqual(mixed.response.headers["access-control-allow-headers"], "X-Requested-With")
      const defaultsOnly = yield* preflight("GET", "accept, origin")
      assert.strictEqual(defaultsOnly.response.status, 200)
      assert.isUndefined(defaultsOnly.response.headers["access-control-allow-headers"])
      const none = yield* preflight("GET")
      assert.strictEqual(none.response.status, 200)
      assert.isUndefined(none.response.headers["access-control-allow-headers"])
    }))

  it.effect("403, empty, for any other request header: tracing headers and Authorization included", () =>
    Effect.gen(function*() {
      for (const headers of ["b3", "traceparent", "x-api-key,traceparent", "authorization", "x-b3-traceid"]) {
        const { reached, response } = yield* preflight("POST", headers)
        assert.deepStrictEqual(response, { status: 403, headers: {}, body: "" }, headers)
        assert.strictEqual(reached, 0)
      }
    }))

  it.effect("405 for a method outside the list, compared as sent; 400 without Access-Control-Request-Method", () =>
    Effect.gen(function*() {
      for (const method of ["PATCH", "post", "CONNECT", ""]) {
        const { response } = yield* preflight(method, "x-api-key")
        assert.deepStrictEqual(response, { status: 405, headers: {}, body: "" }, method)
      }
      const missing = yield* preflight(undefined, "x-api-key")
      assert.deepStrictEqual(missing.response, { status: 400, headers: {}, body: "" })
    }))

  it.effect("without an Origin: OPTIONS is an empty 200 that never reaches the router, others pass untouched", () =>
    Effect.gen(function*() {
      const options = yield* through("OPTIONS", { "access-control-request-method": "PATCH" })
      assert.deepStrictEqual(options.response, { status: 200, headers: {}, body: "" })
      assert.strictEqual(options.reached, 0)
      const get = yield* through("GET", {})
      assert.strictEqual(get.reached, 1)
      assert.isUndefined(get.response.headers["access-control-allow-origin"])
    }))

  it.effect("a cross-origin request reaches the router and its answer, errors too, carries Allow-Origin *", () =>
    Effect.gen(function*() {
      const { reached, response } = yield* through("POST", { origin })
      assert.strictEqual(reached, 1)
      assert.strictEqual(response.status, 404)
      assert.strictEqual(response.headers["access-control-allow-origin"], "*")
      assert.isUndefined(response.headers["access-control-allow-headers"])
      assert.isUndefined(response.headers["access-control-allow-methods"])
      // A lower-case "options" is not a preflight for Go: it goes to the router.
      const lower = yield* through("options", { origin, "access-control-request-method": "GET" })
      assert.strictEqual(lower.reached, 1)
    }))

  it.effect("a balancer fault answers before the server: HAProxy's page has no CORS headers", () =>
    Effect.flatMap(Fake.make, ({ emulator }) =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const faulted = yield* client.execute(
          HttpClientRequest.post("https://ams.test/braces").pipe(HttpClientRequest.setHeader("origin", origin))
        )
        assert.strictEqual(faulted.status, 503)
        assert.isUndefined(faulted.headers["access-control-allow-origin"])
        const normal = yield* client.execute(
          HttpClientRequest.post("https://ams.test/braces").pipe(HttpClientRequest.setHeader("origin", origin))
        )
        assert.strictEqual(normal.status, 200)
        assert.strictEqual(normal.headers["access-control-allow-origin"], "*")
      }).pipe(
        Effect.provide(AmsEmulator.layerEmulator(emulator, { faults: Faults.on({ times: 1 }, Faults.balancer(503)) }))
      )))
})
