// Publish, pull and acknowledge (§6.2–§6.5): ids, times, 413, no leasing, cumulative single-shot acks, long poll.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { defaultSeed } from "../src/Seed.js"
import { b64, type Client, client, consumer, errorBody, projectAdmin, publisher, sub, topic } from "./helpers.js"

interface Received {
  readonly ackId: string
  readonly message: { readonly messageId: string; readonly data: string; readonly publishTime: string }
}

/** A demo emulator with topic t1 and subscription s1 (consumer and publisher in the ACLs). */
const setup = (ackDeadlineSeconds = 10, config = {}) =>
  Effect.gen(function*() {
    const c = yield* client({
      ...defaultSeed,
      topics: [{ project: "demo", name: "t1", acl: ["publisher"] }],
      subscriptions: [{ project: "demo", name: "s1", topic: "t1", ackDeadlineSeconds, acl: ["consumer"] }]
    }, config)
    return c
  })

const publish = (c: Client, ...data: Array<string>) =>
  Effect.map(
    c.ok("POST", topic("t1", ":publish"), publisher, { messages: data.map((d) => ({ data: b64(d) })) }),
    (r) => (r as { messageIds: Array<string> }).messageIds
  )

const pull = (c: Client, max: number | string = 10, returnImmediately?: string) =>
  Effect.map(
    c.ok("POST", sub("s1", ":pull"), consumer, {
      maxMessages: String(max),
      ...(returnImmediately === undefined ? {} : { returnImmediately })
    }),
    (r) => (r as { receivedMessages: Array<Received> }).receivedMessages
  )

const ack = (c: Client, ...offsets: Array<number>) =>
  c.call("POST", sub("s1", ":acknowledge"), consumer, {
    ackIds: offsets.map((o) => `projects/demo/subscriptions/s1:${o}`)
  })

const data = (received: ReadonlyArray<Received>) =>
  received.map((r) => Buffer.from(r.message.data, "base64").toString())

describe("publish", () => {
  it.effect("assigns consecutive offsets as ids, starting at 0", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      assert.deepStrictEqual(yield* publish(c, "a", "b"), ["0", "1"])
      assert.deepStrictEqual(yield* publish(c, "c"), ["2"])
      const empty = yield* c.call("POST", topic("t1", ":publish"), publisher, {})
      assert.strictEqual(empty.body, JSON.stringify({ messageIds: [] }, null, 3))
    }))

  it.effect("publishTime is UTC with trailing zeros of the nanoseconds trimmed", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* TestClock.setTime(Date.UTC(2020, 0, 1, 0, 0, 0, 100))
      yield* publish(c, "a")
      yield* TestClock.setTime(Date.UTC(2020, 0, 1, 0, 0, 1))
      yield* publish(c, "b")
      yield* c.ok("POST", sub("s1", ":modifyOffset"), projectAdmin, { offset: 0 })
      const received = yield* pull(c, 2)
      assert.deepStrictEqual(received.map((r) => r.message.publishTime), [
        "2020-01-01T00:00:00.1Z",
        "2020-01-01T00:00:01Z"
      ])
    }))

  it.effect("rejects undecodable bodies with Invalid Message Arguments", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      for (const body of ["", "{", { messages: [{ attributes: ["x"] }] }, { messages: [{ attributes: { a: 1 } }] }]) {
        const r = yield* c.call("POST", topic("t1", ":publish"), publisher, body)
        assert.strictEqual(r.status, 400)
        assert.strictEqual(r.body, errorBody(400, "Invalid Message Arguments", "INVALID_ARGUMENT"))
      }
    }))

  it.effect("a too large message is 413 and the earlier ones of the request stay published", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      const big = "x".repeat(1_500_001)
      const r = yield* c.call("POST", topic("t1", ":publish"), publisher, {
        messages: [{ data: "AA==" }, { data: big }, { data: "AQ==" }]
      })
      assert.strictEqual(r.status, 413)
      assert.strictEqual(r.body, errorBody(413, "Message size is too large", "INVALID_ARGUMENT"))
      const offsets = yield* c.ok("GET", sub("s1", ":offsets"), consumer)
      assert.deepStrictEqual(offsets, { max: 1, min: 0, current: 0 })
    }))

  it.effect("an unknown topic is 404", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      const r = yield* c.call("POST", topic("nope", ":publish"), projectAdmin, { messages: [] })
      assert.strictEqual(r.body, errorBody(404, "Topic doesn't exist", "NOT_FOUND"))
    }))
})

