/**
 * Subscriber against the in-process emulator through the real `AmsHttp` layer: which prefix is
 * acknowledged, what comes back, stop conditions, deadlines, interruption, the stream's ack rules,
 * counters, metrics and spans.
 */
import * as Faults from "@argo-ams/emulator/Faults"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as Message from "../src/Message.js"
import * as Subscriber from "../src/Subscriber.js"
import * as Topic from "../src/Topic.js"
import { recording } from "./utils/spans.js"
import { consumer, driven, emulated, faultStats, numberOf, offsets, payload, publisher, seed } from "./utils/volume.js"

const publishN = (count: number, from = 0) =>
  publisher(Topic.publish("t", Array.from({ length: count }, (_, i) => payload(from + i))))

const options = { ackDeadlineSeconds: 10, stopWhenEmpty: true } as const

/**
 * A handler that records the number of each message it handles; at message `at` it says so (`started`)
 * and waits for `release` first.
 */
const holdingAt = (at: number) =>
  Effect.gen(function*() {
    const started = yield* Deferred.make<void>()
    const release = yield* Deferred.make<void>()
    const seen: Array<number> = []
    const handler = (m: Message.Message) =>
      Effect.zipRight(
        numberOf(m) === at
          ? Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(release))
          : Effect.void,
        Effect.sync(() => seen.push(numberOf(m)))
      )
    return { started, release, seen, handler }
  })

const ackTimeout = Faults.status(408, {
  body: JSON.stringify({ error: { code: 408, message: "ack timeout", status: "TIMEOUT" } }),
  headers: { "content-type": "application/json" }
})

/** A handler that records every call and fails the first time it sees message `n`. */
const failingOnce = (n: number) => {
  const calls: Array<number> = []
  let failed = false
  const handler = (message: Message.Message) =>
    Effect.suspend(() => {
      calls.push(numberOf(message))
      if (numberOf(message) !== n || failed) return Effect.void
      failed = true
      return Effect.fail("boom")
    })
  return { calls, handler }
}

