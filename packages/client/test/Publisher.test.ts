/**
 * Publisher against the in-process emulator through the real `AmsHttp` layer: batching by count,
 * bytes and time, order, messages refused alone before any request, failed and retried batches,
 * closing, the Stream entry point, counters, metrics and spans.
 */
import * as Faults from "@argo-ams/emulator/Faults"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Message from "../src/Message.js"
import * as Publisher from "../src/Publisher.js"
import * as Subscription from "../src/Subscription.js"
import { recording } from "./utils/spans.js"
import { consumer, emulated, faultStats, numberOf, offsets, payload, publisher } from "./utils/volume.js"

const burst = (p: Publisher.Publisher, count: number, from = 0) =>
  Effect.forEach(Array.from({ length: count }, (_, i) => payload(from + i)), p.publish, { concurrency: "unbounded" })

const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

describe("Publisher", { timeout: 30_000 }, () => {
  it.effect("concurrent calls are batched by count and stored in call order; each caller gets its id", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxMessages: 100, maxDelay: 0 }))
      const ids = yield* burst(p, 250)
      expect(ids).toEqual(Array.from({ length: 250 }, (_, n) => String(n)))
      expect(yield* p.stats).toEqual({ published: 250, batches: 3, retried: 0, failed: 0, buffered: 0 })
      const pulled = yield* consumer(Subscription.pull("s", { maxMessages: 250 }))
      expect(pulled.map((r) => numberOf(r.message))).toEqual(Array.from({ length: 250 }, (_, n) => n))
    }))))

  it.effect("batches are split by bytes before they are too large", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      // Each message is about 1,400 bytes of JSON: three fit in 5,000.
      const p = yield* publisher(Publisher.make("t", { maxBytes: 5_000, maxDelay: 0 }))
      const ids = yield* Effect.forEach(
        Array.from({ length: 9 }, (_, n) => ({ data: "y".repeat(1_000), attributes: { n: String(n) } })),
        p.publish,
        { concurrency: "unbounded" }
      )
      expect(ids).toHaveLength(9)
      expect((yield* p.stats).batches).toBe(3)
    }))))

  it.effect("a lone message waits maxDelay for company, then goes", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxDelay: "1 second" }))
      const waiting = yield* Effect.fork(p.publish(payload(0)))
      yield* settle
      yield* TestClock.adjust("500 millis")
      yield* settle
      expect((yield* faultStats).requests).toBe(0)
      yield* TestClock.adjust("600 millis")
      expect(yield* Fiber.join(waiting)).toBe("0")
      expect((yield* faultStats).requests).toBe(1)
    }))))

  it.effect("a message that can never be sent fails alone with AmsMessageError, before any request", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxDelay: 0 }))
      const tooBig = yield* Effect.flip(p.publish({ data: new Uint8Array(Math.ceil(Message.maxRecordBytes * 0.76)) }))
      const broken = yield* Effect.flip(p.publish({ data: "x", attributes: { q: "say \"hi\"" } }))
      const empty = yield* Effect.flip(p.publish({}))
      expect([tooBig._tag, broken._tag, empty._tag]).toEqual(["AmsMessageError", "AmsMessageError", "AmsMessageError"])
      expect((yield* faultStats).requests).toBe(0)
      expect(yield* p.publish(payload(1))).toBe("0")
    }))))

  it.effect("a failed batch fails exactly its callers, with the cause; later batches go on", () =>
    emulated(Faults.on({ path: "*:publish", times: 1 }, Faults.backendError()))(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxMessages: 5, maxDelay: 0, retry: Schedule.recurs(3) }))
      const results = yield* Effect.forEach(
        Array.from({ length: 10 }, (_, n) => payload(n)),
        (m) => Effect.either(p.publish(m)),
        { concurrency: "unbounded" }
      )
      const failed = results.filter((r) => r._tag === "Left")
      expect(failed).toHaveLength(5)
      expect(failed.map((r) => r._tag === "Left" ? r.left._tag : "")).toEqual(Array(5).fill("AmsServiceError"))
      expect(results.slice(5).map((r) => r._tag === "Right" ? r.right : "")).toEqual(["0", "1", "2", "3", "4"])
      expect(yield* p.stats).toMatchObject({ published: 5, failed: 5, retried: 0 })
    }))))

  it.effect("retryable errors are retried with `retry` and counted; the batch is stored once", () =>
    emulated(Faults.on({ path: "*:publish", times: 2 }, Faults.balancer(503)))(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxDelay: 0, retry: Schedule.recurs(3) }))
      const ids = yield* burst(p, 3)
      expect(ids).toEqual(["0", "1", "2"])
      expect(yield* p.stats).toMatchObject({ published: 3, batches: 1, retried: 2 })
      expect((yield* offsets()).max).toBe(3)
    }))))

  it.effect("a retried publish whose first attempt was processed stores its messages twice (documented)", () =>
    emulated(Faults.on({ path: "*:publish", times: 1 }, Faults.drop({ processed: true })))(Effect.scoped(
      Effect.gen(function*() {
        const p = yield* publisher(Publisher.make("t", { maxDelay: 0, retry: Schedule.recurs(1) }))
        expect(yield* burst(p, 2)).toEqual(["2", "3"])
        expect((yield* offsets()).max).toBe(4)
      })
    )))

  it.effect("closing the scope flushes the buffer; publish after close dies", () =>
    emulated()(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const p = yield* publisher(Publisher.make("t", { maxDelay: "1 hour" })).pipe(Scope.extend(scope))
      const waiting = yield* Effect.forEach([payload(0), payload(1)], p.offer)
      yield* Scope.close(scope, Exit.void)
      expect(yield* Effect.all(waiting)).toEqual(["0", "1"])
      const after = yield* Effect.exit(p.publish(payload(2)))
      expect(Exit.isFailure(after) && Option.isSome(Exit.causeOption(after))).toBe(true)
      expect((yield* offsets()).max).toBe(2)
    })))

  it.effect("flush sends the buffer without waiting for maxDelay, and waits for it", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxDelay: "1 hour" }))
      const waiting = yield* Effect.forEach([payload(0), payload(1), payload(2)], p.offer)
      yield* p.flush
      expect(yield* p.stats).toMatchObject({ published: 3, batches: 1, buffered: 0 })
      expect(yield* Effect.all(waiting)).toEqual(["0", "1", "2"])
      yield* p.flush
    }))))

  it.effect("a message is sent as it was when offered: its object or bytes changed after that change nothing", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxDelay: "1 hour" }))
      const bytes = new Uint8Array([1, 2, 3])
      const message: { data: string | Uint8Array; attributes: Record<string, string> } = {
        data: "first",
        attributes: { n: "1" }
      }
      const waiting = [yield* p.offer(message), yield* p.offer({ data: bytes })]
      message.data = "second"
      message.attributes.n = "2"
      bytes.fill(9)
      yield* p.flush
      expect(yield* Effect.all(waiting)).toEqual(["0", "1"])
      const pulled = yield* consumer(Subscription.pull("s", { maxMessages: 2 }))
      expect(Message.text(pulled[0]!)).toBe("first")
      expect(pulled[0]!.message.attributes).toEqual({ n: "1" })
      expect([...pulled[1]!.message.data]).toEqual([1, 2, 3])
    }))))

  it.effect("publishAll ends without waiting maxDelay for the last batch", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxMessages: 4, maxDelay: "1 hour" }))
      const ids = yield* Stream.runCollect(Publisher.publishAll(p, Stream.map(Stream.range(0, 9), payload)))
      expect(Chunk.size(ids)).toBe(10)
      expect((yield* p.stats).batches).toBe(3)
    }))))

  it.effect("publishAll publishes a Stream in order and emits the ids in the same order", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxMessages: 7, maxDelay: 0 }))
      const ids = yield* Stream.runCollect(Publisher.publishAll(p, Stream.map(Stream.range(0, 49), payload)))
      expect(Chunk.toReadonlyArray(ids)).toEqual(Array.from({ length: 50 }, (_, n) => String(n)))
      expect((yield* p.stats).batches).toBeGreaterThanOrEqual(8)
    }))))

  it.effect("publishAll stops at a message that cannot be sent: the ones before it are published, none after", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(Publisher.make("t", { maxMessages: 7, maxDelay: 0 }))
      const messages = Stream.map(Stream.range(0, 29), (n) => n === 12 ? {} : payload(n))
      const ids: Array<string> = []
      const error = yield* Effect.flip(Stream.runForEach(Publisher.publishAll(p, messages), (id) =>
        Effect.sync(() => {
          ids.push(id)
        })))
      expect(error._tag).toBe("AmsMessageError")
      expect(ids).toEqual(Array.from({ length: 12 }, (_, n) => String(n)))
      const pulled = yield* consumer(Subscription.pull("s", { maxMessages: 100 }))
      expect(pulled.map((r) => numberOf(r.message))).toEqual(Array.from({ length: 12 }, (_, n) => n))
    }))))

  it.effect("publishAll with a small inFlight and a small buffer keeps the order and loses nothing", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const p = yield* publisher(
        Publisher.make("t", { maxMessages: 10, bufferMessages: 7, bufferBytes: 3_000, maxDelay: 0 })
      )
      const ids = yield* Stream.runCollect(
        Publisher.publishAll(p, Stream.map(Stream.range(0, 99), payload), { inFlight: 5 })
      )
      expect(Chunk.toReadonlyArray(ids)).toEqual(Array.from({ length: 100 }, (_, n) => String(n)))
      expect(yield* p.stats).toMatchObject({ published: 100, buffered: 0 })
    }))))

  it.effect("publishAll on a Publisher made elsewhere goes through its offer, in order", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      const inner = yield* publisher(Publisher.make("t", { maxMessages: 4, maxDelay: 0 }))
      let offered = 0
      const wrapped: Publisher.Publisher = {
        topic: inner.topic,
        flush: inner.flush,
        stats: inner.stats,
        offer: (message) => Effect.zipRight(Effect.sync(() => offered++), inner.offer(message)),
        publish: inner.publish
      }
      const ids = yield* Stream.runCollect(Publisher.publishAll(wrapped, Stream.map(Stream.range(0, 9), payload)))
      expect(Chunk.toReadonlyArray(ids)).toEqual(Array.from({ length: 10 }, (_, n) => String(n)))
      expect(offered).toBe(10)
    }))))

  it.effect("metrics are tagged with the topic; one span per batch", () =>
    emulated()(Effect.scoped(Effect.gen(function*() {
      // The batches run in the publisher's own fiber, under the tracer it was made with.
      const { spans } = yield* recording(Effect.flatMap(
        publisher(Publisher.make("t", { maxMessages: 10, maxDelay: 0 })),
        (p) => burst(p, 30)
      ))
      const published = yield* Metric.value(Metric.tagged(Publisher.metrics.published, "ams.topic", "t"))
      expect(published.count).toBeGreaterThanOrEqual(30)
      const batches = spans.filter((span) => span.name === "ams.publisher.batch")
      expect(batches.map((span) => span.attributes.get("ams.batch.messages"))).toEqual([10, 10, 10])
    }))))
})
