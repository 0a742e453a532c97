/**
 * The client's retries and error handling against the emulator's fault plans: balancer pages, dropped
 * connections, cut bodies, broken JSON, answers lost after the server acted. Retry schedules run on the
 * `TestClock`; the counts (attempts, stored copies, lost and duplicated messages) are the assertions.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Faults from "@argo-ams/emulator/Faults"
import * as Seed from "@argo-ams/emulator/Seed"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Message from "../../src/Message.js"
import * as Retry from "../../src/Retry.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"
import { driven } from "../utils/clock.js"

const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  topics: [{ project: Seed.demoProject, name: "t", acl: [Seed.publisherUser] }],
  subscriptions: [{ project: Seed.demoProject, name: "s", topic: "t", acl: [Seed.consumerUser] }]
}

const as = (token: string, endpoint = "https://ams.test") => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(effect, AmsHttp.layer({ endpoint, token: Redacted.make(token), project: Seed.demoProject }))
const admin = as(Seed.projectAdminToken)
const publisher = as(Seed.publisherToken)
const consumer = as(Seed.consumerToken)

/** An in-process emulator holding `seed`, behind the fault plan. */
const withFaults = (faults: Faults.Plan) =>
<A, E>(
  effect: Effect.Effect<A, E, HttpClient.HttpClient | AmsEmulator.AmsEmulator>
): Effect.Effect<A, E> => Effect.provide(effect, Layer.orDie(AmsEmulator.layerWith({ seed, faults })))

const stats = Effect.flatMap(AmsEmulator.AmsEmulator, (emulator) => emulator.faults.stats)

/** How many messages the topic holds (its next offset), and where the subscription's cursor is. */
const offsets = admin(Subscription.offsets("s"))

const publish = (...data: Array<string>) => publisher(Topic.publish("t", data.map((d) => ({ data: d }))))

const elapsed = Effect.map(TestClock.currentTimeMillis, (millis) => millis / 1000)

