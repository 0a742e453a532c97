/**
 * The proofs of issue 8: Publisher and Subscriber moving thousands of messages through the real
 * `AmsHttp` layer into the in-process emulator, under its fault plan, with the `TestClock` where time
 * matters. Each proof asserts the counts (published, handled, duplicates, lost = 0) and prints one
 * `[proof]` line with them on stderr.
 */
import * as Faults from "@argo-ams/emulator/Faults"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { AmsError } from "../../src/AmsError.js"
import type * as Message from "../../src/Message.js"
import * as Publisher from "../../src/Publisher.js"
import * as Subscriber from "../../src/Subscriber.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"
import {
  admin,
  consumer,
  driven,
  emulated,
  faultStats,
  offsets,
  payload,
  publisher,
  report,
  seed,
  tally
} from "../utils/volume.js"

/** How balancers and networks fail (ams-api.md §3.4), including drops and cut bodies after AMS acted. */
const sick: ReadonlyArray<Faults.Fault> = [
  Faults.balancer(502),
  Faults.balancer(503),
  Faults.balancer(504),
  Faults.balancer(408),
  Faults.balancer(504, { processed: true }),
  Faults.drop(),
  Faults.drop({ processed: true }),
  Faults.truncate()
]

const messagingRoutes = /:(publish|pull|acknowledge)$/

/** Retries at once, many times: the proofs count what the faults do, not how long the pauses are. */
const eager = Schedule.recurs(1_000)