describe("Subscriber.consume", { timeout: 30_000 }, () => {
  it.effect("a failed handler: the prefix before it is acknowledged, it and the rest come back, order kept", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(6)
      const { calls, handler } = failingOnce(3)
      const stats = yield* consumer(Subscriber.consume("s", handler, options))
      expect(calls).toEqual([0, 1, 2, 3, 3, 4, 5])
      expect(stats).toMatchObject({ handled: 6, handlerFailures: 1, acknowledged: 6, redelivered: 3 })
      expect((yield* offsets()).current).toBe(6)
    })))

  it.effect("a handler that dies is a failure like any other: never acknowledged unhandled", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(3)
      let died = false
      const stats = yield* consumer(
        Subscriber.consume("s", (message) =>
          numberOf(message) === 1 && !died
            ? Effect.sync(() => (died = true)).pipe(Effect.zipRight(Effect.die("bug")))
            : Effect.void, options)
      )
      expect(stats).toMatchObject({ handled: 3, handlerFailures: 1 })
    })))

  it.effect("stopAfter: handles exactly N messages and acknowledges exactly those", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(25)
      const seen: Array<number> = []
      const stats = yield* consumer(Subscriber.consume("s", (m) => Effect.sync(() => seen.push(numberOf(m))), {
        ackDeadlineSeconds: 10,
        maxMessages: 10,
        stopAfter: 13
      }))
      expect(seen).toEqual(Array.from({ length: 13 }, (_, n) => n))
      expect(stats).toMatchObject({ handled: 13, acknowledged: 13, redelivered: 0 })
      expect((yield* offsets()).current).toBe(13)
    })))

  it.effect("stopWhenEmpty on an empty subscription: one pull, nothing handled", () =>
    emulated()(Effect.gen(function*() {
      const stats = yield* consumer(Subscriber.consume("s", () => Effect.void, options))
      expect(stats).toMatchObject({ pulls: 1, received: 0, handled: 0 })
    })))

  it.effect("the idle schedule paces empty pulls; when it ends, the consumer ends", () =>
    emulated()(Effect.gen(function*() {
      const stats = yield* driven(consumer(Subscriber.consume("s", () => Effect.void, {
        ackDeadlineSeconds: 10,
        idle: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(3)), Schedule.asVoid)
      })))
      expect(stats.pulls).toBe(4)
    })))

  it.effect("concurrency 1 (handlers in the consumer's fiber) under faults: same outcome as concurrency 3", () =>
    Effect.gen(function*() {
      // The same faults (seeded), the same failing handler calls, once in order and once three at a time.
      const faults = Faults.random({
        seed: "in-order",
        rate: 0.2,
        faults: [Faults.balancer(503), Faults.drop(), Faults.drop({ processed: true }), Faults.truncate()],
        match: { path: /:(pull|acknowledge)$/ }
      })
      const consumeWith = (concurrency: number) =>
        emulated(faults)(Effect.gen(function*() {
          yield* publishN(300)
          const handled: Array<Message.Message> = []
          let calls = 0
          const stats = yield* consumer(Subscriber.consume("s", (message) =>
            Effect.suspend(() => {
              if (++calls % 17 === 5) return Effect.fail("handler failed")
              handled.push(message)
              return Effect.void
            }), { ...options, maxMessages: 40, concurrency, retry: Schedule.recurs(1_000) }))
          return { handled, stats, current: (yield* offsets()).current }
        }))
      const inOrder = yield* consumeWith(1)
      const concurrent = yield* consumeWith(3)
      for (const run of [inOrder, concurrent]) {
        const numbers = new Set(run.handled.map(numberOf))
        expect(numbers.size).toBe(300)
        expect(run.current).toBe(300)
        expect(run.stats.handlerFailures).toBeGreaterThan(0)
      }
      // In order: each message handled once, in offset order, and every one known acknowledged.
      expect(inOrder.handled.map(numberOf)).toEqual(Array.from({ length: 300 }, (_, n) => n))
      expect(inOrder.stats).toMatchObject({ handled: 300, acknowledged: 300 })
    }))

  it.effect("concurrency > 1: the ack covers only the contiguous handled prefix; handled ones are not re-run", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(6)
      const { calls, handler } = failingOnce(2)
      const stats = yield* consumer(Subscriber.consume("s", handler, { ...options, concurrency: 6 }))
      // 0..5 started at once; 2 failed; on redelivery only 2 runs again.
      expect([...calls].sort()).toEqual([0, 1, 2, 2, 3, 4, 5])
      expect(stats).toMatchObject({ handled: 6, handlerFailures: 1, acknowledged: 6 })
      expect((yield* offsets()).current).toBe(6)
    })))

  it.effect("an ack lost on the way (dropped before the server saw it): redelivered, acked, not handled twice", () =>
    emulated(Faults.on({ path: "*:acknowledge", times: 1 }, Faults.drop()))(Effect.gen(function*() {
      yield* publishN(5)
      const calls: Array<number> = []
      const stats = yield* consumer(Subscriber.consume("s", (m) => Effect.sync(() => calls.push(numberOf(m))), options))
      expect(calls).toEqual([0, 1, 2, 3, 4])
      expect(stats).toMatchObject({ inDoubtAcks: 1, redelivered: 5, acknowledged: 5, handled: 5 })
      expect((yield* offsets()).current).toBe(5)
    })))

  it.effect("an ack applied but its answer lost: the next pull shows it, nothing redelivered", () =>
    emulated(Faults.on({ path: "*:acknowledge", times: 1 }, Faults.drop({ processed: true })))(Effect.gen(function*() {
      yield* publishN(5)
      const stats = yield* consumer(Subscriber.consume("s", () => Effect.void, options))
      expect(stats).toMatchObject({ inDoubtAcks: 1, redelivered: 0, acknowledged: 5, handled: 5 })
    })))

  it.effect("AMS's 408 ack timeout: counted, pulled again, acknowledged without calling the handler again", () =>
    emulated(Faults.on({ path: "*:acknowledge", times: 1 }, ackTimeout))(Effect.gen(function*() {
      yield* publishN(4)
      const calls: Array<number> = []
      const stats = yield* consumer(Subscriber.consume("s", (m) => Effect.sync(() => calls.push(numberOf(m))), options))
      expect(calls).toEqual([0, 1, 2, 3])
      expect(stats).toMatchObject({ ackTimeouts: 1, acknowledged: 4 })
      expect((yield* offsets()).current).toBe(4)
    })))

  it.effect("a pull that fails for good fails the consumer; a retryable one is retried with `retry`", () =>
    emulated(Faults.on({ path: "*:pull", times: 2 }, Faults.balancer(503)))(Effect.gen(function*() {
      yield* publishN(2)
      const refused = yield* consumer(
        Subscriber.consume("s", () => Effect.void, { ...options, retry: Schedule.recurs(1) })
      )
        .pipe(Effect.flip)
      expect(refused._tag).toBe("AmsBalancerError")
      const stats = yield* consumer(
        Subscriber.consume("s", () => Effect.void, { ...options, retry: Schedule.recurs(1) })
      )
      expect(stats.handled).toBe(2)
    })))

  it.effect("reads ackDeadlineSeconds from the subscription when not told, and acks before it", () =>
    emulated([], seed({ ackDeadlineSeconds: 4 }))(Effect.gen(function*() {
      yield* publishN(6)
      const stats = yield* driven(
        consumer(Subscriber.consume("s", () => Effect.sleep("1500 millis"), { stopWhenEmpty: true, maxMessages: 6 }))
      )
      // With the default 10 s the first ack would come at 9 s and be refused as too late.
      expect(stats).toMatchObject({ ackTimeouts: 0, handled: 6, acknowledged: 6 })
    })))

  it.effect("each message slower than the whole deadline: still no ack timeout, every message handled once", () =>
    emulated([], seed({ ackDeadlineSeconds: 10 }))(Effect.gen(function*() {
      yield* publishN(3)
      const calls: Array<number> = []
      const stats = yield* driven(
        consumer(
          Subscriber.consume("s", (m) =>
            Effect.zipRight(
              Effect.sleep("12 seconds"),
              Effect.sync(() => calls.push(numberOf(m)))
            ), {
            stopWhenEmpty: true
          })
        ),
        { step: "1 second" }
      )
      expect(calls).toEqual([0, 1, 2])
      expect(stats).toMatchObject({ ackTimeouts: 0, acknowledged: 3, handled: 3 })
      expect((yield* offsets()).current).toBe(3)
    })))

  it.effect("interruption lets the running handler finish, acknowledges what was handled, then ends", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(5)
      const { handler, release, seen, started } = yield* holdingAt(2)
      const running = yield* Effect.fork(consumer(Subscriber.consume("s", handler, { ackDeadlineSeconds: 10 })))
      yield* Deferred.await(started)
      const stopping = yield* Effect.fork(Fiber.interrupt(running))
      // Let the interruption reach the consumer before the handler may finish.
      yield* Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 10)))
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(stopping)
      expect(seen).toEqual([0, 1, 2])
      expect((yield* offsets()).current).toBe(3)
    })))

  it.effect("interruption with finishInFlight: false interrupts the handler; its message is not acknowledged", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(5)
      const started = yield* Deferred.make<void>()
      const running = yield* Effect.fork(
        consumer(
          Subscriber.consume(
            "s",
            (m) =>
              numberOf(m) === 2 ? Effect.zipRight(Deferred.succeed(started, undefined), Effect.never) : Effect.void,
            {
              ackDeadlineSeconds: 10,
              finishInFlight: false
            }
          )
        )
      )
      yield* Deferred.await(started)
      yield* Fiber.interrupt(running)
      expect((yield* offsets()).current).toBe(2)
    })))

  it.effect("a consumer its caller made uninterruptible is not stopped between messages: the interruption waits", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(5)
      const { handler, release, seen, started } = yield* holdingAt(1)
      const running = yield* Effect.fork(
        Effect.uninterruptible(consumer(Subscriber.consume("s", handler, { ackDeadlineSeconds: 10, stopAfter: 5 })))
      )
      yield* Deferred.await(started)
      const stopping = yield* Effect.fork(Fiber.interrupt(running))
      yield* Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 10)))
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(stopping)
      expect(seen).toEqual([0, 1, 2, 3, 4])
      expect((yield* offsets()).current).toBe(5)
    })))

  it.effect("counters are readable while it runs; metrics are tagged with the subscription; one span per batch", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(30)
      const counters = yield* Subscriber.makeCounters
      const during: Array<number> = []
      const { result: stats, spans } = yield* recording(consumer(Subscriber.consume(
        "s",
        () => Effect.flatMap(counters.get, (s) => Effect.sync(() => during.push(s.received))),
        { ...options, maxMessages: 10, counters }
      )))
      expect(during[0]).toBe(10)
      expect(during[29]).toBe(30)
      expect(yield* counters.get).toEqual(stats)
      const handled = yield* Metric.value(Metric.tagged(Subscriber.metrics.handled, "ams.subscription", "s"))
      expect(handled.count).toBeGreaterThanOrEqual(30)
      const batches = spans.filter((span) => span.name === "ams.subscriber.batch")
      expect(batches).toHaveLength(3)
      expect(batches[0].attributes.get("ams.batch.acknowledged")).toBe(10)
      expect(batches[0].attributes.get("ams.subscription")).toBe("s")
    })))
})

