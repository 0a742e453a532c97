// Malformed and hostile requests: the emulator answers every one of them like the server would (or with a JSON
// error), never dies, and never leaves its state half-changed; over sockets too, under concurrency and shutdown.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as AmsEmulator from "../src/AmsEmulator.js"
import { request } from "./client.js"
import * as H from "./helpers.js"

/** Demo project with topic t (3 messages), subscription s (at 0) and a JSON schema. */
const setup = Effect.gen(function*() {
  const c = yield* H.client()
  yield* c.ok("PUT", H.topic("t"), H.admin)
  yield* c.ok("PUT", H.sub("s"), H.admin, { topic: "projects/demo/topics/t" })
  yield* c.ok("POST", H.topic("t", ":publish"), H.admin, {
    messages: [{ data: H.b64("a") }, { data: H.b64("b") }, { data: H.b64("c") }]
  })
  yield* c.ok("POST", H.sub("s", ":modifyOffset"), H.admin, { offset: 0 })
  yield* c.ok("POST", "/v1/projects/demo/schemas/js", H.admin, { type: "json", schema: { type: "object" } })
  return c
})

/** Everything a client can observe about the demo project's messaging state. */
const observe = (c: H.Client) =>
  Effect.all([
    c.ok("GET", "/v1/projects/demo/topics", H.admin),
    c.ok("GET", "/v1/projects/demo/subscriptions", H.admin),
    c.ok("GET", H.sub("s", ":offsets"), H.admin),
    c.ok("GET", "/v1/projects/demo/schemas", H.admin),
    c.ok("GET", "/v1/users", H.admin),
    c.ok("GET", "/v1/projects", H.admin)
  ])

const isErrorEnvelope = (body: string, status: number) => {
  const parsed = JSON.parse(body) as { error: { code: number; message: string; status: string } }
  assert.deepStrictEqual(Object.keys(parsed), ["error"])
  assert.deepStrictEqual(Object.keys(parsed.error), ["code", "message", "status"])
  assert.strictEqual(parsed.error.code, status)
  return parsed.error
}

// Every route that reads a body (§5). (A well-formed object is not garbage: Go ignores unknown keys.)
const bodyRoutes: ReadonlyArray<readonly [string, string]> = [
  ["PUT", H.topic("fresh")],
  ["POST", H.topic("t", ":publish")],
  ["POST", H.topic("t", ":modifyAcl")],
  ["POST", H.topic("t", ":attachSchema")],
  ["PUT", H.sub("fresh")],
  ["POST", H.sub("s", ":pull")],
  ["POST", H.sub("s", ":acknowledge")],
  ["POST", H.sub("s", ":modifyAckDeadline")],
  ["POST", H.sub("s", ":modifyPushConfig")],
  ["POST", H.sub("s", ":modifyOffset")],
  ["POST", H.sub("s", ":modifyAcl")],
  ["POST", "/v1/users/fresh"],
  ["PUT", "/v1/users/consumer"],
  ["POST", "/v1/projects/fresh"],
  ["PUT", "/v1/projects/demo"],
  ["POST", "/v1/projects/demo/members/fresh"],
  ["PUT", "/v1/projects/demo/members/consumer"],
  ["POST", "/v1/projects/demo/members/admin:add"],
  ["POST", "/v1/registrations"],
  ["POST", "/v1/projects/demo/schemas/fresh"],
  ["PUT", "/v1/projects/demo/schemas/js"],
  ["POST", "/v1/projects/demo/schemas/js:validate"]
]

const garbage: ReadonlyArray<string> = [
  "{",
  "{\"a\":",
  "not json",
  "\"a string\"",
  "42",
  "[1,2,3]",
  "[".repeat(100_000) + "]".repeat(100_000),
  "{\"x\":".repeat(20_000) + "1" + "}".repeat(20_000),
  "\u0000\u0001\u0002",
  "x".repeat(2_000_000)
]