describe("issue 8 proofs", () => {
  it.effect(
    "proof 1: 10,000 messages, 20% of publish/pull/ack calls failing, 5% of handler calls failing",
    () =>
      emulated(Faults.random({ seed: "proof-1", rate: 0.2, faults: sick, match: { path: messagingRoutes } }))(
        Effect.gen(function*() {
          const total = 10_000
          const published = yield* publisher(Effect.scoped(Effect.gen(function*() {
            const p = yield* Publisher.make("t", { maxDelay: 0, retry: eager })
            const ids = yield* Stream.runCollect(
              Publisher.publishAll(p, Stream.map(Stream.range(0, total - 1), payload))
            )
            return { ids: Chunk.toReadonlyArray(ids), stats: yield* p.stats }
          })))
          expect(published.ids).toHaveLength(total)
          expect(published.stats.published).toBe(total)
          expect(published.stats.failed).toBe(0)

          const handled: Array<Message.Message> = []
          let calls = 0
          const stats = yield* consumer(Subscriber.consume("s", (message) =>
            Effect.suspend(() => {
              // Every 20th call fails: 5% of handler calls.
              if (++calls % 20 === 7) return Effect.fail("handler failed")
              handled.push(message)
              return Effect.void
            }), { stopWhenEmpty: true, retry: eager, ackDeadlineSeconds: 10, maxMessages: 25 }))

          const counts = tally(total, handled)
          const stored = (yield* offsets()).max
          expect(counts.lost).toBe(0)
          // Each stored copy handled exactly once, in offset order (concurrency 1).
          expect(counts.duplicates).toBe(0)
          const order = handled.map((m) => Number(m.messageId))
          expect(order).toEqual([...order].sort((a, b) => a - b))
          expect(handled).toHaveLength(stored)
          // The only extra copies are those a retried publish stored twice.
          expect(counts.payloadDuplicates).toBe(stored - total)
          expect((yield* offsets()).current).toBe(stored)
          expect(stats.handlerFailures).toBeGreaterThan(0)
          const faults = yield* faultStats
          yield* report("1 faults", {
            published: published.stats.published,
            stored,
            handled: counts.handled,
            handlerFailures: stats.handlerFailures,
            duplicates: counts.duplicates,
            storedTwiceByRetriedPublish: counts.payloadDuplicates,
            lost: counts.lost,
            retriedPublishes: published.stats.retried,
            redelivered: stats.redelivered,
            inDoubtAcks: stats.inDoubtAcks,
            ackTimeouts: stats.ackTimeouts,
            requests: faults.requests,
            faultsInjected: faults.injected
          })
        })
      ),
    120_000
  )

  it.effect("proof 3: a publisher closed with 10,000 messages buffered: every caller gets its id, 0 lost", () =>
    // The first request is stalled for 10 s, so everything else waits in the buffer when the scope closes.
    emulated(Faults.on({ path: "*:publish", times: 1 }, Faults.delay("10 seconds")))(Effect.gen(function*() {
      const total = 10_000
      const scope = yield* Scope.make()
      const p = yield* Publisher.make("t", { maxDelay: "1 hour" }).pipe(Scope.extend(scope), publisher)
      const waiting = yield* Effect.forEach(Array.from({ length: total }, (_, n) => payload(n)), p.offer)
      const atClose = yield* p.stats
      expect(atClose.buffered).toBe(total)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      const ids = yield* driven(Effect.all(waiting), { step: "1 second" })
      yield* Fiber.join(closing)
      const after = yield* p.stats
      expect(ids).toEqual(Array.from({ length: total }, (_, n) => String(n)))
      expect(after).toMatchObject({ published: total, failed: 0, buffered: 0 })
      expect((yield* offsets()).max).toBe(total)
      yield* report("3 close flushes", {
        buffered: atClose.buffered,
        published: after.published,
        batches: after.batches,
        callersWithId: new Set(ids).size,
        lost: total - new Set(ids).size
      })
    })), 120_000)

  it.effect(
    "proof 5: a handler slower than the ack deadline: the prefix is acked in time, 0 lost, no ack timeouts",
    () =>
      emulated([], seed({ ackDeadlineSeconds: 10 }))(Effect.gen(function*() {
        const total = 30
        yield* publisher(Topic.publish("t", Array.from({ length: total }, (_, n) => payload(n))))
        const handled: Array<Message.Message> = []
        // 3 s per message, 10 per pull: a pull takes 30 s against a 10 s deadline.
        const stats = yield* driven(
          consumer(Subscriber.consume(
            "s",
            (message) => Effect.zipRight(Effect.sleep("3 seconds"), Effect.sync(() => handled.push(message))),
            { maxMessages: 10, stopWhenEmpty: true }
          )),
          { step: "500 millis" }
        )
        const counts = tally(total, handled)
        expect(counts).toMatchObject({ handled: total, lost: 0, duplicates: 0 })
        expect(stats).toMatchObject({ ackTimeouts: 0, acknowledged: total, handled: total, inDoubtAcks: 0 })
        expect(stats.redelivered).toBeGreaterThan(0)
        expect((yield* offsets()).current).toBe(total)
        yield* report("5 slow handler", {
          published: total,
          handled: counts.handled,
          duplicates: counts.duplicates,
          lost: counts.lost,
          redelivered: stats.redelivered,
          ackTimeouts: stats.ackTimeouts,
          pulls: stats.pulls
        })
      })),
    60_000
  )

  it.effect(
    "proof 2: a consumer interrupted at 10 random points mid-batch and restarted each time: 0 lost",
    () =>
      emulated(Faults.random({ seed: "proof-2", rate: 0.1, faults: sick, match: { path: messagingRoutes } }))(
        Effect.gen(function*() {
          const total = 2_000
          yield* publisher(Effect.scoped(Effect.gen(function*() {
            const p = yield* Publisher.make("t", { maxDelay: 0, retry: eager })
            yield* Stream.runDrain(Publisher.publishAll(p, Stream.map(Stream.range(0, total - 1), payload)))
          })))
          const handled: Array<Message.Message> = []
          const points = Random.make("proof-2-points")
          const interruptedAt: Array<number> = []
          for (let round = 0; round < 10; round++) {
            const target = handled.length + (yield* points.nextIntBetween(1, 150))
            const reached = yield* Deferred.make<void>()
            const running = yield* Effect.fork(consumer(Subscriber.consume(
              "s",
              (message) =>
                Effect.suspend(() => {
                  handled.push(message)
                  return handled.length >= target ? Deferred.succeed(reached, undefined) : Effect.void
                }),
              {
                maxMessages: 50,
                retry: eager,
                ackDeadlineSeconds: 10,
                // Alternate the ways of stopping: let in-flight handlers finish or not, one or four at a time.
                finishInFlight: round % 2 === 0,
                concurrency: round % 3 === 0 ? 4 : 1
              }
            )))
            yield* Deferred.await(reached)
            yield* Fiber.interrupt(running)
            interruptedAt.push(handled.length)
          }
          const stats = yield* consumer(Subscriber.consume("s", (message) => Effect.sync(() => handled.push(message)), {
            stopWhenEmpty: true,
            retry: eager,
            ackDeadlineSeconds: 10
          }))
          const stored = (yield* offsets()).max
          const counts = tally(total, handled)
          expect(interruptedAt).toHaveLength(10)
          expect(counts.lost).toBe(0)
          expect(new Set(handled.map((m) => m.messageId)).size).toBe(stored)
          expect((yield* offsets()).current).toBe(stored)
          yield* report("2 interrupted 10 times", {
            published: total,
            stored,
            handled: counts.handled,
            duplicates: counts.duplicates,
            lost: counts.lost,
            interruptedAfterHandled: interruptedAt.join(","),
            lastRunRedelivered: stats.redelivered
          })
        })
      ),
    120_000
  )

  it.effect(
    "proof 4: backpressure: a stalled server, a bounded buffer, callers wait and memory stays bounded",
    () =>
      emulated(Faults.on({ path: "*:publish", times: 1 }, Faults.delay("1 hour")))(
        Effect.scoped(Effect.gen(function*() {
          const callers = 1_000
          const bufferBytes = 20_000
          const big = (n: number): Message.Outgoing => ({ data: "x".repeat(1_000), attributes: { n: String(n) } })
          const p = yield* publisher(
            Publisher.make("t", { bufferMessages: 100, bufferBytes, maxMessages: 10, maxDelay: 0 })
          )
          const fibers = yield* Effect.forEach(
            Array.from({ length: callers }, (_, n) => n),
            (n) => Effect.fork(p.publish(big(n)))
          )
          let maxBuffered = 0
          let done = 0
          for (let step = 0; done < callers && step < 1_000; step++) {
            yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
            maxBuffered = Math.max(maxBuffered, (yield* p.stats).buffered)
            done = 0
            for (const fiber of fibers) if ((yield* Fiber.poll(fiber))._tag === "Some") done++
            if (step === 5) expect(done).toBe(0) // the server is stalled: everyone waits
            yield* TestClock.adjust("10 minutes")
          }
          const ids = yield* Fiber.joinAll(fibers)
          // About 1,370 bytes of JSON per message: at most 14 fit in 20,000 bytes.
          expect(maxBuffered).toBeGreaterThan(0)
          expect(maxBuffered).toBeLessThanOrEqual(14)
          expect(ids).toEqual(Array.from({ length: callers }, (_, n) => String(n)))
          expect((yield* offsets()).max).toBe(callers)
          yield* report("4 backpressure", {
            callers,
            bufferBytes,
            maxBuffered,
            published: (yield* p.stats).published,
            lost: callers - new Set(ids).size
          })
        }))
      ),
    120_000
  )

  it.effect(
    "proof 6: two consumers on one subscription: duplicates as AMS dictates, 0 lost",
    () =>
      emulated([])(Effect.gen(function*() {
        const total = 2_000
        for (let from = 0; from < total; from += 500) {
          yield* publisher(Topic.publish("t", Array.from({ length: 500 }, (_, i) => payload(from + i))))
        }
        const handledBy: [Array<Message.Message>, Array<Message.Message>] = [[], []]
        const one = (i: 0 | 1) =>
          consumer(Subscriber.consume("s", (message) => Effect.sync(() => handledBy[i].push(message)), {
            maxMessages: 50,
            stopWhenEmpty: true,
            ackDeadlineSeconds: 10
          }))
        const [a, b] = yield* Effect.all([one(0), one(1)], { concurrency: 2 })
        const all = [...handledBy[0], ...handledBy[1]]
        const counts = tally(total, all)
        expect(counts.lost).toBe(0)
        expect((yield* offsets()).current).toBe(total)
        expect(a.handled + b.handled).toBe(all.length)
        yield* report("6 two consumers", {
          published: total,
          handledA: a.handled,
          handledB: b.handled,
          duplicates: counts.duplicates,
          lost: counts.lost,
          ackRejected: a.ackRejected + b.ackRejected
        })
      })),
    120_000
  )

  describe("proof 7: typed payloads and each decode policy", () => {
    const Reading = Schema.Struct({ n: Schema.Number })
    // Ten messages through a typed Publisher, except two that do not decode: offsets 4 and 7.
    const publishMixed = publisher(Effect.scoped(Effect.gen(function*() {
      const typed = yield* Publisher.make("t", { schema: Reading, maxDelay: 0 })
      for (let n = 0; n < 10; n++) {
        if (n === 4) yield* Topic.publish("t", { data: "not json" })
        else if (n === 7) yield* Topic.publish("t", { data: JSON.stringify({ n: "seven" }) })
        else yield* typed.publish({ data: { n } })
      }
    })))
    const values = (handled: ReadonlyArray<{ readonly value: { readonly n: number } }>) => handled.map((m) => m.value.n)

    it.effect("fail (the default): the prefix is acknowledged, the consumer fails, the message stays", () =>
      emulated([])(Effect.gen(function*() {
        yield* publishMixed
        const handled: Array<Subscriber.Typed<{ readonly n: number }>> = []
        const error = yield* consumer(Subscriber.consume("s", (message) => Effect.sync(() => handled.push(message)), {
          schema: Reading,
          stopWhenEmpty: true,
          ackDeadlineSeconds: 10
        })).pipe(Effect.flip)
        expect(error._tag).toBe("AmsDecodeError")
        expect(values(handled)).toEqual([0, 1, 2, 3])
        expect((yield* offsets()).current).toBe(4)
        yield* report("7 decode fail", { published: 10, handled: handled.length, acknowledged: 4, lost: 0 })
      })))

    it.effect("skip: undecodable messages are acknowledged unhandled and counted", () =>
      emulated([])(Effect.gen(function*() {
        yield* publishMixed
        const handled: Array<Subscriber.Typed<{ readonly n: number }>> = []
        const stats = yield* consumer(Subscriber.consume("s", (message) => Effect.sync(() => handled.push(message)), {
          schema: Reading,
          onDecodeError: "skip",
          stopWhenEmpty: true,
          ackDeadlineSeconds: 10
        }))
        expect(values(handled)).toEqual([0, 1, 2, 3, 5, 6, 8, 9])
        expect(stats).toMatchObject({ skipped: 2, handled: 8, acknowledged: 10 })
        expect((yield* offsets()).current).toBe(10)
        yield* report("7 decode skip", { published: 10, handled: stats.handled, skipped: stats.skipped, lost: 0 })
      })))

    it.effect("dead letter: undecodable messages go to the dead-letter topic, then are acknowledged", () =>
      emulated([])(Effect.gen(function*() {
        yield* publishMixed
        const handled: Array<Subscriber.Typed<{ readonly n: number }>> = []
        // The project admin may publish to `dlq` and consume `s`.
        const stats = yield* admin(Subscriber.consume("s", (message) => Effect.sync(() => handled.push(message)), {
          schema: Reading,
          onDecodeError: { deadLetter: "dlq" },
          stopWhenEmpty: true,
          ackDeadlineSeconds: 10
        }))
        expect(values(handled)).toEqual([0, 1, 2, 3, 5, 6, 8, 9])
        expect(stats).toMatchObject({ deadLettered: 2, handled: 8, acknowledged: 10 })
        const letters = yield* admin(Subscription.pull("dlq-sub", { maxMessages: 10 }))
        expect(letters.map((r) => r.message.attributes["ams-dead-letter-message-id"])).toEqual(["4", "7"])
        expect(letters.map((r) => r.message.attributes["ams-dead-letter-subscription"])).toEqual([
          "projects/demo/subscriptions/s",
          "projects/demo/subscriptions/s"
        ])
        expect(new TextDecoder().decode(letters[0].message.data)).toBe("not json")
        expect((yield* offsets()).current).toBe(10)
        yield* report("7 decode dead-letter", {
          published: 10,
          handled: stats.handled,
          deadLettered: stats.deadLettered,
          lost: 0
        })
      })))

    it.effect("a typed Publisher refuses a value its schema cannot encode, before any request", () =>
      emulated([])(Effect.scoped(Effect.gen(function*() {
        const typed = yield* publisher(Publisher.make("t", { schema: Reading, maxDelay: 0 }))
        const error: AmsError = yield* Effect.flip(typed.publish({ data: { n: "x" as unknown as number } }))
        expect(error._tag).toBe("AmsMessageError")
        expect((yield* faultStats).requests).toBe(0)
      }))))
  })
})