describe("Subscriber.stream", { timeout: 30_000 }, () => {
  it.effect("an element counts as handled when its ack runs; a nack brings it and the rest back", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(5)
      let nacked = false
      const seen = yield* consumer(
        Subscriber.stream("s", options).pipe(
          Stream.mapEffect((delivery) => {
            const n = numberOf(delivery.message)
            if (n === 3 && !nacked) {
              nacked = true
              return Effect.as(delivery.nack, -n)
            }
            return Effect.as(delivery.ack, n)
          }),
          Stream.runCollect
        )
      )
      // 4 was acked before the redelivery: it is remembered as handled and not emitted again.
      expect(Chunk.toReadonlyArray(seen)).toEqual([0, 1, 2, -3, 4, 3])
      expect((yield* offsets()).current).toBe(5)
    })))

  it.effect("a stream cut short acknowledges exactly the acked prefix", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(10)
      const taken = yield* consumer(
        Subscriber.stream("s", { ackDeadlineSeconds: 10 }).pipe(
          Stream.tap((delivery) => delivery.ack),
          Stream.take(4),
          Stream.runCollect
        )
      )
      expect(Chunk.toReadonlyArray(taken).map((d) => numberOf(d.message))).toEqual([0, 1, 2, 3])
      expect((yield* offsets()).current).toBe(4)
    })))

  it.effect("elements emitted but never acked are not acknowledged", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(3)
      const taken = yield* consumer(
        Subscriber.stream("s", { ackDeadlineSeconds: 10 }).pipe(
          Stream.take(3),
          Stream.runCollect
        )
      )
      expect(Chunk.size(taken)).toBe(3)
      expect((yield* offsets()).current).toBe(0)
      expect((yield* faultStats).requests).toBeGreaterThan(0)
    })))
})