describe("pull", () => {
  it.effect("returns messages with ackIds and only the four message keys", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* c.ok("POST", topic("t1", ":publish"), publisher, {
        messages: [{ data: b64("a"), attributes: { z: "1", a: "2" }, messageId: "99", publishTime: "x" }, { data: "" }]
      })
      const received = yield* pull(c)
      assert.strictEqual(received.length, 2)
      assert.strictEqual(received[0]!.ackId, "projects/demo/subscriptions/s1:0")
      assert.deepStrictEqual(Object.keys(received[0]!.message), ["messageId", "attributes", "data", "publishTime"])
      assert.deepStrictEqual(Object.keys((received[0]!.message as unknown as { attributes: object }).attributes), [
        "a",
        "z"
      ])
      assert.strictEqual(received[0]!.message.messageId, "0")
      assert.deepStrictEqual(Object.keys(received[1]!.message), ["messageId", "data", "publishTime"])
    }))

  it.effect("defaults to one message; maxMessages must be a string", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a", "b", "c")
      const one = yield* c.ok("POST", sub("s1", ":pull"), consumer, {})
      assert.strictEqual((one as { receivedMessages: Array<unknown> }).receivedMessages.length, 1)
      assert.strictEqual((yield* pull(c, "junk")).length, 1)
      assert.strictEqual((yield* pull(c, "0")).length, 1)
      assert.strictEqual((yield* pull(c, "-3")).length, 1)
      for (const body of [{ maxMessages: 10 }, { returnImmediately: false }, ""]) {
        const r = yield* c.call("POST", sub("s1", ":pull"), consumer, body)
        assert.strictEqual(r.body, errorBody(400, "Invalid Pull Parameters Arguments", "INVALID_ARGUMENT"))
      }
    }))

  it.effect("keys are matched case-insensitively", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a", "b", "c")
      const r = yield* c.ok("POST", sub("s1", ":pull"), consumer, { MAXMESSAGES: "2", extra: [1] })
      assert.strictEqual((r as { receivedMessages: Array<unknown> }).receivedMessages.length, 2)
    }))

  it.effect("an empty subscription answers [] immediately even with returnImmediately false", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      const r = yield* c.call("POST", sub("s1", ":pull"), consumer, { maxMessages: "5", returnImmediately: "false" })
      assert.strictEqual(r.body, JSON.stringify({ receivedMessages: [] }, null, 3))
    }))

  it.effect("does not lease: a re-pull returns the same messages", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a", "b", "c")
      const first = yield* pull(c, 2)
      const second = yield* pull(c, 2)
      assert.deepStrictEqual(data(first), ["a", "b"])
      assert.deepStrictEqual(second, first)
      assert.strictEqual((yield* ack(c, 1)).status, 200)
      assert.deepStrictEqual(data(yield* pull(c, 5)), ["c"])
    }))

  it.effect("messages published before the subscription was created are not delivered", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "old")
      yield* c.ok("PUT", sub("s2"), projectAdmin, { topic: "projects/demo/topics/t1" })
      yield* publish(c, "new")
      const r = yield* c.ok("POST", sub("s2", ":pull"), projectAdmin, { maxMessages: "5" })
      const received = (r as { receivedMessages: Array<Received> }).receivedMessages
      assert.deepStrictEqual(data(received), ["new"])
      assert.strictEqual(received[0]!.ackId, "projects/demo/subscriptions/s2:1")
    }))
})

