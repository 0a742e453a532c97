// The rules of §1.6, §6.3–§6.9, §10.1 and §11 most likely to be gotten wrong, each pinned by a request sequence.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { defaultSeed } from "../src/Seed.js"
import * as H from "./helpers.js"

type Json = Record<string, unknown>

/** Topic t1 with three messages, subscription s1 reading it from offset 0 (10 s deadline). */
const setup = H.client({
  ...defaultSeed,
  topics: [{
    project: "demo",
    name: "t1",
    messages: [{ data: H.b64("a") }, { data: H.b64("b") }, { data: H.b64("c") }]
  }],
  subscriptions: [{ project: "demo", name: "s1", topic: "t1", offset: 0 }]
})

const pull = (c: H.Client, max: number) =>
  Effect.map(
    c.ok("POST", H.sub("s1", ":pull"), H.projectAdmin, { maxMessages: String(max) }),
    (r) => (r as { receivedMessages: Array<{ ackId: string }> }).receivedMessages.map((m) => m.ackId)
  )

const ack = (c: H.Client, offset: number) =>
  c.call("POST", H.sub("s1", ":acknowledge"), H.projectAdmin, { ackIds: [`projects/demo/subscriptions/s1:${offset}`] })

const current = (c: H.Client) =>
  Effect.map(c.ok("GET", H.sub("s1", ":offsets"), H.projectAdmin), (r) => (r as Json)["current"])

describe("pull and acknowledge (§6.3, §6.4)", () => {
  it.effect("a re-pull restarts the ack clock", () =>
    Effect.gen(function*() {
      const c = yield* setup
      yield* pull(c, 1)
      yield* TestClock.adjust("8 seconds")
      yield* pull(c, 1)
      yield* TestClock.adjust("8 seconds")
      // 16 s after the first pull but 8 s after the latest one: in time.
      assert.strictEqual((yield* ack(c, 0)).body, "{}")
      assert.strictEqual(yield* current(c), 1)
    }))

  it.effect("ack ids of an older pull are accepted inside the newer pull's window, refused outside it", () =>
    Effect.gen(function*() {
      const c = yield* setup
      const older = yield* pull(c, 1)
      assert.deepStrictEqual(older, ["projects/demo/subscriptions/s1:0"])
      yield* pull(c, 3)
      assert.strictEqual((yield* ack(c, 0)).body, "{}")
      assert.strictEqual(yield* current(c), 1)

      const wide = yield* pull(c, 2)
      assert.deepStrictEqual(wide, ["projects/demo/subscriptions/s1:1", "projects/demo/subscriptions/s1:2"])
      yield* pull(c, 1)
      const outside = yield* ack(c, 2)
      assert.strictEqual(outside.body, H.errorBody(500, "wrong ack", "INTERNAL_SERVER_ERROR"))
      assert.strictEqual(yield* current(c), 1)
    }))

  it.effect("an empty pull is recorded too: it replaces the pending window with an empty one", () =>
    Effect.gen(function*() {
      const c = yield* setup
      yield* pull(c, 3)
      assert.strictEqual((yield* ack(c, 2)).body, "{}")
      assert.deepStrictEqual(yield* pull(c, 3), [])
      // The server stores nextOffset = current + 0 after every pull, so the stale id is a wrong ack.
      const stale = yield* ack(c, 2)
      assert.strictEqual(stale.body, H.errorBody(500, "wrong ack", "INTERNAL_SERVER_ERROR"))
    }))

  it.effect("an empty pull at offset 0 leaves no ack pending", () =>
    Effect.gen(function*() {
      const c = yield* H.client({
        ...defaultSeed,
        topics: [{ project: "demo", name: "t1" }],
        subscriptions: [{ project: "demo", name: "s1", topic: "t1" }]
      })
      assert.deepStrictEqual(yield* pull(c, 3), [])
      const none = yield* ack(c, 0)
      assert.strictEqual(none.body, H.errorBody(500, "no ack pending", "INTERNAL_SERVER_ERROR"))
    }))

  it.effect("an empty pull counts as a consume event in the subscription metrics", () =>
    Effect.gen(function*() {
      const c = yield* setup
      yield* TestClock.setTime(Date.UTC(2024, 0, 1, 10, 0, 0))
      yield* pull(c, 3)
      yield* ack(c, 2)
      yield* TestClock.setTime(Date.UTC(2024, 0, 1, 10, 0, 4))
      yield* pull(c, 3)
      const metrics = (yield* c.ok("GET", H.sub("s1", ":metrics"), H.projectAdmin)) as {
        metrics: Array<{ metric: string; timeseries: Array<{ timestamp: string; value: number }> }>
      }
      const rate = metrics.metrics.find((m) => m.metric === "subscription.consumption_rate")!
      assert.deepStrictEqual(rate.timeseries, [{ timestamp: "2024-01-01T10:00:04Z", value: 0 }])
      const count = metrics.metrics.find((m) => m.metric === "subscription.number_of_messages")!
      assert.strictEqual(count.timeseries[0]!.value, 3)
    }))
})

