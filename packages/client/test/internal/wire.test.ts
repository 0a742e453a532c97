import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import fc from "fast-check"
import { requestBytes } from "../../src/internal/wire.js"
import * as Message from "../../src/Message.js"

const utf8 = new TextEncoder()

describe("requestBytes", () => {
  it("is the UTF-8 length of the message's JSON plus a comma, for every message Message.encode lets through", () => {
    const text = fc.oneof(fc.string(), fc.fullUnicodeString(), fc.constantFrom("", "é", "€", "𝄞", "<&>", "\u2028"))
    const outgoing = fc.record({
      data: fc.option(fc.oneof(text, fc.uint8Array({ maxLength: 64 })), { nil: undefined }),
      attributes: fc.option(fc.dictionary(text, text, { maxKeys: 5 }), { nil: undefined })
    })
    fc.assert(
      fc.property(outgoing, (message) => {
        const encoded = Message.encode(message, 0)
        if (Either.isLeft(encoded)) return
        expect(requestBytes(encoded.right)).toBe(utf8.encode(JSON.stringify(encoded.right)).byteLength + 1)
      }),
      { numRuns: 2_000 }
    )
  })
})
