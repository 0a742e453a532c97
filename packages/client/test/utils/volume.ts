/**
 * Helpers for the Subscriber and Publisher tests: an in-process emulator behind a fault plan, callers
 * as the seed's users, a driver for the `TestClock`, and the message bookkeeping the proofs count.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import type * as Faults from "@argo-ams/emulator/Faults"
import * as Seed from "@argo-ams/emulator/Seed"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as AmsHttp from "../../src/AmsHttp.js"
import type * as Message from "../../src/Message.js"
import * as Subscription from "../../src/Subscription.js"

/** Topic `t` with subscriptions `s` and `s2` (deadline 10 s), and a dead-letter topic `dlq` with `dlq-sub`. */
export const seed = (options?: { readonly ackDeadlineSeconds?: number }): Seed.Seed => ({
  ...Seed.defaultSeed,
  topics: [
    { project: Seed.demoProject, name: "t", acl: [Seed.publisherUser] },
    { project: Seed.demoProject, name: "dlq" }
  ],
  subscriptions: [
    {
      project: Seed.demoProject,
      name: "s",
      topic: "t",
      acl: [Seed.consumerUser],
      ackDeadlineSeconds: options?.ackDeadlineSeconds ?? 10
    },
    { project: Seed.demoProject, name: "s2", topic: "t", acl: [Seed.consumerUser] },
    { project: Seed.demoProject, name: "dlq-sub", topic: "dlq" }
  ]
})

/** Runs `effect` as the user of `token` (the `AmsHttp` layer users use). */
export const as = (token: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(
    effect,
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(token), project: Seed.demoProject })
  )
export const admin = as(Seed.projectAdminToken)
export const publisher = as(Seed.publisherToken)
export const consumer = as(Seed.consumerToken)

/** An in-process emulator holding `seed()` (or the given seed), behind the fault plan. */
export const emulated = (faults: Faults.Plan = [], theSeed: Seed.Seed = seed()) =>
<A, E>(
  effect: Effect.Effect<A, E, HttpClient.HttpClient | AmsEmulator.AmsEmulator>
): Effect.Effect<A, E> => Effect.provide(effect, Layer.orDie(AmsEmulator.layerWith({ seed: theSeed, faults })))

/** What the fault plan did. */
export const faultStats = Effect.flatMap(AmsEmulator.AmsEmulator, (emulator) => emulator.faults.stats)

/** The subscription's offsets, read by the admin (never faulted: the plans match publish, pull, ack only). */
export const offsets = (subscription = "s") => admin(Subscription.offsets(subscription))

// The in-process client reads bodies through web streams (real promises): let them settle between ticks.
const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Runs `effect` in a fiber and advances the `TestClock` `step` at a time until it is done: handler
 * sleeps, retry pauses and deadlines pass without real sleeping. Dies after `limit` steps.
 */
export const driven = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options?: { readonly step?: Duration.DurationInput; readonly limit?: number }
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const limit = options?.limit ?? 10_000
    for (let i = 0; i < limit; i++) {
      yield* settle
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* done.value
      yield* TestClock.adjust(options?.step ?? "100 millis")
    }
    yield* Fiber.interrupt(fiber)
    return yield* Effect.dieMessage(`still running after ${limit} steps`)
  })

/** The payload of the n-th test message. */
export const payload = (n: number): Message.Outgoing => ({ data: JSON.stringify({ n }), attributes: { n: String(n) } })

/** The n of a test message. */
export const numberOf = (message: Message.Message): number => Number(message.attributes.n)

/**
 * What a proof counts, from the sequence of handled messages: `lost` (of `0..total-1`, never handled),
 * `duplicates` (handled more than once: by offset, and by payload, which includes messages a retried
 * publish stored twice).
 */
export const tally = (total: number, handled: ReadonlyArray<Message.Message>) => {
  const byNumber = new Set(handled.map(numberOf))
  const byOffset = new Set(handled.map((m) => m.messageId))
  let lost = 0
  for (let n = 0; n < total; n++) if (!byNumber.has(n)) lost++
  return {
    handled: handled.length,
    lost,
    duplicates: handled.length - byOffset.size,
    payloadDuplicates: handled.length - byNumber.size
  }
}

/** One summary line per proof, on stderr, for the report. */
export const report = (proof: string, counts: Readonly<Record<string, number | string>>) =>
  Effect.sync(() => {
    process.stderr.write(
      `[proof] ${proof}: ${Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(" ")}\n`
    )
  })
