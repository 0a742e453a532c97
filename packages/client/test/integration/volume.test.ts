/**
 * The proofs of issue 8: Publisher and Subscriber moving thousands of messages through the real
 * `AmsHttp` layer into the in-process emulator, under its fault plan, with the `TestClock` where time
 * matters. Each proof asserts the counts (published, handled, duplicates, lost = 0) and prints one
 * `[proof]` line with them on stderr.
 */
import * as Faults from "@argo-ams/emulator/Faults"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Message from "../../src/Message.js"
import * as Publisher from "../../src/Publisher.js"
import * as Subscriber from "../../src/Subscriber.js"
import * as Topic from "../../src/Topic.js"
import {
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
            }), { stopWhenEmpty: true, retry: eager, ackDeadlineSeconds: 10 }))

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
})
