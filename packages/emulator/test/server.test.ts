// The HTTP server on loopback: real sockets, exact bytes, CORS, every fault kind, and a clean shutdown.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as AmsEmulator from "../src/AmsEmulator.js"
import * as Faults from "../src/Faults.js"
import type { EmulatorRequest } from "../src/internal/contract.js"
import * as Seed from "../src/Seed.js"
import { request } from "./client.js"
import * as Fake from "./fake.js"

const serve = (options?: AmsEmulator.ServerOptions) =>
  Effect.flatMap(
    Fake.make,
    ({ emulator, interrupted, seen }) =>
      Effect.map(AmsEmulator.serveEmulator(emulator, options), (server) => ({ server, seen, interrupted }))
  )

describe("AmsEmulator server", () => {
  it.scopedLive("listens on 127.0.0.1 with a free port and round-trips a request", () =>
    Effect.gen(function*() {
      const { server, seen } = yield* serve()
      assert.strictEqual(server.host, "127.0.0.1")
      assert.isAbove(server.port, 0)
      assert.strictEqual(server.endpoint, `http://127.0.0.1:${server.port}`)
      assert.isUndefined(server.certificate)
      const body = "{\"messages\":[{\"data\":\"aGk=\",\"attributes\":{\"k\":\"é\"}}]}"
      const response = yield* request(`${server.endpoint}/v1/projects/p/topics/t:publish?key=abc`, {
        method: "POST",
        headers: { "X-Api-Key": "tok" },
        body
      })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers["content-type"], "application/json; charset=utf-8")
      const echoed = JSON.parse(response.body.toString("utf8")) as EmulatorRequest
      assert.strictEqual(echoed.method, "POST")
      assert.strictEqual(echoed.url, "/v1/projects/p/topics/t:publish?key=abc")
      assert.strictEqual(echoed.headers["x-api-key"], "tok")
      assert.strictEqual(echoed.body, body)
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
    }))

  it.scopedLive("writes status, headers and body exactly; an empty body is 0 bytes", () =>
    Effect.gen(function*() {
      const { server } = yield* serve()
      const empty = yield* request(`${server.endpoint}/empty`, { method: "DELETE" })
      assert.strictEqual(empty.status, 200)
      assert.strictEqual(empty.body.byteLength, 0)
      assert.strictEqual(empty.headers["content-length"], "0")
      const braces = yield* request(`${server.endpoint}/braces`)
      assert.strictEqual(braces.body.toString(), "{}")
      const teapot = yield* request(`${server.endpoint}/teapot`, { method: "PATCH" })
      assert.strictEqual(teapot.status, 418)
      assert.strictEqual(teapot.headers["x-custom"], "yes")
      assert.strictEqual(teapot.body.toString(), "short and stout")
      const unicode = yield* request(`${server.endpoint}/unicode`)
      assert.strictEqual(unicode.headers["content-length"], String(unicode.body.byteLength))
      assert.deepStrictEqual(JSON.parse(unicode.body.toString("utf8")), { text: "héllo ✓ 日本" })
      const head = yield* request(`${server.endpoint}/braces`, { method: "HEAD" })
      assert.strictEqual(head.status, 200)
      assert.strictEqual(head.body.byteLength, 0)
    }))

  it.scopedLive("answers a CORS preflight and tags cross-origin answers, as gorilla/handlers does", () =>
    Effect.gen(function*() {
      const { server, seen } = yield* serve()
      const preflight = yield* request(`${server.endpoint}/v1/projects/p/topics/t`, {
        method: "OPTIONS",
        headers: {
          origin: "http://app.example",
          "access-control-request-method": "PUT",
          "access-control-request-headers": "x-api-key, content-type"
        }
      })
      assert.strictEqual(preflight.status, 200)
      assert.strictEqual(preflight.body.byteLength, 0)
      assert.strictEqual(preflight.headers["access-control-allow-origin"], "*")
      assert.strictEqual(preflight.headers["access-control-allow-methods"], "PUT")
      assert.strictEqual(preflight.headers["access-control-allow-headers"], "X-Api-Key,Content-Type")
      const forbiddenHeader = yield* request(`${server.endpoint}/x`, {
        method: "OPTIONS",
        headers: {
          origin: "http://app.example",
          "access-control-request-method": "GET",
          "access-control-request-headers": "authorization"
        }
      })
      assert.strictEqual(forbiddenHeader.status, 403)
      const badMethod = yield* request(`${server.endpoint}/x`, {
        method: "OPTIONS",
        headers: { origin: "http://app.example", "access-control-request-method": "PATCH" }
      })
      assert.strictEqual(badMethod.status, 405)
      const noMethod = yield* request(`${server.endpoint}/x`, {
        method: "OPTIONS",
        headers: { origin: "http://app.example" }
      })
      assert.strictEqual(noMethod.status, 400)
      const actual = yield* request(`${server.endpoint}/braces`, { headers: { origin: "http://app.example" } })
      assert.strictEqual(actual.headers["access-control-allow-origin"], "*")
      // Preflights never reach the router.
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
    }))

  it.scopedLive("balancer faults: HAProxy status and HTML body on the wire", () =>
    Effect.gen(function*() {
      const { server, seen } = yield* serve({
        faults: [
          { match: { times: 1 }, fault: Faults.balancer(408) },
          { match: { times: 1 }, fault: Faults.balancer(502) },
          { match: { times: 1 }, fault: Faults.balancer(503) },
          { match: { times: 1 }, fault: Faults.balancer(504) },
          { match: { times: 1 }, fault: Faults.balancer(500) }
        ]
      })
      for (const status of [408, 502, 503, 504, 500] as const) {
        const response = yield* request(`${server.endpoint}/braces`, { method: "POST", body: "{}" })
        assert.strictEqual(response.status, status)
        assert.strictEqual(response.body.toString("utf8"), Faults.balancerBodies[status])
        assert.strictEqual(response.headers["content-type"], "text/html")
      }
      const normal = yield* request(`${server.endpoint}/braces`)
      assert.strictEqual(normal.status, 200)
      assert.strictEqual((yield* Ref.get(seen)).length, 1)
      assert.strictEqual((yield* server.faults.stats).byKind.Status, 5)
    }))

  it.scopedLive("a dropped connection: the client sees a reset, then the next request works", () =>
    Effect.gen(function*() {
      const { server } = yield* serve({ faults: Faults.on({ times: 1 }, Faults.drop()) })
      const dropped = yield* Effect.either(request(`${server.endpoint}/braces`))
      assert(Either.isLeft(dropped))
      assert.match(String((dropped.left as NodeJS.ErrnoException).code), /ECONNRESET/)
      const fetched = yield* Effect.either(Effect.tryPromise(() => fetch(`${server.endpoint}/braces`)))
      assert(Either.isRight(fetched))
      assert.strictEqual(fetched.right.status, 200)
    }))

  it.scopedLive("fetch sees a dropped connection as a failed fetch", () =>
    Effect.gen(function*() {
      const { server } = yield* serve({ faults: Faults.on({}, Faults.drop()) })
      const result = yield* Effect.either(Effect.tryPromise(() => fetch(`${server.endpoint}/braces`)))
      assert(Either.isLeft(result))
    }))

  it.scopedLive("a truncated body: headers announce the full length, the body is cut and the socket closes", () =>
    Effect.gen(function*() {
      const { server } = yield* serve({ faults: Faults.on({}, Faults.truncate({ bytes: 3 })) })
      const raw = yield* Effect.either(request(`${server.endpoint}/unicode`))
      assert(Either.isLeft(raw))
      const response = yield* Effect.promise(() => fetch(`${server.endpoint}/unicode`))
      assert.strictEqual(response.status, 200)
      const text = yield* Effect.either(Effect.tryPromise(() => response.text()))
      assert(Either.isLeft(text))
    }))

  it.scopedLive("malformed JSON and a (live) delay over the socket", () =>
    Effect.gen(function*() {
      const { server } = yield* serve({
        faults: [
          { match: { path: "/braces", times: 1 }, fault: Faults.malformedJson() },
          { match: { path: "/empty" }, fault: Faults.delay("150 millis") }
        ]
      })
      const malformed = yield* request(`${server.endpoint}/braces`)
      assert.strictEqual(malformed.status, 200)
      assert.throws(() => JSON.parse(malformed.body.toString()))
      const started = Date.now()
      const slow = yield* request(`${server.endpoint}/empty`)
      assert.strictEqual(slow.status, 200)
      assert.isAtLeast(Date.now() - started, 140)
    }))

  it.live("closing the scope closes the socket", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const { server } = yield* Scope.extend(serve(), scope)
      const before = yield* request(`${server.endpoint}/braces`)
      assert.strictEqual(before.status, 200)
      yield* Scope.close(scope, Exit.void)
      const after = yield* Effect.either(request(`${server.endpoint}/braces`))
      assert(Either.isLeft(after))
      assert.strictEqual((after.left as NodeJS.ErrnoException).code, "ECONNREFUSED")
    }))

  it.live("closing the scope ends requests in flight", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const { server } = yield* Scope.extend(serve({ faults: Faults.on({}, Faults.delay("1 hour")) }), scope)
      const pending = yield* Effect.fork(Effect.either(request(`${server.endpoint}/braces`)))
      yield* Effect.sleep("50 millis")
      yield* Scope.close(scope, Exit.void)
      const result = yield* Effect.timeout(pending.await, "2 seconds")
      assert(Exit.isSuccess(result))
      assert(Either.isLeft(result.value))
    }))

  it.scopedLive("layerServerEmulator provides the server and the running emulator", () =>
    Effect.gen(function*() {
      const { emulator } = yield* Fake.make
      const [server, running] = yield* Effect.provide(
        Effect.all([AmsEmulator.AmsEmulatorServer, AmsEmulator.AmsEmulator]),
        AmsEmulator.layerServerEmulator(emulator)
      )
      assert.strictEqual(server.endpoint, running.endpoint)
      assert.match(server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
    }))

  it.scopedLive("a port already taken is an error", () =>
    Effect.gen(function*() {
      const { server } = yield* serve()
      const { emulator } = yield* Fake.make
      const second = yield* Effect.either(AmsEmulator.serveEmulator(emulator, { port: server.port }))
      assert(Either.isLeft(second))
      assert.strictEqual((second.left as NodeJS.ErrnoException).code, "EADDRINUSE")
    }))

  it.scopedLive("a client that goes away interrupts its request in the emulator", () =>
    Effect.gen(function*() {
      const { interrupted, seen, server } = yield* serve()
      const pending = yield* Effect.fork(request(`${server.endpoint}/hang`))
      while ((yield* Ref.get(seen)).length === 0) yield* Effect.sleep("5 millis")
      yield* Fiber.interrupt(pending)
      yield* Effect.timeout(
        Effect.repeat(Ref.get(interrupted), { until: (n) => n === 1, schedule: Schedule.spaced("5 millis") }),
        "2 seconds"
      )
      assert.strictEqual(yield* Ref.get(interrupted), 1)
    }))
})