describe("reliability: retries and errors against the emulator's fault plans", () => {
  it.effect("publish: two 503 pages, then success under Retry.linear: one stored copy, 3 attempts, 5 s apart", () =>
    withFaults(Faults.on({ path: "*:publish", times: 2 }, Faults.balancer(503)))(Effect.gen(function*() {
      const start = yield* elapsed
      const ids = yield* driven(
        publisher(Topic.publish("t", [{ data: "m0" }, { data: "m1" }], {
          retry: Retry.linear({ retries: 3, sleep: "5 seconds" })
        }))
      )
      const took = (yield* elapsed) - start
      expect(ids).toEqual(["0", "1"])
      const seen = yield* stats
      expect([seen.requests, seen.injected, seen.byKind.Status]).toEqual([3, 2, 2])
      // Two pauses of 5 s, and no third one.
      expect(took).toBeGreaterThanOrEqual(10)
      expect(took).toBeLessThan(15)
      expect((yield* offsets).max).toBe(2)
      const received = yield* consumer(Subscription.pull("s", { maxMessages: 10 }))
      expect(received.map((r) => Message.text(r))).toEqual(["m0", "m1"])
    })))

  it.effect("retries give up after the schedule with the last balancer error; nothing was stored", () =>
    withFaults(Faults.on({ path: "*:publish" }, Faults.balancer(502)))(Effect.gen(function*() {
      const error = yield* driven(
        publisher(Topic.publish("t", [{ data: "m0" }], { retry: Retry.backoff({ retries: 2, factor: "2 seconds" }) }))
          .pipe(Effect.flip)
      )
      assert.strictEqual(error._tag, "AmsBalancerError")
      expect(error._tag === "AmsBalancerError" ? error.status : 0).toBe(502)
      expect((yield* stats).requests).toBe(3)
      expect((yield* offsets).max).toBe(0)
    })))

  it.effect("AMS's own 500 \"no ack pending\" is the service speaking: not retried, whatever the schedule", () =>
    withFaults([])(Effect.gen(function*() {
      yield* publish("m0")
      const [received] = yield* consumer(Subscription.pull("s"))
      yield* consumer(Subscription.acknowledge("s", [received!.ackId]))
      const before = (yield* stats).requests
      const error = yield* driven(
        consumer(Subscription.acknowledge("s", [received!.ackId], {
          retry: Retry.linear({ retries: 3, sleep: "1 second" })
        })).pipe(Effect.flip)
      )
      assert.strictEqual(error._tag, "AmsServiceError")
      expect(error._tag === "AmsServiceError" ? [error.status, error.message] : []).toEqual([500, "no ack pending"])
      expect((yield* stats).requests - before).toBe(1)
    })))

  it.effect(
    "a publish processed by the server whose answer is lost (504), then retried, is stored twice: " +
      "AMS is at-least-once on publish (ams-api.md §10 row 14)",
    () =>
      withFaults(Faults.on({ path: "*:publish", times: 1 }, Faults.balancer(504, { processed: true })))(
        Effect.gen(function*() {
          const ids = yield* driven(
            publisher(
              Topic.publish("t", [{ data: "once" }], { retry: Retry.linear({ retries: 3, sleep: "1 second" }) })
            )
          )
          // The first copy took offset 0; the caller only ever hears of the second.
          expect(ids).toEqual(["1"])
          expect((yield* offsets).max).toBe(2)
          const received = yield* consumer(Subscription.pull("s", { maxMessages: 10 }))
          expect(received.map((r) => Message.text(r))).toEqual(["once", "once"])
        })
      )
  )

  it.effect("a dropped connection on pull is an AmsConnectionError; the retry gets the same messages (no leasing)", () =>
    withFaults(Faults.on({ path: "*:pull", times: 2 }, Faults.drop({ processed: true })))(Effect.gen(function*() {
      yield* publish("m0", "m1")
      const lost = yield* consumer(Subscription.pull("s", { maxMessages: 10 })).pipe(Effect.flip)
      assert.strictEqual(lost._tag, "AmsConnectionError")
      expect(lost._tag === "AmsConnectionError" ? lost.reason : undefined).toBe("Transport")
      const received = yield* driven(
        consumer(Subscription.pull("s", { maxMessages: 10, retry: Retry.linear({ retries: 2, sleep: "1 second" }) }))
      )
      expect(received.map((r) => [r.message.messageId, Message.text(r)])).toEqual([["0", "m0"], ["1", "m1"]])
      // One pull without retry, then two attempts: the second pull was dropped too.
      expect((yield* stats).byKind.Drop).toBe(2)
      yield* consumer(Subscription.acknowledge("s", [received[1]!.ackId]))
      expect(yield* offsets).toEqual({ min: 0, max: 2, current: 2 })
    })))

  it.effect("a body cut short is an AmsConnectionError (Body), retryable: pulling again redelivers", () =>
    withFaults(Faults.on({ path: "*:pull", times: 1 }, Faults.truncate()))(Effect.gen(function*() {
      yield* publish("m0", "m1")
      const cut = yield* consumer(Subscription.pull("s", { maxMessages: 10 })).pipe(Effect.flip)
      assert.strictEqual(cut._tag, "AmsConnectionError")
      expect(cut._tag === "AmsConnectionError" ? cut.reason : undefined).toBe("Body")
      const again = yield* consumer(Subscription.pull("s", { maxMessages: 10 }))
      expect(again.map((r) => Message.text(r))).toEqual(["m0", "m1"])
    })))

  it.effect("malformed JSON on a 200 is an AmsDecodeError, never retried, even when the publish was stored", () =>
    withFaults([
      ...Faults.on({ path: "*:publish", times: 1 }, Faults.malformedJson()),
      ...Faults.on({ path: "*:publish", times: 1 }, Faults.malformedJson({ processed: true }))
    ])(Effect.gen(function*() {
      const retry = Retry.linear({ retries: 3, sleep: "1 second" })
      const unprocessed = yield* driven(publisher(Topic.publish("t", [{ data: "a" }], { retry })).pipe(Effect.flip))
      assert.strictEqual(unprocessed._tag, "AmsDecodeError")
      expect((yield* offsets).max).toBe(0)
      const processed = yield* driven(publisher(Topic.publish("t", [{ data: "b" }], { retry })).pipe(Effect.flip))
      assert.strictEqual(processed._tag, "AmsDecodeError")
      // Stored although the caller got an error: a decode error says nothing about what the server did.
      expect((yield* offsets).max).toBe(1)
      expect((yield* stats).byKind.MalformedJson).toBe(2)
    })))

  it.effect("pullAndAck whose first ack is dropped before the server sees it: the next cycle acks, nothing lost", () =>
    withFaults(Faults.on({ path: "*:acknowledge", times: 1 }, Faults.drop()))(Effect.gen(function*() {
      yield* publish("m0", "m1", "m2")
      const messages = yield* driven(consumer(Subscription.pullAndAck("s", { maxMessages: 10 })))
      expect(messages.map((m) => Message.text(m))).toEqual(["m0", "m1", "m2"])
      expect(yield* offsets).toEqual({ min: 0, max: 3, current: 3 })
      expect(yield* consumer(Subscription.pull("s", { maxMessages: 10 }))).toEqual([])
    })))

  it.effect("pullAndAck whose ack is processed but its answer lost: the messages are returned once, not dropped", () =>
    withFaults(Faults.on({ path: "*:acknowledge", times: 1 }, Faults.drop({ processed: true })))(
      Effect.gen(function*() {
        yield* publish("m0", "m1", "m2")
        const messages = yield* driven(consumer(Subscription.pullAndAck("s", { maxMessages: 10 })))
        expect(messages.map((m) => Message.text(m))).toEqual(["m0", "m1", "m2"])
        expect(yield* offsets).toEqual({ min: 0, max: 3, current: 3 })
        // Later messages come in later calls, once each.
        yield* publish("m3")
        const next = yield* driven(consumer(Subscription.pullAndAck("s", { maxMessages: 10 })))
        expect(next.map((m) => Message.text(m))).toEqual(["m3"])
      })
    ))

  it.effect("a consumer loop under a seeded random plan: every message delivered and acknowledged exactly once", () => {
    const total = 60
    const plan = Faults.random({
      seed: 20240611,
      rate: 0.35,
      match: { path: /:(pull|acknowledge)$/ },
      faults: [
        Faults.balancer(503),
        Faults.balancer(504, { processed: true }),
        Faults.drop(),
        Faults.drop({ processed: true }),
        Faults.truncate(),
        Faults.delay("3 seconds"),
        Faults.delay("2 seconds", Faults.balancer(502))
      ]
    })
    return withFaults(plan)(Effect.gen(function*() {
      for (let i = 0; i < total; i += 10) {
        yield* publish(...Array.from({ length: 10 }, (_, j) => `m${i + j}`))
      }
      const delivered: Array<string> = []
      let failures = 0
      for (let round = 0; round < 200 && new Set(delivered).size < total; round++) {
        const batch = yield* driven(
          consumer(Subscription.pullAndAck("s", {
            maxMessages: 3,
            retry: Retry.linear({ retries: 10, sleep: "1 second" }),
            cycles: Schedule.recurs(10)
          })).pipe(Effect.either)
        )
        if (batch._tag === "Left") failures++
        else delivered.push(...batch.right.map((m) => m.messageId))
      }
      const distinct = new Set(delivered)
      const lost = Array.from({ length: total }, (_, i) => String(i)).filter((id) => !distinct.has(id))
      expect(lost).toEqual([])
      expect(delivered.length - distinct.size).toBe(0)
      expect(delivered).toEqual(Array.from({ length: total }, (_, i) => String(i)))
      expect(failures).toBe(0)
      expect(yield* offsets).toEqual({ min: 0, max: total, current: total })
      // The plan did bite, in several ways.
      const seen = yield* stats
      expect(seen.injected).toBeGreaterThan(10)
      expect(Object.values(seen.byKind).filter((n) => n > 0).length).toBeGreaterThanOrEqual(3)
    }))
  })
})

