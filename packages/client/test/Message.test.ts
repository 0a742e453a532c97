import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Message from "../src/Message.js"

const decodeReceived = Schema.decodeUnknownSync(Message.ReceivedFromWire)

describe("Message", () => {
  it("encodes UTF-8 text as standard base64 without line breaks", () => {
    const long = "é".repeat(200)
    const encoded = Either.getOrThrow(Message.encode(Message.make({ data: long }), 0))
    expect(encoded.data).not.toMatch(/\s/)
    expect(Buffer.from(encoded.data, "base64").toString("utf8")).toBe(long)
    expect(Either.getOrThrow(Message.encode({ data: "hello" }, 0))).toEqual({ data: "aGVsbG8=" })
  })

  it("encodes bytes as they are", () => {
    const bytes = Uint8Array.from([0, 255, 128, 10, 13])
    const encoded = Either.getOrThrow(Message.encode({ data: bytes }, 0))
    expect([...Buffer.from(encoded.data, "base64")]).toEqual([0, 255, 128, 10, 13])
  })

  it("sends attributes, and data \"\" for an attribute-only message", () => {
    expect(Either.getOrThrow(Message.encode({ attributes: { a: "1" } }, 0))).toEqual({
      attributes: { a: "1" },
      data: ""
    })
  })

  it("refuses a message with neither data nor attributes", () => {
    for (const message of [{}, { data: "" }, { attributes: {} }, { data: new Uint8Array() }]) {
      const result = Message.encode(message, 3, "topic.publish")
      assert(Either.isLeft(result))
      expect(result.left).toMatchObject({ _tag: "AmsMessageError", operation: "topic.publish", index: 3 })
      expect(result.left.message).toContain("at least data or one attribute")
    }
  })

  it("refuses non-string attributes, and attributes AMS would store as broken JSON", () => {
    const bad = [
      { attributes: { n: 1 } },
      { attributes: { quote: "say \"hi\"" } },
      { attributes: { "back\\slash": "x" } },
      { attributes: ["a"] },
      { data: 42 },
      "not an object"
    ]
    for (const message of bad) {
      expect(Either.isLeft(Message.encode(message, 0))).toBe(true)
    }
  })

  describe("issue 7.4 attributes with control characters are refused like \" and \\", () => {
    it("refuses every character U+0000–U+001F in a key or a value, naming it", () => {
      for (let code = 0; code < 0x20; code++) {
        const c = String.fromCharCode(code)
        for (const attributes of [{ k: `a${c}b` }, { [`k${c}`]: "v" }]) {
          const result = Message.encode({ data: "x", attributes }, 2, "topic.publish")
          assert(Either.isLeft(result), `U+${code.toString(16)} was accepted`)
          expect(result.left).toMatchObject({ _tag: "AmsMessageError", index: 2, operation: "topic.publish" })
          expect(result.left.message).toContain(`U+${code.toString(16).padStart(4, "0")}`)
        }
      }
    })
    it("refuses a lone surrogate, which the server would store as U+FFFD; keeps DEL, emoji and <>&", () => {
      for (const value of ["\ud800", "a\udfffb", "\ud83d"]) {
        expect(Either.isLeft(Message.encode({ attributes: { k: value } }, 0))).toBe(true)
      }
      for (const value of ["\u007f", "😀", "<&>", "é €", "\u2028"]) {
        expect(Either.isRight(Message.encode({ attributes: { k: value } }, 0))).toBe(true)
      }
    })
    it.effect("a publish with one is refused before any request", () =>
      Effect.gen(function*() {
        const error = yield* Message.encodeAll([{ data: "a" }, { attributes: { k: "line\nbreak" } }], "topic.publish")
          .pipe(Effect.flip)
        expect(error.index).toBe(1)
      }))
  })

  it("refuses a payload over the server's record limit before sending it", () => {
    const result = Message.encode({ data: new Uint8Array(1_200_000) }, 0)
    assert(Either.isLeft(result))
    expect(result.left.message).toContain("1500000")
  })

  it.effect("encodeAll fails on the first bad message with its index", () =>
    Effect.gen(function*() {
      const error = yield* Message.encodeAll([{ data: "a" }, { data: "b" }, {}], "topic.publish").pipe(Effect.flip)
      expect(error.index).toBe(2)
      const ok = yield* Message.encodeAll([{ data: "a" }, { attributes: { k: "v" } }], "topic.publish")
      expect(ok).toEqual([{ data: "YQ==" }, { attributes: { k: "v" }, data: "" }])
    }))

  it("decodes received messages binary-safe", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const received = decodeReceived({
      ackId: "projects/demo/subscriptions/s:7",
      message: {
        messageId: "7",
        attributes: { k: "v" },
        data: Buffer.from(all).toString("base64"),
        publishTime: "2020-01-01T00:00:00.1Z"
      }
    })
    expect(received.ackId).toBe("projects/demo/subscriptions/s:7")
    expect([...received.message.data]).toEqual([...all])
    expect(received.message).toMatchObject({
      messageId: "7",
      attributes: { k: "v" },
      publishTime: new Date("2020-01-01T00:00:00.100Z"),
      rawPublishTime: "2020-01-01T00:00:00.1Z"
    })
  })

  it("reads nanosecond publish times to the millisecond and keeps the text; a missing or broken time is undefined", () => {
    const at = (publishTime?: string) =>
      decodeReceived({
        ackId: "a",
        message: { messageId: "1", data: "", ...(publishTime === undefined ? {} : { publishTime }) }
      }).message
    const precise = at("2016-02-24T11:55:09.786127994Z")
    expect(precise.publishTime).toEqual(new Date("2016-02-24T11:55:09.786Z"))
    expect(precise.rawPublishTime).toBe("2016-02-24T11:55:09.786127994Z")
    expect(at("2020-01-01T00:00:00Z").publishTime).toEqual(new Date("2020-01-01T00:00:00Z"))
    expect([at().publishTime, at().rawPublishTime]).toEqual([undefined, ""])
    expect([at("soon").publishTime, at("soon").rawPublishTime]).toEqual([undefined, "soon"])
  })

  it("defaults absent attributes and keeps a payload that is not base64", () => {
    const received = decodeReceived({ ackId: "a", message: { messageId: "1", data: "not base64!" } })
    expect(received.message.attributes).toEqual({})
    expect(received.message.rawData).toBe("not base64!")
    expect(Message.text(received)).toBe("not base64!")
  })

  it.effect("reads data as text and as Schema-decoded JSON", () =>
    Effect.gen(function*() {
      const received = decodeReceived({
        ackId: "a",
        message: { messageId: "1", data: Buffer.from("{\"host\":\"h1\",\"up\":true}").toString("base64") }
      })
      const Status = Schema.Struct({ host: Schema.String, up: Schema.Boolean })
      expect(yield* Message.json(Status)(received)).toEqual({ host: "h1", up: true })
      const wrong = yield* Message.json(Schema.Struct({ host: Schema.Number }))(received).pipe(Effect.flip)
      expect(wrong._tag).toBe("AmsDecodeError")
      const notJson = decodeReceived({ ackId: "a", message: { data: Buffer.from("nope").toString("base64") } })
      const error = yield* Message.json(Status)(notJson).pipe(Effect.flip)
      expect(error.expected).toBe("a JSON payload")
    }))
})
