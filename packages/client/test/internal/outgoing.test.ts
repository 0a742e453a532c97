import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import fc from "fast-check"
import { publishJson, requestBytes } from "../../src/internal/outgoing.js"
import * as Message from "../../src/Message.js"

const utf8 = new TextEncoder()

const text = fc.oneof(fc.string(), fc.fullUnicodeString(), fc.constantFrom("", "é", "€", "𝄞", "<&>", "\u2028"))
const outgoing = fc.record({
  data: fc.option(fc.oneof(text, fc.uint8Array({ maxLength: 64 })), { nil: undefined }),
  attributes: fc.option(fc.dictionary(text, text, { maxKeys: 5 }), { nil: undefined })
})

describe("publishJson", () => {
  it("writes the text JSON.stringify writes, for every batch Message.encode lets through", () => {
    fc.assert(
      fc.property(fc.array(outgoing, { maxLength: 8 }), (messages) => {
        const encoded = messages.map((message, i) => Message.encode(message, i)).filter(Either.isRight).map((e) =>
          e.right
        )
        expect(publishJson(encoded)).toBe(JSON.stringify({ messages: encoded }))
      }),
      { numRuns: 2_000 }
    )
  })
})

describe("requestBytes", () => {
  it("is the UTF-8 length of the message's JSON plus a comma, for every message Message.encode lets through", () => {
    fc.assert(
      fc.property(outgoing, (message) => {
        const encoded = Message.encode(message, 0)
        if (Either.isLeft(encoded)) return
        expect(requestBytes(encoded.right.data.length, encoded.right.attributes)).toBe(
          utf8.encode(JSON.stringify(encoded.right)).byteLength + 1
        )
      }),
      { numRuns: 2_000 }
    )
  })
})