describe("issue 7.1 pullAndAck never loses a message", () => {
  it.effect("an ack applied but its answer lost, then a 503 on the next pull: the messages are returned", () =>
    withFaults([
      ...Faults.on({ path: "*:acknowledge", times: 1 }, Faults.drop({ processed: true })),
      ...Faults.on({ path: "*:pull", after: 1, times: 1 }, Faults.balancer(503))
    ])(Effect.gen(function*() {
      yield* publish("m0", "m1", "m2")
      const messages = yield* driven(consumer(Subscription.pullAndAck("s", { maxMessages: 10 })))
      expect(messages.map((m) => Message.text(m))).toEqual(["m0", "m1", "m2"])
      expect(yield* offsets).toEqual({ min: 0, max: 3, current: 3 })
      expect((yield* stats).byKind).toMatchObject({ Drop: 1, Status: 1 })
    })))

  it.effect("the last cycle's ack fails in transit after the server applied it: the messages are returned", () =>
    withFaults(Faults.on({ path: "*:acknowledge" }, Faults.balancer(504, { processed: true })))(
      Effect.gen(function*() {
        yield* publish("m0", "m1")
        const messages = yield* driven(
          consumer(Subscription.pullAndAck("s", { maxMessages: 10, cycles: Schedule.recurs(0) }))
        )
        expect(messages.map((m) => Message.text(m))).toEqual(["m0", "m1"])
        expect((yield* offsets).current).toBe(2)
      })
    ))

  it.effect("AMS's own refusal of the ack changes nothing: that error, and the messages come again", () =>
    withFaults(Faults.on({ path: "*:acknowledge", times: 1 }, Faults.backendError()))(Effect.gen(function*() {
      yield* publish("m0")
      const error = yield* driven(
        consumer(Subscription.pullAndAck("s", { cycles: Schedule.recurs(0) })).pipe(Effect.flip)
      )
      expect(error).toMatchObject({ _tag: "AmsServiceError", status: 500, operation: "subscription.acknowledge" })
      expect((yield* offsets).current).toBe(0)
      const again = yield* driven(consumer(Subscription.pullAndAck("s")))
      expect(again.map((m) => Message.text(m))).toEqual(["m0"])
    })))

  it.effect("1,000 messages under 30% mixed faults on pull and ack, default retry and cycles: 0 lost", () => {
    const total = 1000
    const plan = Faults.random({
      seed: 7,
      rate: 0.3,
      match: { path: /:(pull|acknowledge)$/ },
      faults: [
        Faults.balancer(503),
        Faults.balancer(502, { processed: true }),
        Faults.balancer(504, { processed: true }),
        Faults.drop(),
        Faults.drop({ processed: true }),
        Faults.truncate(),
        Faults.malformedJson({ processed: true }),
        Faults.delay("2 seconds", Faults.balancer(503))
      ]
    })
    return withFaults(plan)(Effect.gen(function*() {
      for (let i = 0; i < total; i += 100) {
        yield* publish(...Array.from({ length: 100 }, (_, j) => `m${i + j}`))
      }
      const delivered = new Map<string, number>()
      let calls = 0
      let failures = 0
      while ((yield* offsets).current < total && calls < 2000) {
        calls++
        const batch = yield* driven(consumer(Subscription.pullAndAck("s", { maxMessages: 10 })).pipe(Effect.either))
        if (batch._tag === "Left") failures++
        else for (const m of batch.right) delivered.set(m.messageId, (delivered.get(m.messageId) ?? 0) + 1)
      }
      expect((yield* offsets).current).toBe(total)
      const lost = Array.from({ length: total }, (_, i) => String(i)).filter((id) => !delivered.has(id))
      expect(lost).toEqual([])
      // At-least-once: a message comes twice only when its ack's outcome could not be known.
      const duplicated = [...delivered.values()].filter((n) => n > 1).length
      expect(duplicated).toBeLessThan(total / 10)
      const seen = yield* stats
      expect(seen.injected).toBeGreaterThan(50)
      expect(failures).toBeGreaterThan(0)
    }))
  }, 60_000)
})

