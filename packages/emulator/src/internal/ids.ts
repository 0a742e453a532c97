// Generated identifiers (§1.5): 64-hex tokens and UUID v4 strings, drawn from Effect's Random.
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"

const hexDigits = (count: number): Effect.Effect<string> =>
  Effect.map(
    Effect.forEach(Array.from({ length: count }), () => Random.nextIntBetween(0, 16)),
    (digits) => digits.map((d) => d.toString(16)).join("")
  )

/** A fresh token: 64 lowercase hex characters, like `auth.GenToken`. */
export const token: Effect.Effect<string> = hexDigits(64)

/** A fresh random UUID v4. */
export const uuid: Effect.Effect<string> = Effect.gen(function*() {
  const hex = yield* hexDigits(32)
  const variant = (8 + (yield* Random.nextIntBetween(0, 4))).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${
    hex.slice(20, 32)
  }`
})