describe("long poll", () => {
  it.effect("waits until maxMessages are there and returns without the clock moving", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a")
      const fiber = yield* Effect.fork(pull(c, 3, "false"))
      yield* TestClock.adjust("10 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "the pull must still be waiting")
      yield* publish(c, "b")
      yield* TestClock.adjust("1 second")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* publish(c, "c", "d")
      assert.deepStrictEqual(data(yield* Fiber.join(fiber)), ["a", "b", "c"])
    }))

  it.effect("returns what it has when the wait limit passes", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a")
      const fiber = yield* Effect.fork(pull(c, 3, "false"))
      yield* TestClock.adjust("299 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(data(yield* Fiber.join(fiber)), ["a"])
    }))

  it.effect("the wait limit is configurable", () =>
    Effect.gen(function*() {
      const c = yield* setup(10, { pullWaitLimit: "2 seconds" })
      yield* publish(c, "a")
      const fiber = yield* Effect.fork(pull(c, 3, "false"))
      yield* TestClock.adjust("2 seconds")
      assert.deepStrictEqual(data(yield* Fiber.join(fiber)), ["a"])
    }))

  it.effect("returnImmediately other than \"false\" does not wait", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a")
      assert.deepStrictEqual(data(yield* pull(c, 3, "False")), ["a"])
      assert.deepStrictEqual(data(yield* pull(c, 3)), ["a"])
    }))
})

describe("acknowledge", () => {
  it.effect("is cumulative: the highest id acknowledges everything below", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a", "b", "c", "d")
      yield* pull(c, 3)
      const r = yield* ack(c, 2)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.body, "{}")
      assert.deepStrictEqual(yield* c.ok("GET", sub("s1", ":offsets"), consumer), { max: 4, min: 0, current: 3 })
      assert.deepStrictEqual(data(yield* pull(c)), ["d"])
    }))

  it.effect("is single-shot: a second ack answers 500 no ack pending", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a", "b", "c")
      yield* pull(c, 3)
      assert.strictEqual((yield* ack(c, 0)).status, 200)
      const second = yield* ack(c, 2)
      assert.strictEqual(second.status, 500)
      assert.strictEqual(second.body, errorBody(500, "no ack pending", "INTERNAL_SERVER_ERROR"))
      // the rest of the batch is redelivered
      assert.deepStrictEqual(data(yield* pull(c, 5)), ["b", "c"])
    }))

  it.effect("without any pull there is no ack pending", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a")
      assert.strictEqual((yield* ack(c, 0)).body, errorBody(500, "no ack pending", "INTERNAL_SERVER_ERROR"))
    }))

  it.effect("an id outside the latest pull's window is 500 wrong ack", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a", "b", "c")
      yield* pull(c, 2)
      const beyond = yield* ack(c, 2)
      assert.strictEqual(beyond.body, errorBody(500, "wrong ack", "INTERNAL_SERVER_ERROR"))
      yield* c.ok("POST", sub("s1", ":modifyOffset"), consumer, { offset: 1 })
      yield* pull(c, 2)
      const before = yield* ack(c, 0)
      assert.strictEqual(before.body, errorBody(500, "wrong ack", "INTERNAL_SERVER_ERROR"))
      // ids from an earlier pull are fine when they fall in the latest window
      assert.strictEqual((yield* ack(c, 1)).status, 200)
    }))

  it.effect("validates the body and the ids", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      const call = (body: unknown) => c.call("POST", sub("s1", ":acknowledge"), consumer, body)
      const invalidParameter = errorBody(400, "Invalid ack parameter", "INVALID_ARGUMENT")
      const invalidId = errorBody(400, "Invalid ack id", "INVALID_ARGUMENT")
      assert.strictEqual((yield* call("nope")).body, invalidParameter)
      assert.strictEqual((yield* call({ ackIds: [1] })).body, invalidParameter)
      assert.strictEqual((yield* call({})).body, invalidId)
      assert.strictEqual((yield* call({ ackIds: [] })).body, invalidId)
      assert.strictEqual((yield* call({ ackIds: ["projects/demo/subscriptions/other:0"] })).body, invalidId)
      assert.strictEqual((yield* call({ ackIds: ["projects/demo/subscriptions/s1:x"] })).body, invalidId)
      assert.strictEqual((yield* call({ ackIds: ["projects/demo/subscriptions/s1"] })).body, invalidId)
      const missing = yield* c.call("POST", sub("nope", ":acknowledge"), consumer, { ackIds: [] })
      assert.strictEqual(missing.body, errorBody(404, "Subscription doesn't exist", "NOT_FOUND"))
    }))

  it.effect("a late ack is 408, measured in whole seconds, and changes nothing", () =>
    Effect.gen(function*() {
      const c = yield* setup(10)
      yield* publish(c, "a")
      yield* TestClock.adjust("900 millis")
      yield* pull(c)
      // 10.6 s really elapsed, but 11 - 0 truncated seconds > 10
      yield* TestClock.adjust("10600 millis")
      const late = yield* ack(c, 0)
      assert.strictEqual(late.status, 408)
      assert.strictEqual(late.body, errorBody(408, "ack timeout", "TIMEOUT"))
      assert.deepStrictEqual(yield* c.ok("GET", sub("s1", ":offsets"), consumer), { max: 1, min: 0, current: 0 })
      // a re-pull restarts the clock
      yield* pull(c)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* ack(c, 0)).status, 200)
    }))

  it.effect("exactly the deadline in truncated seconds is still in time", () =>
    Effect.gen(function*() {
      const c = yield* setup(2)
      yield* publish(c, "a")
      yield* pull(c)
      yield* TestClock.adjust("2999 millis")
      assert.strictEqual((yield* ack(c, 0)).status, 200)
    }))

  it.effect("modifyAckDeadline applies to messages already pulled", () =>
    Effect.gen(function*() {
      const c = yield* setup(10)
      yield* publish(c, "a")
      yield* pull(c)
      yield* TestClock.adjust("5 seconds")
      yield* c.ok("POST", sub("s1", ":modifyAckDeadline"), consumer, { ackDeadlineSeconds: 1 })
      assert.strictEqual((yield* ack(c, 0)).status, 408)
      yield* c.ok("POST", sub("s1", ":modifyAckDeadline"), consumer, { ackDeadlineSeconds: 0 })
      yield* pull(c)
      assert.strictEqual((yield* ack(c, 0)).status, 200)
    }))
})

