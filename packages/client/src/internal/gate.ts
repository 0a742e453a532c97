/**
 * A first-come first-served gate over two budgets (messages and bytes): the Publisher's bounded buffer.
 * Effect's Semaphore lets a small request overtake a waiting large one, which would reorder publishes.
 */
import * as Effect from "effect/Effect"

interface Waiter {
  readonly messages: number
  readonly bytes: number
  /** Opens when the waiter is let in (a latch: cheaper to make than a `Deferred`). */
  readonly granted: Effect.Latch
}

/**
 * The gate: `acquire` waits in line until both budgets allow it; `release` gives them back. `tryAcquire`
 * takes them at once if nobody waits and they allow it, else takes nothing: it must be called inside a
 * fiber step (an `Effect.sync`, say), like every change of the gate's state.
 */
export interface Gate {
  readonly acquire: (messages: number, bytes: number) => Effect.Effect<void>
  readonly tryAcquire: (messages: number, bytes: number) => boolean
  readonly release: (messages: number, bytes: number) => Effect.Effect<void>
}

/** A gate with `messages` and `bytes` available. The state is only touched inside `Effect.sync`. */
export const make = (messages: number, bytes: number): Effect.Effect<Gate> =>
  Effect.sync(() => {
    const state = { messages, bytes }
    const waiters: Array<Waiter> = []
    let head = 0

    const fits = (m: number, b: number) => state.messages >= m && state.bytes >= b

    /** Lets in the waiters at the front of the line that now fit. */
    const grantWaiting = (): void => {
      while (head < waiters.length && fits(waiters[head].messages, waiters[head].bytes)) {
        const waiter = waiters[head++]
        state.messages -= waiter.messages
        state.bytes -= waiter.bytes
        waiter.granted.unsafeOpen()
      }
      if (head > 1024 && head * 2 > waiters.length) {
        waiters.splice(0, head)
        head = 0
      }
    }

    const give = (m: number, b: number): void => {
      state.messages += m
      state.bytes += b
      grantWaiting()
    }

    const release = (m: number, b: number): Effect.Effect<void> => Effect.sync(() => give(m, b))

    const take = (m: number, b: number): boolean => {
      if (head !== waiters.length || !fits(m, b)) return false
      state.messages -= m
      state.bytes -= b
      return true
    }

    const acquire = (m: number, b: number): Effect.Effect<void> =>
      Effect.suspend(() => take(m, b) ? Effect.void : wait(m, b))

    const wait = (m: number, b: number): Effect.Effect<void> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.suspend(() => {
          if (take(m, b)) return Effect.void
          const granted = Effect.unsafeMakeLatch(false)
          waiters.push({ messages: m, bytes: b, granted })
          // An interrupted waiter leaves the line; one granted in the meantime gives its share back.
          // Leaving may unblock the ones behind it.
          const leave = Effect.sync(() => {
            const index = waiters.findIndex((w, i) => i >= head && w.granted === granted)
            if (index < 0) return give(m, b)
            waiters.splice(index, 1)
            grantWaiting()
          })
          return restore(granted.await).pipe(Effect.onInterrupt(() => leave))
        })
      )

    return { acquire, tryAcquire: take, release }
  })