describe("AmsEmulator.serve on the real emulator", () => {
  const admin = { "x-api-key": Seed.adminToken }

  it.scopedLive("creates a topic and publishes over HTTP; a preflight for a real route is answered", () =>
    Effect.gen(function*() {
      const server = yield* AmsEmulator.serve()
      const created = yield* request(`${server.endpoint}/v1/projects/demo/topics/sock`, {
        method: "PUT",
        headers: admin
      })
      assert.strictEqual(created.status, 200)
      const published = yield* request(`${server.endpoint}/v1/projects/demo/topics/sock:publish`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ messages: [{ data: "aGk=" }] })
      })
      assert.deepStrictEqual(JSON.parse(published.body.toString()), { messageIds: ["0"] })
      const deleted = yield* request(`${server.endpoint}/v1/projects/demo/topics/sock`, {
        method: "DELETE",
        headers: admin
      })
      assert.strictEqual(deleted.status, 200)
      assert.strictEqual(deleted.body.byteLength, 0)
      const preflight = yield* request(`${server.endpoint}/v1/projects/demo/topics/sock:publish`, {
        method: "OPTIONS",
        headers: {
          origin: "http://localhost:5173",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,x-api-key"
        }
      })
      assert.strictEqual(preflight.status, 200)
      assert.strictEqual(preflight.headers["access-control-allow-headers"], "Content-Type,X-Api-Key")
      assert.isUndefined(preflight.headers["access-control-allow-methods"])
    }))

  it.scopedLive("layerServer over TLS with a fault plan", () =>
    Effect.gen(function*() {
      const server = yield* AmsEmulator.AmsEmulatorServer
      const ca = server.certificate?.ca ?? ""
      const url = `${server.endpoint}/v1/projects/demo/topics`
      const first = yield* request(url, { headers: admin, ca })
      assert.strictEqual(first.status, 503)
      const second = yield* request(url, { headers: admin, ca })
      assert.strictEqual(second.status, 200)
      const { faults } = yield* AmsEmulator.AmsEmulator
      assert.strictEqual((yield* faults.stats).injected, 1)
    }).pipe(
      Effect.provide(AmsEmulator.layerServer({ tls: true, faults: Faults.on({ times: 1 }, Faults.balancer(503)) }))
    ))
})