describe("reliability over a real socket (fetch on 127.0.0.1)", () => {
  const overFetch =
    (endpoint: string, token = Seed.publisherToken) => <A, E>(effect: Effect.Effect<A, E, AmsHttp.AmsHttp>) =>
      as(token, endpoint)(effect).pipe(Effect.provide(FetchHttpClient.layer))

  it.scopedLive("an HTML 502 page from the balancer arrives as AmsBalancerError with its body", () =>
    Effect.gen(function*() {
      const server = yield* AmsEmulator.serve({
        seed,
        faults: Faults.on({ path: "*:publish", times: 1 }, Faults.balancer(502))
      })
      const error = yield* overFetch(server.endpoint)(Topic.publish("t", [{ data: "x" }])).pipe(Effect.flip)
      assert.strictEqual(error._tag, "AmsBalancerError")
      if (error._tag === "AmsBalancerError") {
        expect(error.status).toBe(502)
        expect(error.body).toBe(Faults.balancerBodies[502])
      }
      // The rule fired once: the next publish goes through.
      expect(yield* overFetch(server.endpoint)(Topic.publish("t", [{ data: "x" }]))).toEqual(["0"])
    }))

  it.live("a closed port arrives as AmsConnectionError (Transport)", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const server = yield* AmsEmulator.serve({ seed }).pipe(Scope.extend(scope))
      expect(
        yield* overFetch(server.endpoint, Seed.projectAdminToken)(Topic.get("t")).pipe(
          Effect.map((topic) => topic.name)
        )
      ).toBe("t")
      yield* Scope.close(scope, Exit.void)
      const error = yield* overFetch(server.endpoint, Seed.projectAdminToken)(Topic.get("t")).pipe(Effect.flip)
      assert.strictEqual(error._tag, "AmsConnectionError")
      expect(error._tag === "AmsConnectionError" ? error.reason : undefined).toBe("Transport")
    }))
})
