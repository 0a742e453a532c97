import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import * as Answers from "../../src/internal/answers.js"
import * as Fast from "../../src/internal/fast.js"
import * as Response from "../../src/internal/response.js"
import * as Topic from "../../src/Topic.js"

// Every answer goes through the same path the client uses: text, `Response.decode`, value or AmsDecodeError.
const outcome = <A, I>(schema: Schema.Schema<A, I>, text: string) =>
  Effect.runSync(
    Effect.match(Response.decode("subscription.pull", schema, text), {
      onSuccess: (value) => ({ ok: true as const, value }),
      onFailure: (error) => ({
        ok: false as const,
        error: { _tag: error._tag, message: error.message, expected: error.expected, excerpt: error.excerpt }
      })
    })
  )

const same = <A, I>(fast: Schema.Schema<A, I>, slow: Schema.Schema<A, I>, text: string) => {
  const expected = outcome(slow, text)
  expect(outcome(fast, text)).toEqual(expected)
  return expected.ok
}

// Any JSON value: what a broken server could send in any place.
const json = fc.jsonValue({ maxDepth: 2 })
const maybe = <A>(valid: fc.Arbitrary<A>) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: json })

const data = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((b) => Encoding.encodeBase64(b)),
  fc.string(), // mostly not base64: kept as its UTF-8 bytes
  fc.constantFrom("", "aGk=", "aGk", "aG k=", "a-_b")
)
const publishTime = fc.oneof(
  fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("2026-12-01T08:00:00.123456789Z", "", "not a time"),
  fc.string()
)
const attributes = fc.oneof(
  fc.dictionary(fc.string(), maybe(fc.string()), { maxKeys: 4 }),
  fc.constant({ ["__proto__"]: "x" }),
  fc.constant(["a"])
)
const message = fc.record({
  messageId: maybe(fc.string()),
  data: maybe(data),
  attributes: maybe(attributes),
  publishTime: maybe(publishTime)
}, { requiredKeys: [] })
const received = fc.record({
  ackId: maybe(fc.string().map((s) => `projects/p/subscriptions/s:${s}`)),
  message: fc.oneof({ weight: 6, arbitrary: message }, { weight: 1, arbitrary: json }, {
    weight: 1,
    arbitrary: fc.constant([])
  })
}, { requiredKeys: [] })
const pullAnswer = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ receivedMessages: maybe(fc.array(maybe(received), { maxLength: 5 })) }, { requiredKeys: [] })
  },
  { weight: 1, arbitrary: fc.constant({ receivedMessages: null }) },
  { weight: 1, arbitrary: json }
)

// A computed `["__proto__"]` key is an own property, so `JSON.stringify` writes it as the server would.
const textOf = (value: unknown) => JSON.stringify(value)