describe("concurrency", () => {
  it.effect("racing publishers and a pull/ack consumer never lose or duplicate a message", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      const publishers = 20
      const perPublisher = 10
      const total = publishers * perPublisher
      const consumed: Array<string> = []
      const consumerLoop = Effect.gen(function*() {
        while (consumed.length < total) {
          const received = yield* pull(c, 7)
          if (received.length === 0) {
            yield* Effect.yieldNow()
            continue
          }
          const last = received[received.length - 1]!
          const r = yield* ack(c, Number(last.message.messageId))
          if (r.status === 200) consumed.push(...data(received))
        }
      })
      const consumerFiber = yield* Effect.fork(consumerLoop)
      const ids = yield* Effect.forEach(
        Array.from({ length: publishers }, (_, p) => p),
        (p) =>
          Effect.forEach(Array.from({ length: perPublisher }, (_, i) => `${p}-${i}`), (d) => publish(c, d), {
            concurrency: 1
          }),
        { concurrency: "unbounded" }
      )
      yield* Fiber.join(consumerFiber)
      const allIds = ids.flat(2).map(Number).sort((a, b) => a - b)
      assert.deepStrictEqual(allIds, Array.from({ length: total }, (_, i) => i))
      assert.strictEqual(consumed.length, total)
      assert.strictEqual(new Set(consumed).size, total)
      for (let p = 0; p < publishers; p++) {
        const mine = consumed.filter((d) => d.startsWith(`${p}-`))
        assert.deepStrictEqual(mine, Array.from({ length: perPublisher }, (_, i) => `${p}-${i}`))
      }
    }))

  it.effect("concurrent pulls of one subscription see the same messages", () =>
    Effect.gen(function*() {
      const c = yield* setup()
      yield* publish(c, "a", "b")
      const results = yield* Effect.all([pull(c, 2), pull(c, 2), pull(c, 2)], { concurrency: "unbounded" })
      for (const r of results) assert.deepStrictEqual(data(r), ["a", "b"])
    }))
})