describe("deleting a project (§6.9)", () => {
  it.effect("removes its topics, subscriptions and schemas; members keep a nameless membership", () =>
    Effect.gen(function*() {
      const c = yield* setup
      yield* c.ok("POST", "/v1/projects/demo/schemas/sch", H.admin, { type: "json", schema: { type: "object" } })
      assert.strictEqual((yield* c.call("DELETE", "/v1/projects/demo", H.admin)).body, "")
      yield* c.ok("POST", "/v1/projects/demo", H.admin, {})
      const topics = (yield* c.ok("GET", "/v1/projects/demo/topics", H.admin)) as Json
      assert.deepStrictEqual(topics, { topics: [], nextPageToken: "", totalSize: 0 })
      const subs = (yield* c.ok("GET", "/v1/projects/demo/subscriptions", H.admin)) as Json
      assert.deepStrictEqual(subs, { subscriptions: [], nextPageToken: "", totalSize: 0 })
      assert.deepStrictEqual(yield* c.ok("GET", "/v1/projects/demo/schemas", H.admin), { schemas: [] })
      const consumer = (yield* c.ok("GET", "/v1/users/consumer", H.admin)) as Json
      assert.deepStrictEqual(consumer["projects"], [{
        project: "",
        roles: ["consumer"],
        topics: [],
        subscriptions: []
      }])
      // The dangling membership is no membership of the new project of the same name.
      assert.strictEqual((yield* c.call("GET", "/v1/projects/demo/topics", H.consumer)).status, 401)
    }))
})

describe("routes without {project} (§2.2, §1.6)", () => {
  const routes: ReadonlyArray<readonly [string, string]> = [
    ["GET", "/v1/metrics"],
    ["GET", "/v1/metrics/va_metrics"],
    ["GET", "/v1/users:byToken/abc"],
    ["GET", "/v1/users:byUUID/abc"],
    ["GET", "/v1/users"],
    ["GET", "/v1/users/consumer"],
    ["POST", "/v1/users/consumer:refreshToken"],
    ["POST", "/v1/users/someone"],
    ["PUT", "/v1/users/consumer"],
    ["DELETE", "/v1/users/consumer"],
    ["POST", "/v1/registrations"],
    ["POST", "/v1/registrations/abc:accept"],
    ["POST", "/v1/registrations/abc:decline"],
    ["DELETE", "/v1/registrations/abc"],
    ["GET", "/v1/registrations/abc"],
    ["GET", "/v1/registrations"],
    ["GET", "/v1/projects"]
  ]

  it.effect("a project-only user (even a project admin) is 401 there, from the pipeline", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      for (const [method, path] of routes) {
        const r = yield* c.call(method, path, H.projectAdmin, {})
        assert.strictEqual(r.status, 401, `${method} ${path}`)
        assert.strictEqual(r.body, H.errorBody(401, "Unauthorized", "UNAUTHORIZED"))
        assert.strictEqual(r.headers["content-type"], "text/plain; charset=utf-8")
      }
    }))
})

describe("success bodies (§11 item 2)", () => {
  it.effect("empty where the server writes nothing, {} where it writes {}", () =>
    Effect.gen(function*() {
      const c = yield* setup
      const acl = { authorized_users: ["consumer"] }
      const steps: ReadonlyArray<readonly [string, string, unknown, string]> = [
        ["POST", H.topic("t1", ":modifyAcl"), acl, ""],
        ["POST", H.sub("s1", ":modifyAcl"), acl, ""],
        ["POST", H.sub("s1", ":modifyPushConfig"), { pushConfig: {} }, ""],
        ["POST", H.sub("s1", ":modifyAckDeadline"), { ackDeadlineSeconds: 20 }, ""],
        ["POST", H.sub("s1", ":modifyOffset"), { offset: 1 }, ""],
        ["POST", H.sub("s1", ":pull"), {}, "pulled"],
        ["POST", H.sub("s1", ":acknowledge"), { ackIds: ["projects/demo/subscriptions/s1:1"] }, "{}"],
        ["POST", H.topic("t1", ":detachSchema"), undefined, ""],
        ["POST", "/v1/projects/demo/members/consumer:remove", undefined, "{}"],
        ["DELETE", H.sub("s1"), undefined, ""],
        ["DELETE", H.topic("t1"), undefined, ""],
        ["DELETE", "/v1/users/consumer", undefined, ""]
      ]
      for (const [method, path, body, expected] of steps) {
        const r = yield* c.call(method, path, H.admin, body)
        assert.strictEqual(r.status, 200, `${method} ${path}: ${r.body}`)
        assert.strictEqual(r.headers["content-type"], "application/json; charset=utf-8")
        if (expected !== "pulled") assert.strictEqual(r.body, expected, `${method} ${path}`)
      }
    }))
})

describe("service_roles (§10.1)", () => {
  it.effect("null for users:create without them, [] for projects:createUser", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const created = (yield* c.ok("POST", "/v1/users/u1", H.admin, { email: "u1@example.org" })) as Json
      assert.strictEqual(created["service_roles"], null)
      assert.strictEqual(((yield* c.ok("GET", "/v1/users/u1", H.admin)) as Json)["service_roles"], null)
      const member = (yield* c.ok("POST", "/v1/projects/demo/members/u2", H.admin, {})) as Json
      assert.deepStrictEqual(member["service_roles"], [])
    }))
})