describe("malformed bodies (§1.3)", () => {
  it.effect("every body-reading route answers a 400 JSON error and changes nothing", () =>
    Effect.gen(function*() {
      const c = yield* setup
      const before = yield* observe(c)
      for (const [method, path] of bodyRoutes) {
        for (const body of garbage) {
          const r = yield* c.call(method, path, H.admin, body)
          const where = `${method} ${path} with ${JSON.stringify(body.slice(0, 20))}`
          assert.strictEqual(r.status, 400, `${where} → ${r.status} ${r.body.slice(0, 200)}`)
          const error = isErrorEnvelope(r.body, 400)
          assert.include(["INVALID_ARGUMENT", "BAD_REQUEST"], error.status, where)
        }
      }
      assert.deepStrictEqual(yield* observe(c), before)
    }))

  it.effect("numbers Go's int cannot hold are refused, not stored or printed as 1e+300", () =>
    Effect.gen(function*() {
      const c = yield* setup
      for (const big of ["1e300", "9223372036854775808", "-1e19"]) {
        const offset = yield* c.call("POST", H.sub("s", ":modifyOffset"), H.admin, `{"offset": ${big}}`)
        assert.strictEqual(offset.body, H.errorBody(400, "Invalid Offset Arguments", "INVALID_ARGUMENT"))
        const create = yield* c.call(
          "PUT",
          H.sub("big"),
          H.admin,
          `{"topic":"projects/demo/topics/t","ackDeadlineSeconds":${big}}`
        )
        assert.strictEqual(create.body, H.errorBody(400, "Invalid Subscription Arguments", "INVALID_ARGUMENT"))
        const deadline = yield* c.call(
          "POST",
          H.sub("s", ":modifyAckDeadline"),
          H.admin,
          `{"ackDeadlineSeconds":${big}}`
        )
        assert.strictEqual(deadline.status, 400)
      }
      assert.deepStrictEqual(yield* c.ok("GET", H.sub("s", ":offsets"), H.admin), { max: 3, min: 0, current: 0 })
      // Creation does not range-check the deadline (§6.7): a large int64 is kept and printed as digits.
      const large = yield* c.call(
        "PUT",
        H.sub("large"),
        H.admin,
        `{"topic":"projects/demo/topics/t","ackDeadlineSeconds":4000000000}`
      )
      assert.include(large.body, "\"ackDeadlineSeconds\": 4000000000,")
      // A huge maxMessages string is not an int: it means 1 (§6.3).
      const pulled = (yield* c.ok("POST", H.sub("s", ":pull"), H.admin, { maxMessages: "1".repeat(40) })) as {
        receivedMessages: ReadonlyArray<unknown>
      }
      assert.strictEqual(pulled.receivedMessages.length, 1)
      const page = yield* c.call("GET", "/v1/projects/demo/topics?pageSize=99999999999999999999", H.admin)
      assert.strictEqual(page.body, H.errorBody(400, "Invalid page size", "INVALID_ARGUMENT"))
    }))

  it.effect("a negative offset is refused yet stored (§5.3), and the next pull starts from min", () =>
    Effect.gen(function*() {
      const c = yield* setup
      const r = yield* c.call("POST", H.sub("s", ":modifyOffset"), H.admin, { offset: -5 })
      assert.strictEqual(r.body, H.errorBody(400, "Offset out of bounds", "INVALID_ARGUMENT"))
      const pulled = (yield* c.ok("POST", H.sub("s", ":pull"), H.admin, { maxMessages: "10" })) as {
        receivedMessages: ReadonlyArray<{ ackId: string }>
      }
      assert.deepStrictEqual(pulled.receivedMessages.map((m) => m.ackId), [
        "projects/demo/subscriptions/s:0",
        "projects/demo/subscriptions/s:1",
        "projects/demo/subscriptions/s:2"
      ])
      yield* c.ok("POST", H.sub("s", ":acknowledge"), H.admin, { ackIds: ["projects/demo/subscriptions/s:2"] })
      assert.deepStrictEqual(yield* c.ok("GET", H.sub("s", ":offsets"), H.admin), { max: 3, min: 0, current: 3 })
      const negativeAck = yield* c.call("POST", H.sub("s", ":acknowledge"), H.admin, {
        ackIds: ["projects/demo/subscriptions/s:-1"]
      })
      assert.strictEqual(negativeAck.status, 500)
    }))

  it.effect("a body on GET and DELETE is ignored", () =>
    Effect.gen(function*() {
      const c = yield* setup
      const get = yield* c.call("GET", H.topic("t"), H.admin, "{this is not json")
      assert.strictEqual(get.status, 200)
      const offsets = yield* c.call("GET", H.sub("s", ":offsets"), H.admin, "[1,2,3]")
      assert.strictEqual(offsets.status, 200)
      const remove = yield* c.call("DELETE", H.sub("s"), H.admin, "{")
      assert.strictEqual(remove.status, 200)
      assert.strictEqual(remove.body, "")
    }))
})

