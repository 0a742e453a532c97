/**
 * A first-come first-served gate over two budgets (messages and bytes): the Publisher's bounded buffer.
 * Effect's Semaphore lets a small request overtake a waiting large one, which would reorder publishes.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"

interface Waiter {
  readonly messages: number
  readonly bytes: number
  readonly granted: Deferred.Deferred<void>
}

/** The gate: `acquire` waits in line until both budgets allow it; `release` gives them back. */
export interface Gate {
  readonly acquire: (messages: number, bytes: number) => Effect.Effect<void>
  readonly release: (messages: number, bytes: number) => Effect.Effect<void>
}

/** A gate with `messages` and `bytes` available. The state is only touched inside `Effect.sync`. */
export const make = (messages: number, bytes: number): Effect.Effect<Gate> =>
  Effect.sync(() => {
    const state = { messages, bytes }
    const waiters: Array<Waiter> = []
    let head = 0

    const fits = (m: number, b: number) => state.messages >= m && state.bytes >= b

    const grantWaiting = (): Array<Deferred.Deferred<void>> => {
      const granted: Array<Deferred.Deferred<void>> = []
      while (head < waiters.length && fits(waiters[head].messages, waiters[head].bytes)) {
        const waiter = waiters[head++]
        state.messages -= waiter.messages
        state.bytes -= waiter.bytes
        granted.push(waiter.granted)
      }
      if (head > 1024 && head * 2 > waiters.length) {
        waiters.splice(0, head)
        head = 0
      }
      return granted
    }

    const release = (m: number, b: number): Effect.Effect<void> =>
      Effect.flatMap(
        Effect.sync(() => {
          state.messages += m
          state.bytes += b
          return grantWaiting()
        }),
        (granted) => Effect.forEach(granted, (deferred) => Deferred.succeed(deferred, undefined), { discard: true })
      )

    const acquire = (m: number, b: number): Effect.Effect<void> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(Deferred.make<void>(), (granted) => {
          const now = Effect.sync(() => {
            if (head === waiters.length && fits(m, b)) {
              state.messages -= m
              state.bytes -= b
              return true
            }
            waiters.push({ messages: m, bytes: b, granted })
            return false
          })
          // An interrupted waiter leaves the line; one granted in the meantime gives its share back.
          // Leaving may unblock the ones behind it.
          const leave = Effect.flatMap(
            Effect.sync(() => {
              const index = waiters.findIndex((w, i) => i >= head && w.granted === granted)
              if (index < 0) return undefined
              waiters.splice(index, 1)
              return grantWaiting()
            }),
            (unblocked) =>
              unblocked === undefined
                ? release(m, b)
                : Effect.forEach(unblocked, (deferred) => Deferred.succeed(deferred, undefined), { discard: true })
          )
          return Effect.flatMap(
            now,
            (immediate) =>
              immediate ? Effect.void : restore(Deferred.await(granted)).pipe(Effect.onInterrupt(() => leave))
          )
        })
      )

    return { acquire, release }
  })
