import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import type * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import type { AmsError } from "../src/AmsError.js"
import { AmsBalancerError, AmsServiceError, isRetryable } from "../src/AmsError.js"
import * as Retry from "../src/Retry.js"

const balancer = new AmsBalancerError({ operation: "t", status: 503, body: "", message: "503" })

/** Runs a failing effect under the schedule, recording the TestClock time of each attempt. */
const attemptTimes = (schedule: Schedule.Schedule<unknown, AmsError>, error: AmsError = balancer) =>
  Effect.gen(function*() {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const attempt = Effect.flatMap(
      Effect.clockWith((clock) => clock.currentTimeMillis),
      (now) => Ref.update(times, (all) => [...all, now]).pipe(Effect.zipRight(Effect.fail<AmsError>(error)))
    )
    const fiber = yield* Effect.fork(Effect.retry(attempt, { schedule, while: isRetryable }))
    yield* TestClock.adjust("1 hour")
    yield* Fiber.await(fiber)
    return yield* Ref.get(times)
  })

describe("Retry", () => {
  it.effect("linear: retries more attempts, sleep apart", () =>
    Effect.gen(function*() {
      const times = yield* attemptTimes(Retry.linear({ retries: 3, sleep: "5 seconds" }))
      expect(times).toEqual([0, 5000, 10000, 15000])
    }))

  it.effect("linear: Python's default sleep is 60 seconds", () =>
    Effect.gen(function*() {
      const times = yield* attemptTimes(Retry.linear({ retries: 2 }))
      expect(times).toEqual([0, 60_000, 120_000])
    }))

  it.effect("backoff: pauses factor/2, factor, 2·factor, …", () =>
    Effect.gen(function*() {
      const times = yield* attemptTimes(Retry.backoff({ retries: 4, factor: "2 seconds" }))
      expect(times).toEqual([0, 1000, 3000, 7000, 15000])
    }))

  it.effect("retries: 0 makes one attempt", () =>
    Effect.gen(function*() {
      const times = yield* attemptTimes(Retry.linear({ retries: 0, sleep: "1 second" }))
      expect(times).toEqual([0])
    }))

  it.effect("a non-retryable error is not retried", () =>
    Effect.gen(function*() {
      const noAck = new AmsServiceError({
        operation: "subscription.acknowledge",
        status: 500,
        code: 500,
        statusText: "INTERNAL_SERVER_ERROR",
        message: "no ack pending"
      })
      const times = yield* attemptTimes(Retry.linear({ retries: 5, sleep: "1 second" }), noAck)
      expect(times).toEqual([0])
    }))
})