describe("hostile names and paths (§1.2, §1.6)", () => {
  it.effect("unicode, encoded slashes and bad escapes never reach a handler", () =>
    Effect.gen(function*() {
      const c = yield* setup
      for (
        const path of ["/v1/projects/demo/topics/t%C3%B3pico", "/v1/projects/demo/topics/tópico", H.topic("a%20b")]
      ) {
        const r = yield* c.call("PUT", path, H.admin)
        assert.strictEqual(r.body, H.errorBody(400, "Invalid topic name", "INVALID_ARGUMENT"), path)
      }
      // The router sees the decoded path, like gorilla/mux: a %2F is a real slash, so nothing matches.
      const slash = yield* c.call("GET", "/v1/projects/demo/topics/a%2Fb", H.admin)
      assert.strictEqual(slash.status, 404)
      assert.strictEqual(slash.body, "404 page not found\n")
      // A bad escape in the path: Go's URL parser refuses the request-target before any route (issue 7.8).
      const escape = yield* c.call("GET", "/v1/projects/demo/topics/a%zz", H.admin)
      assert.strictEqual(escape.status, 400)
      assert.strictEqual(escape.body, "400 Bad Request")
      const unicodeUser = yield* c.call("POST", "/v1/users/%F0%9F%98%80", H.admin, {})
      assert.strictEqual(unicodeUser.body, H.errorBody(400, "Invalid user name", "INVALID_ARGUMENT"))
    }))

  it.effect("unicode data and attributes round-trip, including keys like __proto__", () =>
    Effect.gen(function*() {
      const c = yield* setup
      yield* c.ok("POST", H.sub("s", ":modifyOffset"), H.admin, { offset: 3 })
      // Written as text: in an object literal `__proto__` would set the prototype instead of a key.
      const attributes = "{\"constructor\":\"also\",\"clé\":\"日本語 ✓\",\"__proto__\":\"kept\"}"
      yield* c.ok(
        "POST",
        H.topic("t", ":publish"),
        H.admin,
        `{"messages":[{"data":"${H.b64("héllo ✓")}","attributes":${attributes}}]}`
      )
      const pulled = yield* c.call("POST", H.sub("s", ":pull"), H.admin, {})
      const message = (JSON.parse(pulled.body) as { receivedMessages: Array<{ message: Record<string, unknown> }> })
        .receivedMessages[0]!.message
      assert.deepStrictEqual(Object.entries(message["attributes"] as object), [
        ["__proto__", "kept"],
        ["clé", "日本語 ✓"],
        ["constructor", "also"]
      ])
      assert.strictEqual(Buffer.from(message["data"] as string, "base64").toString("utf8"), "héllo ✓")
    }))
})

describe("limits", () => {
  it.effect("a 1.6 MB message is 413; the earlier message of the request stays published (§6.2)", () =>
    Effect.gen(function*() {
      const c = yield* setup
      const big = "A".repeat(1_600_000)
      const r = yield* c.call("POST", H.topic("t", ":publish"), H.admin, {
        messages: [{ data: H.b64("small") }, { data: big }, { data: H.b64("never") }]
      })
      assert.strictEqual(r.body, H.errorBody(413, "Message size is too large", "INVALID_ARGUMENT"))
      assert.deepStrictEqual(yield* c.ok("GET", H.sub("s", ":offsets"), H.admin), { max: 4, min: 0, current: 0 })
      const next = yield* c.ok("POST", H.topic("t", ":publish"), H.admin, { messages: [{ data: H.b64("x") }] })
      assert.deepStrictEqual(next, { messageIds: ["4"] })
    }))

  it.effect("a handler that dies answers 500 Internal Error and commits nothing", () =>
    Effect.gen(function*() {
      const c = yield* H.client(undefined, {
        pushEnabled: true,
        pushWorkerToken: H.consumer,
        verifyPushEndpoint: () => Effect.dieMessage("verifier bug")
      })
      yield* c.ok("PUT", H.topic("t"), H.admin)
      yield* c.ok("PUT", H.sub("p"), H.admin, {
        topic: "projects/demo/topics/t",
        pushConfig: { type: "http_endpoint", pushEndpoint: "https://127.0.0.1:9/x" }
      })
      const r = yield* c.call("POST", H.sub("p", ":verifyPushEndpoint"), H.admin).pipe(
        Effect.withLogSpan("expected-defect")
      )
      assert.strictEqual(r.status, 500)
      assert.strictEqual(r.body, H.errorBody(500, "Internal Error", "INTERNAL_SERVER_ERROR"))
      const sub = (yield* c.ok("GET", H.sub("p"), H.admin)) as { pushConfig: { verified: boolean } }
      assert.isFalse(sub.pushConfig.verified)
    }))
})

const admin = { "x-api-key": H.admin }

