// The in-process layer: requests reach the emulator intact and answers decode through the normal HttpClient API.
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as AmsEmulator from "../src/AmsEmulator.js"
import * as Faults from "../src/Faults.js"
import type { EmulatorRequest } from "../src/internal/contract.js"
import * as Seed from "../src/Seed.js"
import * as Fake from "./fake.js"

/** Runs `body` against the in-process layer on a fresh fake emulator. */
const withFake = <A, E>(
  body: (
    seen: Ref.Ref<ReadonlyArray<EmulatorRequest>>
  ) => Effect.Effect<A, E, HttpClient.HttpClient | AmsEmulator.AmsEmulator>,
  options?: AmsEmulator.ClientOptions
) =>
  Effect.flatMap(
    Fake.make,
    ({ emulator, seen }) => Effect.provide(body(seen), AmsEmulator.layerEmulator(emulator, options))
  )

const lastSeen = (seen: Ref.Ref<ReadonlyArray<EmulatorRequest>>) =>
  Effect.map(Ref.get(seen), (all) => all[all.length - 1])

describe("AmsEmulator in-process layer", () => {
  it.effect("sends method, path and query, lower-cased headers; decodes status, headers and JSON", () =>
    withFake((seen) =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const response = yield* client.execute(
          HttpClientRequest.get("https://ams.test/v1/projects/demo/topics", {
            urlParams: { pageSize: "2", key: "t0k" },
            headers: { "X-Api-Key": "secret" }
          })
        )
        assert.strictEqual(response.status, 200)
        assert.strictEqual(response.headers["content-type"], "application/json; charset=utf-8")
        const echoed = (yield* response.json) as EmulatorRequest
        assert.strictEqual(echoed.method, "GET")
        assert.strictEqual(echoed.url, "/v1/projects/demo/topics?pageSize=2&key=t0k")
        assert.strictEqual(echoed.headers["x-api-key"], "secret")
        assert.strictEqual(echoed.body, "")
        assert.deepStrictEqual(yield* lastSeen(seen), echoed)
      })
    ))

  it.effect("any host works; the service reports its endpoint", () =>
    withFake(() =>
      Effect.gen(function*() {
        const service = yield* AmsEmulator.AmsEmulator
        assert.strictEqual(service.endpoint, "https://ams.test")
        const response = yield* HttpClient.get("http://somewhere.else:1234/teapot")
        assert.strictEqual(response.status, 418)
        assert.strictEqual(response.headers["x-custom"], "yes")
        assert.strictEqual(yield* response.text, "short and stout")
      })
    ))

  it.effect("a custom endpoint is reported as given", () =>
    withFake(() => Effect.map(AmsEmulator.AmsEmulator, (s) => assert.strictEqual(s.endpoint, "http://localhost:9")), {
      endpoint: "http://localhost:9"
    }))

  it.effect("an empty body stays empty, {} stays {}, errors and unicode come through", () =>
    withFake(() =>
      Effect.gen(function*() {
        const empty = yield* HttpClient.get("https://ams.test/empty")
        assert.strictEqual(empty.status, 200)
        assert.strictEqual(yield* empty.text, "")
        assert.strictEqual(empty.headers["content-length"], "0")
        const braces = yield* HttpClient.get("https://ams.test/braces")
        assert.strictEqual(yield* braces.text, "{}")
        assert.strictEqual(braces.headers["content-length"], "2")
        const missing = yield* HttpClient.get("https://ams.test/missing")
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(yield* missing.text, "404 page not found\n")
        const unicode = yield* HttpClient.get("https://ams.test/unicode")
        assert.deepStrictEqual(yield* unicode.json, { text: "héllo ✓ 日本" })
      })
    ))

  it.effect("string, Uint8Array, JSON, stream and empty request bodies reach the emulator", () =>
    withFake((seen) =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const send = (request: HttpClientRequest.HttpClientRequest) =>
          Effect.zipRight(client.execute(request), Effect.map(lastSeen(seen), (r) => [r.method, r.body, r.headers]))
        const url = "https://ams.test/v1/projects/demo/topics/t:publish"
        const [, text] = yield* send(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyText("{\"a\":\"é\"}")))
        assert.strictEqual(text, "{\"a\":\"é\"}")
        const [, bytes] = yield* send(
          HttpClientRequest.put(url).pipe(HttpClientRequest.bodyUint8Array(new TextEncoder().encode("bytes ✓")))
        )
        assert.strictEqual(bytes, "bytes ✓")
        const [, json, headers] = yield* send(
          HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson({ messages: [{ data: "aGk=" }] }))
        )
        assert.deepStrictEqual(JSON.parse(json as string), { messages: [{ data: "aGk=" }] })
        assert.strictEqual((headers as Record<string, string>)["content-type"], "application/json")
        const [, streamed] = yield* send(
          HttpClientRequest.post(url).pipe(
            HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("ab"), new TextEncoder().encode("cd")))
          )
        )
        assert.strictEqual(streamed, "abcd")
        const [, raw] = yield* send(HttpClientRequest.post(url).pipe(HttpClientRequest.setBody(HttpBody.raw("raw"))))
        assert.strictEqual(raw, "raw")
        const [method, none] = yield* send(HttpClientRequest.del(url))
        assert.strictEqual(method, "DELETE")
        assert.strictEqual(none, "")
      })
    ))

  it.effect("adds CORS headers when the request has an Origin", () =>
    withFake(() =>
      Effect.gen(function*() {
        const plain = yield* HttpClient.get("https://ams.test/braces")
        assert.isUndefined(plain.headers["access-control-allow-origin"])
        const cors = yield* HttpClient.get("https://ams.test/braces", { headers: { origin: "http://app.example" } })
        assert.strictEqual(cors.headers["access-control-allow-origin"], "*")
      })
    ))

  it.effect("balancer faults answer with HAProxy's HTML and count in the service's injector", () =>
    withFake(
      (seen) =>
        Effect.gen(function*() {
          const statuses: Array<number> = []
          for (let i = 0; i < 3; i++) {
            const response = yield* HttpClientRequest.post("https://ams.test/v1/projects/p/topics/t:publish").pipe(
              HttpClientRequest.bodyText("{}"),
              HttpClient.execute
            )
            statuses.push(response.status)
            if (i === 0) assert.strictEqual(yield* response.text, Faults.balancerBodies[503])
          }
          assert.deepStrictEqual(statuses, [503, 502, 200])
          assert.strictEqual((yield* Ref.get(seen)).length, 1)
          const { faults } = yield* AmsEmulator.AmsEmulator
          assert.deepStrictEqual((yield* faults.stats).byRule, [1, 1])
        }),
      {
        faults: [
          { match: { path: "*:publish", times: 1 }, fault: Faults.balancer(503) },
          { match: { path: "*:publish", times: 1 }, fault: Faults.balancer(502) }
        ]
      }
    ))

  it.effect("a dropped connection is a Transport RequestError", () =>
    withFake(
      (seen) =>
        Effect.gen(function*() {
          const result = yield* Effect.either(HttpClient.get("https://ams.test/braces"))
          assert(Either.isLeft(result))
          assert.strictEqual(result.left._tag, "RequestError")
          assert(result.left._tag === "RequestError")
          assert.strictEqual(result.left.reason, "Transport")
          assert.strictEqual((yield* Ref.get(seen)).length, 0)
        }),
      { faults: Faults.on({}, Faults.drop()) }
    ))

  it.effect("a truncated body: 200 and full content-length, but reading the body fails", () =>
    withFake(
      (seen) =>
        Effect.gen(function*() {
          const response = yield* HttpClient.get("https://ams.test/unicode")
          assert.strictEqual(response.status, 200)
          assert.strictEqual(
            response.headers["content-length"],
            String(Buffer.byteLength("{\"text\":\"héllo ✓ 日本\"}"))
          )
          const body = yield* Effect.either(response.text)
          assert(Either.isLeft(body))
          assert.strictEqual(body.left._tag, "ResponseError")
          assert(body.left._tag === "ResponseError")
          assert.strictEqual(body.left.reason, "Decode")
          // The emulator did handle it: the state change happened, only the answer was lost.
          assert.strictEqual((yield* Ref.get(seen)).length, 1)
        }),
      { faults: Faults.on({}, Faults.truncate({ bytes: 4 })) }
    ))

  it.effect("malformed JSON: a 200 whose body does not decode", () =>
    withFake(
      () =>
        Effect.gen(function*() {
          const response = yield* HttpClient.get("https://ams.test/braces")
          assert.strictEqual(response.status, 200)
          const body = yield* Effect.either(response.json)
          assert(Either.isLeft(body))
          assert.strictEqual(body.left.reason, "Decode")
        }),
      { faults: Faults.on({}, Faults.malformedJson()) }
    ))

  it.effect("a delay holds the answer until the TestClock moves", () =>
    withFake(
      () =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(Effect.flatMap(HttpClient.get("https://ams.test/braces"), (r) => r.text))
          yield* TestClock.adjust("4 seconds")
          assert.strictEqual((yield* Fiber.poll(fiber))._tag, "None")
          yield* TestClock.adjust("1 second")
          assert.strictEqual(yield* Fiber.join(fiber), "{}")
        }),
      { faults: Faults.on({}, Faults.delay("5 seconds")) }
    ))

  it.effect("each layer build is a fresh injector (layers do not share counts)", () =>
    Effect.gen(function*() {
      const { emulator } = yield* Fake.make
      const layer = AmsEmulator.layerEmulator(emulator, { faults: Faults.on({ times: 1 }, Faults.balancer(503)) })
      const first = yield* Effect.provide(Effect.map(HttpClient.get("https://ams.test/braces"), (r) => r.status), layer)
      const second = yield* Effect.provide(
        Effect.map(HttpClient.get("https://ams.test/braces"), (r) => r.status),
        Layer.fresh(layer)
      )
      assert.deepStrictEqual([first, second], [503, 503])
    }))
})

