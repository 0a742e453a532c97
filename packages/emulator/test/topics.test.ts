// Topic routes (§5.2), duplicate creation (§6.10) and deletion cascades (§6.9).
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { defaultSeed } from "../src/Seed.js"
import { b64, client, consumer, errorBody, projectAdmin, publisher, sub, topic } from "./helpers.js"

describe("topics:create / show / delete", () => {
  it.effect("creates with an empty body and shows the topic", () =>
    Effect.gen(function*() {
      const c = yield* client()
      yield* TestClock.setTime(Date.UTC(2020, 10, 21, 8, 0, 0, 750))
      const r = yield* c.call("PUT", topic("t1"), projectAdmin, "")
      assert.strictEqual(r.status, 200)
      const expected = JSON.stringify({ name: "/projects/demo/topics/t1", created_on: "2020-11-21T08:00:00Z" }, null, 3)
      assert.strictEqual(r.body, expected)
      assert.strictEqual((yield* c.call("GET", topic("t1"), publisher)).body, expected)
    }))

  it.effect("a second creation is 409 ALREADY_EXISTS", () =>
    Effect.gen(function*() {
      const c = yield* client()
      yield* c.ok("PUT", topic("t1"), projectAdmin)
      const r = yield* c.call("PUT", topic("t1"), projectAdmin)
      assert.strictEqual(r.status, 409)
      assert.strictEqual(r.body, errorBody(409, "Topic already exists", "ALREADY_EXISTS"))
    }))

  it.effect("validates the optional body and the schema reference", () =>
    Effect.gen(function*() {
      const c = yield* client({
        ...defaultSeed,
        schemas: [{ project: "demo", name: "sch", type: "json", schema: { type: "object" } }]
      })
      const put = (name: string, body: unknown) => c.call("PUT", topic(name), projectAdmin, body)
      assert.strictEqual((yield* put("a", { schema: 1 })).body, errorBody(400, "Invalid Request Body", "BAD_REQUEST"))
      assert.strictEqual((yield* put("a", "[")).body, errorBody(400, "Invalid Request Body", "BAD_REQUEST"))
      assert.strictEqual(
        (yield* put("a", { schema: "sch" })).body,
        errorBody(400, "wrong schema name declaration", "INVALID_ARGUMENT")
      )
      assert.strictEqual(
        (yield* put("a", { schema: "projects/demo/schemas/nope" })).body,
        errorBody(404, "Schema doesn't exist", "NOT_FOUND")
      )
      const ok = (yield* c.ok("PUT", topic("a"), projectAdmin, { schema: "projects/demo/schemas/sch" })) as {
        schema: string
      }
      assert.strictEqual(ok.schema, "projects/demo/schemas/sch")
      // unknown keys are ignored
      assert.strictEqual((yield* put("b", { other: "x" })).status, 200)
      yield* c.ok("POST", topic("a", ":detachSchema"), projectAdmin)
      assert.isUndefined(((yield* c.ok("GET", topic("a"), projectAdmin)) as { schema?: string }).schema)
      yield* c.ok("POST", topic("a", ":attachSchema"), projectAdmin, { schema: "projects/demo/schemas/sch" })
      assert.strictEqual(
        ((yield* c.ok("GET", topic("a"), projectAdmin)) as { schema?: string }).schema,
        "projects/demo/schemas/sch"
      )
    }))

  it.effect("delete answers an empty body, then 404", () =>
    Effect.gen(function*() {
      const c = yield* client()
      yield* c.ok("PUT", topic("t1"), projectAdmin)
      const r = yield* c.call("DELETE", topic("t1"), projectAdmin)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.body, "")
      const again = yield* c.call("DELETE", topic("t1"), projectAdmin)
      assert.strictEqual(again.body, errorBody(404, "Topic doesn't exist", "NOT_FOUND"))
      assert.strictEqual((yield* c.call("GET", topic("t1"), projectAdmin)).status, 404)
    }))
})

describe("cascades", () => {
  it.effect("deleting a topic keeps its subscriptions; pulling them is 409; re-creation restarts offsets", () =>
    Effect.gen(function*() {
      const c = yield* client()
      yield* c.ok("PUT", topic("t1"), projectAdmin)
      yield* c.ok("PUT", sub("s1"), projectAdmin, { topic: "projects/demo/topics/t1" })
      yield* c.ok("POST", topic("t1", ":publish"), projectAdmin, { messages: [{ data: b64("a") }, { data: b64("b") }] })
      yield* c.ok("POST", sub("s1", ":pull"), projectAdmin, { maxMessages: "2" })
      yield* c.ok("POST", sub("s1", ":acknowledge"), projectAdmin, { ackIds: ["projects/demo/subscriptions/s1:1"] })
      yield* c.ok("DELETE", topic("t1"), projectAdmin)
      const shown = (yield* c.ok("GET", sub("s1"), consumer)) as { topic: string }
      assert.strictEqual(shown.topic, "/projects/demo/topics/t1")
      const listed = (yield* c.ok("GET", "/v1/projects/demo/subscriptions", projectAdmin)) as { totalSize: number }
      assert.strictEqual(listed.totalSize, 1)
      const pulled = yield* c.call("POST", sub("s1", ":pull"), projectAdmin, { maxMessages: "1" })
      assert.strictEqual(pulled.body, errorBody(409, "Subscription's topic doesn't exist", "CONFLICT"))
      assert.strictEqual((yield* c.call("GET", topic("t1", "/subscriptions"), projectAdmin)).status, 404)
      // re-created topic: offsets restart at 0, the old cursor (2) sees nothing until max passes it
      yield* c.ok("PUT", topic("t1"), projectAdmin)
      const ids = (yield* c.ok("POST", topic("t1", ":publish"), projectAdmin, { messages: [{ data: b64("c") }] })) as {
        messageIds: Array<string>
      }
      assert.deepStrictEqual(ids.messageIds, ["0"])
      const empty = (yield* c.ok("POST", sub("s1", ":pull"), projectAdmin, { maxMessages: "5" })) as {
        receivedMessages: Array<unknown>
      }
      assert.strictEqual(empty.receivedMessages.length, 0)
      yield* c.ok("POST", topic("t1", ":publish"), projectAdmin, { messages: [{ data: b64("d") }, { data: b64("e") }] })
      const late = (yield* c.ok("POST", sub("s1", ":pull"), projectAdmin, { maxMessages: "5" })) as {
        receivedMessages: Array<{ message: { messageId: string } }>
      }
      assert.deepStrictEqual(late.receivedMessages.map((m) => m.message.messageId), ["2"])
    }))

  it.effect("deleting a subscription answers an empty body and frees the name", () =>
    Effect.gen(function*() {
      const c = yield* client()
      yield* c.ok("PUT", topic("t1"), projectAdmin)
      yield* c.ok("PUT", sub("s1"), projectAdmin, { topic: "projects/demo/topics/t1" })
      const r = yield* c.call("DELETE", sub("s1"), projectAdmin)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.body, "")
      assert.strictEqual(
        (yield* c.call("DELETE", sub("s1"), projectAdmin)).body,
        errorBody(404, "Subscription doesn't exist", "NOT_FOUND")
      )
      assert.strictEqual(
        (yield* c.call("PUT", sub("s1"), projectAdmin, { topic: "projects/demo/topics/t1" })).status,
        200
      )
    }))
})
