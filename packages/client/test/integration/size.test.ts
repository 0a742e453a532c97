/**
 * The stored-record size limit: the client refuses exactly what the emulator would refuse with 413, before
 * any request, so a batch is never half-published because of size.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Seed from "@argo-ams/emulator/Seed"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Message from "../../src/Message.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"

const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  topics: [{ project: Seed.demoProject, name: "t", acl: [Seed.publisherUser] }],
  subscriptions: [{ project: Seed.demoProject, name: "s", topic: "t", acl: [Seed.consumerUser] }]
}

const ams = AmsHttp.layer({
  endpoint: "https://ams.test",
  token: Redacted.make(Seed.projectAdminToken),
  project: Seed.demoProject
})

const emulated = <A, E>(
  effect: Effect.Effect<A, E, AmsHttp.AmsHttp | HttpClient.HttpClient | AmsEmulator.AmsEmulator>
) => Effect.provide(effect, Layer.provideMerge(ams, Layer.orDie(AmsEmulator.layerWith({ seed }))))

const requests = Effect.flatMap(AmsEmulator.AmsEmulator, (emulator) => emulator.faults.stats).pipe(
  Effect.map((stats) => stats.requests)
)

/** Publishes encoded messages as they are, past the client's checks: what the emulator itself decides. */
const publishRaw = (messages: ReadonlyArray<Message.Encoded>) =>
  Effect.flatMap(
    HttpClient.HttpClient,
    (client) =>
      HttpClientRequest.post("https://ams.test/v1/projects/demo/topics/t:publish").pipe(
        HttpClientRequest.setHeader("x-api-key", Seed.projectAdminToken),
        HttpClientRequest.bodyJson({ messages }),
        Effect.flatMap(client.execute),
        Effect.map((response) => response.status),
        Effect.scoped,
        Effect.orDie
      )
  )

/** The largest attribute-padded message whose record fits `bytes` (its data `dataBytes` long before base64). */
const sized = (bytes: number, dataBytes: number, pad = "x"): Message.Outgoing => {
  const data = new Uint8Array(dataBytes).fill(65)
  const base = Message.recordBytes({ data: Buffer.from(data).toString("base64"), attributes: { p: "" } })
  const padBytes = Message.recordBytes({ data: "", attributes: { p: pad } }) -
    Message.recordBytes({ data: "", attributes: { p: "" } })
  const count = Math.floor((bytes - base) / padBytes)
  return { data, attributes: { p: pad.repeat(count) } }
}

/** The wire form of a padded message, without the client's checks. */
const encoded = (message: Message.Outgoing): Message.Encoded => ({
  data: Buffer.from(message.data as Uint8Array).toString("base64"),
  attributes: message.attributes ?? {}
})

describe("issue 7.3 the record size limit is the server's, checked before any request", () => {
  it("recordBytes counts the pretty-printed message, the longest id and time, and Sarama's 36 bytes", () => {
    // {"messageId": <19 digits>, "data": "", "publishTime": <30 characters>} with 3-space indents, plus 36.
    expect(Message.recordBytes({ data: "" })).toBe(59 + 19 + 30 + 36)
    expect(Message.recordBytes({ data: "QQ==" })).toBe(59 + 19 + 30 + 36 + 4)
    // An attributes object: 24 bytes, and 14 per entry plus the key and the value.
    expect(Message.recordBytes({ data: "", attributes: { k: "v" } })).toBe(144 + 24 + 14 + 2)
    // Go escapes <, > and & (and U+2028/9) as \u00XX: six bytes each; other text counts its UTF-8 bytes.
    expect(Message.recordBytes({ data: "", attributes: { k: "<&>" } })).toBe(144 + 24 + 14 + 1 + 18)
    expect(Message.recordBytes({ data: "", attributes: { k: "é€😀" } })).toBe(144 + 24 + 14 + 1 + 9)
    expect(Message.maxRecordBytes).toBe(1_500_000)
  })

  for (
    const [label, dataBytes, pad] of [
      ["data and an attribute", 1_000_000, "x"],
      ["attributes only", 0, "x"],
      ["an attribute of characters Go escapes", 3, "&"]
    ] as const
  ) {
    it.effect(`${label}: the largest record the emulator accepts passes the client; one byte more fails first`, () =>
      emulated(Effect.gen(function*() {
        const padBytes = pad === "&" ? 6 : 1
        const largest = sized(Message.maxRecordBytes, dataBytes, pad)
        const bytes = Message.recordBytes(encoded(largest))
        expect(bytes).toBeLessThanOrEqual(Message.maxRecordBytes)
        expect(bytes).toBeGreaterThan(Message.maxRecordBytes - padBytes)
        if (padBytes === 1) expect(bytes).toBe(Message.maxRecordBytes)
        const over = { ...largest, attributes: { p: `${largest.attributes!.p}${pad}` } }
        // The emulator's own verdicts, past the client's checks.
        expect(yield* publishRaw([encoded(over)])).toBe(413)
        expect(yield* publishRaw([encoded(largest)])).toBe(200)
        // The client: the largest goes through, one byte more is refused before any request.
        expect(yield* Topic.publish("t", [largest])).toEqual(["1"])
        const before = yield* requests
        const error = yield* Topic.publish("t", [over]).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "AmsMessageError", index: 0, operation: "topic.publish" })
        expect(error.message).toContain(`${bytes + padBytes} bytes`)
        expect((yield* requests) - before).toBe(0)
      })))
  }

  it.effect("a batch is never half-published because of size: the small first message is not stored", () =>
    emulated(Effect.gen(function*() {
      const before = yield* requests
      // Data of exactly 1,500,000 base64 characters, which a check on the data alone lets through.
      const big = yield* Topic.publish("t", [{ data: "first" }, { data: new Uint8Array(1_125_000) }]).pipe(Effect.flip)
      expect(big).toMatchObject({ _tag: "AmsMessageError", index: 1 })
      const attribute = yield* Topic.publish("t", [{ data: "first" }, { attributes: { a: "x".repeat(2_000_000) } }])
        .pipe(Effect.flip)
      expect(attribute).toMatchObject({ _tag: "AmsMessageError", index: 1 })
      expect((yield* requests) - before).toBe(0)
      expect(yield* Subscription.offsets("s")).toEqual({ min: 0, max: 0, current: 0 })
    })))
})