describe("over real sockets", () => {
  it.scopedLive(
    "many concurrent requests: every publish gets a distinct offset, nothing is lost",
    () =>
      Effect.gen(function*() {
        const server = yield* AmsEmulator.serve({ tls: true })
        const ca = server.certificate!.ca
        const url = (path: string) => `${server.endpoint}${path}`
        const call = (method: string, path: string, body?: unknown) =>
          request(url(path), {
            method,
            headers: admin,
            ca,
            ...(body === undefined ? {} : { body: JSON.stringify(body) })
          })
        yield* call("PUT", H.topic("t"))
        yield* call("PUT", H.sub("s"), { topic: "projects/demo/topics/t" })
        const publishers = 20
        const perPublisher = 10
        const responses = yield* Effect.forEach(
          Array.from({ length: publishers * perPublisher }, (_, i) => i),
          (i) => call("POST", H.topic("t", ":publish"), { messages: [{ data: H.b64(`m${i}`) }] }),
          { concurrency: 50 }
        )
        assert.isTrue(responses.every((r) => r.status === 200))
        const ids = responses.map((r) => (JSON.parse(r.body.toString()) as { messageIds: Array<string> }).messageIds[0])
        assert.strictEqual(new Set(ids).size, publishers * perPublisher)
        // Concurrent reads meanwhile are consistent snapshots.
        const reads = yield* Effect.forEach(Array.from({ length: 30 }), () => call("GET", H.sub("s", ":offsets")), {
          concurrency: "unbounded"
        })
        for (const r of reads) {
          assert.deepStrictEqual(JSON.parse(r.body.toString()), { max: 200, min: 0, current: 0 })
        }
        const pulled = yield* call("POST", H.sub("s", ":pull"), { maxMessages: "1000" })
        const received =
          (JSON.parse(pulled.body.toString()) as { receivedMessages: Array<{ message: { data: string } }> })
            .receivedMessages
        assert.strictEqual(received.length, 200)
        const payloads = new Set(received.map((m) => Buffer.from(m.message.data, "base64").toString()))
        assert.strictEqual(payloads.size, 200)
      }),
    30_000
  )

  it.live(
    "many long-polling pulls end promptly when the server's scope closes, over HTTP and in-process",
    () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const server = yield* Scope.extend(AmsEmulator.serve(), scope)
        const call = (method: string, path: string, body?: unknown) =>
          request(`${server.endpoint}${path}`, {
            method,
            headers: admin,
            ...(body === undefined ? {} : { body: JSON.stringify(body) })
          })
        yield* call("PUT", H.topic("t"))
        yield* call("PUT", H.sub("s"), { topic: "projects/demo/topics/t" })
        yield* call("POST", H.topic("t", ":publish"), { messages: [{ data: H.b64("only one") }] })
        // One message available, ten wanted: each pull waits (up to 300 s).
        const polls = yield* Effect.forEach(
          Array.from({ length: 50 }),
          () =>
            Effect.fork(
              Effect.either(call("POST", H.sub("s", ":pull"), { maxMessages: "10", returnImmediately: "false" }))
            ),
          { concurrency: "unbounded" }
        )
        yield* Effect.sleep("200 millis")
        const started = Date.now()
        yield* Scope.close(scope, Exit.void)
        const results = yield* Effect.timeout(
          Fiber.joinAll(polls).pipe(Effect.zipRight(Effect.all(polls.map(Fiber.join)))),
          "5 seconds"
        )
        assert.isBelow(Date.now() - started, 5000)
        assert.isTrue(results.every(Either.isLeft), "every poll saw its connection closed")
        const after = yield* Effect.either(call("GET", "/v1/status"))
        assert.isTrue(Either.isLeft(after), "the server no longer listens")
      }),
    30_000
  )

  it.live("an in-process long poll is interrupted cleanly and leaves the subscription as it was", () =>
    Effect.gen(function*() {
      const c = yield* setup
      const before = yield* c.ok("GET", H.sub("s", ":offsets"), H.admin)
      const polls = yield* Effect.forEach(
        Array.from({ length: 100 }),
        () =>
          Effect.fork(c.call("POST", H.sub("s", ":pull"), H.admin, { maxMessages: "10", returnImmediately: "false" })),
        { concurrency: "unbounded" }
      )
      yield* Effect.sleep("50 millis")
      yield* Fiber.interruptAll(polls)
      assert.deepStrictEqual(yield* c.ok("GET", H.sub("s", ":offsets"), H.admin), before)
      // No pull was recorded: nothing is pending.
      const ack = yield* c.call("POST", H.sub("s", ":acknowledge"), H.admin, {
        ackIds: ["projects/demo/subscriptions/s:0"]
      })
      assert.strictEqual(ack.body, H.errorBody(500, "no ack pending", "INTERNAL_SERVER_ERROR"))
      const normal = yield* c.call("POST", H.sub("s", ":pull"), H.admin, { maxMessages: "3" })
      assert.strictEqual(normal.status, 200)
    }))
})