describe("AmsEmulator.layer on the real emulator", () => {
  const admin = { headers: { "x-api-key": Seed.adminToken } }
  const topic = "https://ams.test/v1/projects/demo/topics/t1"
  const publish = HttpClientRequest.post(`${topic}:publish`, admin).pipe(
    HttpClientRequest.bodyUnsafeJson({ messages: [{ data: "aGk=" }] })
  )
  const idsOf = (response: { readonly json: Effect.Effect<unknown, unknown> }) =>
    Effect.map(response.json, (body) => (body as { messageIds: ReadonlyArray<string> }).messageIds)

  it.effect("creates, publishes, lists and deletes through HttpClient; handle sees the same state", () =>
    Effect.gen(function*() {
      const created = yield* HttpClient.execute(HttpClientRequest.put(topic, admin))
      assert.strictEqual(created.status, 200)
      assert.strictEqual(((yield* created.json) as { name: string }).name, "/projects/demo/topics/t1")
      assert.deepStrictEqual(yield* idsOf(yield* HttpClient.execute(publish)), ["0"])
      const { endpoint, handle } = yield* AmsEmulator.AmsEmulator
      assert.strictEqual(endpoint, "https://ams.test")
      const direct = yield* handle({
        method: "GET",
        url: "/v1/projects/demo/topics/t1",
        headers: { "x-api-key": Seed.adminToken },
        body: ""
      })
      assert.strictEqual(direct.status, 200)
      const deleted = yield* HttpClient.execute(HttpClientRequest.del(topic, admin))
      assert.strictEqual(deleted.status, 200)
      assert.strictEqual(yield* deleted.text, "")
      const missing = yield* HttpClient.get("https://ams.test/v1/nowhere")
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(yield* missing.text, "404 page not found\n")
    }).pipe(Effect.provide(AmsEmulator.layer())))

  it.effect("a seed of your own", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get("https://ams.test/v1/projects/p2/topics/only", {
        headers: { "x-api-key": "tok-2" }
      })
      assert.strictEqual(response.status, 200)
    }).pipe(Effect.provide(AmsEmulator.layer({
      projects: [{ name: "p2" }],
      users: [{ name: "u2", token: "tok-2", service_roles: ["service_admin"] }],
      topics: [{ project: "p2", name: "only" }]
    }))))

  it.effect("the first 2 publishes get 503, then normal", () =>
    Effect.gen(function*() {
      yield* HttpClient.execute(HttpClientRequest.put(topic, admin))
      const statuses: Array<number> = []
      for (let i = 0; i < 3; i++) statuses.push((yield* HttpClient.execute(publish)).status)
      assert.deepStrictEqual(statuses, [503, 503, 200])
      const { faults } = yield* AmsEmulator.AmsEmulator
      const stats = yield* faults.stats
      assert.strictEqual(stats.injected, 2)
      assert.strictEqual(stats.requests, 4)
    }).pipe(Effect.provide(AmsEmulator.layerWith({
      faults: Faults.on({ method: "POST", path: "*:publish", times: 2 }, Faults.balancer(503))
    }))))

  it.effect("a processed 504 loses the answer but keeps the message: a retry duplicates it", () =>
    Effect.gen(function*() {
      yield* HttpClient.execute(HttpClientRequest.put(topic, admin))
      const lost = yield* HttpClient.execute(publish)
      assert.strictEqual(lost.status, 504)
      assert.deepStrictEqual(yield* idsOf(yield* HttpClient.execute(publish)), ["1"])
    }).pipe(Effect.provide(AmsEmulator.layer(undefined, {
      faults: Faults.on({ path: "*:publish", times: 1 }, Faults.balancer(504, { processed: true }))
    }))))

  it.effect("an inconsistent seed fails the layer with a SeedError", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(
        Effect.provide(
          HttpClient.get("https://ams.test/v1/projects"),
          AmsEmulator.layer({ projects: [{ name: "bad name" }] })
        )
      )
      assert(Either.isLeft(result))
      assert.strictEqual(result.left._tag, "SeedError")
    }))
})
