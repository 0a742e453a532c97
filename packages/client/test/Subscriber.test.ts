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
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Message from "../src/Message.js"
import * as Subscriber from "../src/Subscriber.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import { recording } from "./utils/spans.js"
import {
  admin,
  consumer,
  driven,
  emulated,
  faultStats,
  numberOf,
  offsets,
  payload,
  publisher,
  report,
  seed,
  tally
} from "./utils/volume.js"

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

  it.effect("under faults, acked eight at a time with some nacks: every message acked, none twice, 0 lost", () =>
    emulated(Faults.random({
      seed: "stream",
      rate: 0.2,
      faults: [Faults.balancer(503), Faults.drop(), Faults.drop({ processed: true }), Faults.truncate()],
      match: { path: /:(pull|acknowledge)$/ }
    }))(Effect.gen(function*() {
      yield* publishN(300)
      const acked: Array<Message.Message> = []
      let calls = 0
      const counters = yield* Subscriber.makeCounters
      yield* consumer(
        Subscriber.stream("s", { ...options, maxMessages: 40, retry: Schedule.recurs(1_000), counters }).pipe(
          Stream.mapEffect((delivery) =>
            Effect.suspend(() => {
              if (++calls % 17 === 5) return delivery.nack
              acked.push(delivery.message)
              return delivery.ack
            }), { concurrency: 8 }),
          Stream.runDrain
        )
      )
      const counts = tally(300, acked)
      expect(counts).toMatchObject({ lost: 0, duplicates: 0, payloadDuplicates: 0, handled: 300 })
      expect((yield* offsets()).current).toBe(300)
      const stats = yield* counters.get
      expect(stats).toMatchObject({ handled: 300, acknowledged: 300, handlerFailures: calls - 300 })
      expect(stats.handlerFailures).toBeGreaterThan(0)
      yield* report("stream under faults", {
        published: 300,
        acked: counts.handled,
        nacked: stats.handlerFailures,
        duplicates: counts.duplicates,
        lost: counts.lost
      })
    })))

  it.effect("counts acks and nacks, and emits each pull as one chunk", () =>
    emulated()(Effect.gen(function*() {
      yield* publishN(10)
      const counters = yield* Subscriber.makeCounters
      const chunks: Array<number> = []
      yield* consumer(
        Subscriber.stream("s", { ...options, maxMessages: 4, counters }).pipe(
          Stream.mapChunks((chunk) => {
            chunks.push(Chunk.size(chunk))
            return chunk
          }),
          Stream.mapEffect((delivery) =>
            numberOf(delivery.message) === 5 && chunks.length === 2 ? delivery.nack : delivery.ack
          ),
          Stream.runDrain
        )
      )
      // 0-3; 4-7 with 5 nacked (6 and 7 acked, remembered); 5-8, of which 6 and 7 are not emitted again; 9.
      expect(chunks).toEqual([4, 4, 2, 1])
      expect(yield* counters.get).toMatchObject({ handled: 10, handlerFailures: 1, acknowledged: 10, redelivered: 3 })
      expect((yield* offsets()).current).toBe(10)
    })))

  it.effect("acks slower than the deadline: the acked prefix is acknowledged in time, the rest after the next pull", () =>
    emulated([], seed({ ackDeadlineSeconds: 10 }))(Effect.gen(function*() {
      yield* publishN(3)
      const acks: Array<number> = []
      const counters = yield* Subscriber.makeCounters
      yield* driven(
        consumer(
          Subscriber.stream("s", { stopWhenEmpty: true, counters, maxMessages: 3 }).pipe(
            Stream.mapEffect((delivery) =>
              Effect.zipRight(
                Effect.sleep("6 seconds"),
                Effect.zipRight(Effect.sync(() => acks.push(numberOf(delivery.message))), delivery.ack)
              )
            ),
            Stream.runDrain
          )
        ),
        { step: "1 second" }
      )
      // Acked at 6 s and 12 s: the first is acknowledged at 8 s (the deadline less 2 s), the others once
      // the next pull delivers them again, without emitting them again.
      expect(acks).toEqual([0, 1, 2])
      expect(yield* counters.get).toMatchObject({ ackTimeouts: 0, acknowledged: 3, handled: 3, redelivered: 2 })
      expect((yield* offsets()).current).toBe(3)
    })))

  it.effect("typed: values decoded by the schema; undecodable messages skipped or dead-lettered", () =>
    emulated()(Effect.gen(function*() {
      const Reading = Schema.Struct({ n: Schema.Number })
      // Five messages, two of which do not decode (the second and the fourth).
      const publishMixed = publisher(Topic.publish("t", [
        { data: JSON.stringify({ n: 0 }) },
        { data: "not json" },
        { data: JSON.stringify({ n: 2 }) },
        { data: JSON.stringify({ n: "three" }) },
        { data: JSON.stringify({ n: 4 }) }
      ]))
      // The project admin may consume `s` and publish to `dlq`.
      const values = (policy: Subscriber.DecodePolicy) =>
        Effect.gen(function*() {
          const counters = yield* Subscriber.makeCounters
          const seen = yield* admin(
            Subscriber.stream("s", { ...options, schema: Reading, onDecodeError: policy, counters }).pipe(
              Stream.mapEffect((delivery) => Effect.as(delivery.ack, delivery.message.value.n)),
              Stream.runCollect
            )
          )
          return { seen: Chunk.toReadonlyArray(seen), stats: yield* counters.get }
        })
      yield* publishMixed
      const skipped = yield* values("skip")
      expect(skipped.seen).toEqual([0, 2, 4])
      expect(skipped.stats).toMatchObject({ skipped: 2, handled: 3, acknowledged: 5 })
      yield* publishMixed
      const lettered = yield* values({ deadLetter: "dlq" })
      expect(lettered.seen).toEqual([0, 2, 4])
      expect(lettered.stats).toMatchObject({ deadLettered: 2, handled: 3, acknowledged: 5 })
      const letters = yield* admin(Subscription.pull("dlq-sub", { maxMessages: 10 }))
      expect(letters.map((r) => r.message.attributes["ams-dead-letter-message-id"])).toEqual(["6", "8"])
      expect((yield* offsets()).current).toBe(10)
    })))

  it.effect("typed, fail (the default): the acked prefix is acknowledged, the stream fails, the message stays", () =>
    emulated()(Effect.gen(function*() {
      const Reading = Schema.Struct({ n: Schema.Number })
      yield* publisher(Topic.publish("t", [{ data: JSON.stringify({ n: 0 }) }, { data: "not json" }]))
      const seen: Array<number> = []
      const error = yield* consumer(
        Subscriber.stream("s", { ...options, schema: Reading }).pipe(
          Stream.mapEffect((delivery) =>
            Effect.zipRight(Effect.sync(() => seen.push(delivery.message.value.n)), delivery.ack)
          ),
          Stream.runDrain
        )
      ).pipe(Effect.flip)
      expect(error._tag).toBe("AmsDecodeError")
      expect(seen).toEqual([0])
      expect((yield* offsets()).current).toBe(1)
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
