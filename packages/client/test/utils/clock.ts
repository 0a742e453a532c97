/** Drives the `TestClock` for effects that sleep (retry pauses, repeat schedules) while talking to the in-process emulator. */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"

// The in-process client reads bodies through web streams (real promises): let them settle between ticks.
const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Runs `effect` in a fiber and advances the `TestClock` a second at a time until it is done; dies if it
 * is still running after `limit` simulated seconds.
 */
export const driven = <A, E, R>(effect: Effect.Effect<A, E, R>, limit = 600): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let second = 0; second < limit; second++) {
      yield* settle
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* done.value
      yield* TestClock.adjust("1 second")
    }
    yield* Fiber.interrupt(fiber)
    return yield* Effect.dieMessage(`still running after ${limit} simulated seconds`)
  })

/** Advances the `TestClock` by `seconds`, one second at a time, letting the emulator's answers arrive in between. */
export const advance = (seconds: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let second = 0; second < seconds; second++) {
      yield* settle
      yield* TestClock.adjust("1 second")
    }
    yield* settle
  })