describe("internal/fast: the hot answers decode as their Schema does", () => {
  it("pull answers: the same values and the same errors on generated valid and invalid answers", () => {
    let valid = 0
    fc.assert(
      fc.property(pullAnswer, (answer) => {
        if (same(Answers.Pulled, Answers.PulledWire, textOf(answer))) valid++
      }),
      { numRuns: 1000 }
    )
    // The generators reach both sides: a test that only saw errors (or only values) would prove little.
    expect(valid).toBeGreaterThan(100)
    expect(valid).toBeLessThan(950)
  }, 60_000)

  it("pull answers: texts the generators may miss", () => {
    for (
      const text of [
        "",
        "{}",
        "null",
        "[]",
        `{"receivedMessages":[]}`,
        `{"receivedMessages":null}`,
        `{"receivedMessages":[{"ackId":"a","message":{}}]}`,
        `{"receivedMessages":[{"ackId":"a","message":{"attributes":{"__proto__":"x","k":"v"}}}]}`,
        `{"receivedMessages":[{"ackId":"a","message":{"data":"aGk=","attributes":{"k":1}}}]}`,
        `{"receivedMessages":[{"ackId":"a","message":[]}]}`,
        `{"receivedMessages":[{"ackId":"a","message":{"data":"aGk=\\r\\n","publishTime":"2026-12-01T08:00:00Z"}}],"x":1}`,
        "not json"
      ]
    ) same(Answers.Pulled, Answers.PulledWire, text)
  })

  it("publish answers: the same ids and the same errors", () => {
    const answer = fc.oneof(
      fc.record({ messageIds: maybe(fc.array(maybe(fc.nat().map(String)), { maxLength: 5 })) }, { requiredKeys: [] }),
      json
    )
    let valid = 0
    fc.assert(
      fc.property(answer, (value) => {
        if (same(Answers.MessageIds, Answers.MessageIdsWire, JSON.stringify(value))) valid++
      }),
      { numRuns: 1000 }
    )
    expect(valid).toBeGreaterThan(100)
  }, 60_000)

  it("topic answers: the same topics and the same errors", () => {
    const fastTopic = Fast.withFastPath(Topic.TopicFromWire, Fast.topic)
    const segment = fc.oneof(
      { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{1,8}$/) },
      { weight: 1, arbitrary: fc.constantFrom("", "a b", "ä", "a/b") }
    )
    const name = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(segment, segment).map(([p, t]) => `/projects/${p}/topics/${t}`) },
      fc.tuple(segment, segment).map(([p, t]) => `projects/${p}/topics/${t}`),
      fc.tuple(segment, segment).map(([p, t]) => `/projects/${p}/subscriptions/${t}`),
      fc.constantFrom("/projects/p/topics/t/x", "/projects/p/topics/", "//projects/p/topics/t"),
      fc.string()
    )
    const createdOn = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString())
      },
      fc.constantFrom("2020-11-21T00:00:00Z", "2020-11-21", "", "not a date", "2020-13-45T00:00:00Z"),
      fc.string()
    )
    const answer = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          name: maybe(name),
          schema: maybe(fc.oneof(fc.constantFrom("", "projects/p/schemas/s"), fc.string())),
          created_on: maybe(createdOn)
        }, { requiredKeys: [] })
      },
      { weight: 1, arbitrary: json }
    )
    let valid = 0
    fc.assert(
      fc.property(answer, (value) => {
        if (same(fastTopic, Topic.TopicFromWire, textOf(value))) valid++
      }),
      { numRuns: 1000 }
    )
    expect(valid).toBeGreaterThan(100)
    expect(valid).toBeLessThan(950)
    for (
      const text of [
        "",
        "{}",
        "[]",
        `{"name":"/projects/p/topics/t"}`,
        `{"name":"/projects/p/topics/t","schema":null}`,
        `{"name":"/projects/p/topics/t","created_on":null,"x":1}`,
        `{"name":"/projects/p/topics/t","schema":"","created_on":"2020-11-21T00:00:00Z","__proto__":{"name":"x"}}`
      ]
    ) same(fastTopic, Topic.TopicFromWire, text)
  }, 60_000)

  it("a small answer's payloads share no more memory than they need", () => {
    const value = Schema.decodeUnknownSync(Answers.Pulled)({
      receivedMessages: [{ ackId: "a", message: { data: "aGk=" } }, { ackId: "b", message: { data: "aGVsbG8=" } }]
    })
    const [first, second] = value.receivedMessages!.map((received) => received.message.data)
    expect([first, second]).toEqual([new TextEncoder().encode("hi"), new TextEncoder().encode("hello")])
    // One slab for both, of the 9 bytes four characters in three promise at most (2 + 5 used).
    expect(first!.buffer).toBe(second!.buffer)
    expect(first!.buffer.byteLength).toBe(9)
  })

  it("encodes back as the Schema does", () => {
    const value = Schema.decodeUnknownSync(Answers.PulledWire)({
      receivedMessages: [{ ackId: "a", message: { data: "aGk=", publishTime: "2026-12-01T08:00:00Z" } }]
    })
    expect(Schema.encodeSync(Answers.Pulled)(value)).toEqual(Schema.encodeSync(Answers.PulledWire)(value))
  })
})
