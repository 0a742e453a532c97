/**
 * `AmsHttp.layerFetch`: the platform's `fetch` called directly. Against the emulator on a real socket under
 * a fault plan (counting lost and duplicated messages), and against scripted `fetch` functions for what
 * goes on the wire and how failures are classified.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Faults from "@argo-ams/emulator/Faults"
import * as Seed from "@argo-ams/emulator/Seed"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Topic from "../../src/Topic.js"
import { roundTrip } from "../utils/roundTrip.js"
import * as Spans from "../utils/spans.js"

const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  topics: [{ project: Seed.demoProject, name: "t", acl: [Seed.publisherUser] }],
  subscriptions: [{ project: Seed.demoProject, name: "s", topic: "t", acl: [Seed.consumerUser] }]
}

const token = "fetch-token-123"

const as = (endpoint: string, secret: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(
    effect,
    AmsHttp.layerFetch({ endpoint, token: Redacted.make(secret), project: Seed.demoProject })
  )

/** A `fetch` that records each call and answers with `answer`. */
const scripted = (answer: (url: string, init: RequestInit) => Promise<Response>) => {
  const calls: Array<{ readonly url: string; readonly init: RequestInit }> = []
  const fetch = ((url: string, init: RequestInit) => {
    calls.push({ url, init })
    return answer(url, init)
  }) as typeof globalThis.fetch
  return { calls, fetch }
}

const on = (fetch: typeof globalThis.fetch, options?: Partial<AmsHttp.FetchOptions>) =>
  AmsHttp.layerFetch({
    endpoint: "https://ams.test",
    token: Redacted.make(token),
    project: Seed.demoProject,
    fetch,
    ...options
  })

const ok = (json: unknown) => () => Promise.resolve(new Response(JSON.stringify(json), { status: 200 }))

describe("AmsHttp.layerFetch", () => {
  it.live("publishes, pulls and acknowledges over a socket under faults: nothing lost, nothing duplicated", () =>
    Effect.scoped(Effect.gen(function*() {
      const faults = [
        ...Faults.sequence([Faults.balancer(503), null, Faults.drop(), null, Faults.balancer(502), null], {
          match: { path: "*:publish" },
          repeat: true
        }),
        ...Faults.sequence([Faults.balancer(504), null, Faults.drop(), null], {
          match: { path: "*:pull" },
          repeat: true
        })
      ]
      const server = yield* AmsEmulator.serve({ seed, faults })
      const { duplicated, lost } = yield* roundTrip(
        as(server.endpoint, Seed.publisherToken),
        as(server.endpoint, Seed.consumerToken)
      )
      expect({ lost, duplicated }).toEqual({ lost: [], duplicated: 0 })
      expect((yield* server.faults.stats).injected).toBeGreaterThan(10)
    })))

  it.live("answers and errors from the server are the same as through an HttpClient", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* AmsEmulator.serve({ seed })
      const error = yield* as(server.endpoint, Seed.publisherToken)(Topic.get("missing")).pipe(Effect.flip)
      assert.strictEqual(error._tag, "AmsServiceError")
      expect(error._tag === "AmsServiceError" && error.status).toBe(404)
      const ids = yield* as(server.endpoint, Seed.publisherToken)(Topic.publish("t", [{ data: "hi" }]))
      expect(ids).toEqual(["0"])
    })))

  it.effect("sends the same request as the HttpClient path, and no trace headers by default", () =>
    Effect.gen(function*() {
      const header = scripted(ok({ messageIds: ["1"] }))
      yield* Topic.publish("t", [{ data: "hi" }]).pipe(Effect.provide(on(header.fetch)))
      const [call] = header.calls
      expect(call?.url).toBe("https://ams.test/v1/projects/demo/topics/t:publish")
      expect(call?.init.method).toBe("POST")
      expect(call?.init.headers).toEqual({
        accept: "application/json",
        "x-api-key": token,
        "content-type": "application/json"
      })
      // The body goes as UTF-8 bytes.
      expect(new TextDecoder().decode(call?.init.body as Uint8Array)).toBe(
        JSON.stringify({ messages: [{ data: "aGk=" }] })
      )

      const query = scripted(ok({ name: "/projects/demo/topics/t" }))
      yield* Topic.get("t").pipe(Effect.provide(on(query.fetch, { authMode: "query" })))
      expect(query.calls[0]?.url).toBe(`https://ams.test/v1/projects/demo/topics/t?key=${token}`)
      expect(query.calls[0]?.init.headers).toEqual({ accept: "application/json" })
    }))

  it.effect("with tracerPropagation, the operation span's trace headers are sent", () =>
    Effect.gen(function*() {
      const { calls, fetch } = scripted(ok({ name: "/projects/demo/topics/t" }))
      yield* Topic.get("t").pipe(Effect.provide(on(fetch, { tracerPropagation: true })))
      expect(Object.keys(calls[0]?.init.headers ?? {})).toEqual(
        expect.arrayContaining(["accept", "x-api-key", "traceparent", "b3"])
      )
    }))

  it.effect("one span per operation, with method, URL and status; never the token", () =>
    Effect.gen(function*() {
      const { fetch } = scripted(ok({ name: "/projects/demo/topics/t" }))
      const { spans } = yield* Spans.recording(Topic.get("t").pipe(Effect.provide(on(fetch))))
      expect(spans.map((s) => s.name)).toEqual(["ams.topic.get"])
      expect(spans[0]?.attributes.get("url.full")).toBe("https://ams.test/v1/projects/demo/topics/t")
      expect(spans[0]?.attributes.get("http.response.status_code")).toBe(200)
      const query = scripted(ok({ name: "/projects/demo/topics/t" }))
      const secret = yield* Spans.recording(Topic.get("t").pipe(Effect.provide(on(query.fetch, { authMode: "query" }))))
      expect(Spans.attributeValues(secret.spans).filter((v) => v.includes(token))).toEqual([])
    }))

  it.effect("failures are classified: transport, body, balancer, broken answers; no token in any", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, () => Promise<Response>, string, string | undefined]> = [
        [
          "refused",
          () => Promise.reject(new TypeError("fetch failed", { cause: new Error(`connect ECONNREFUSED ${token}`) })),
          "AmsConnectionError",
          "Transport"
        ],
        [
          "cut body",
          () =>
            Promise.resolve(
              new Response(new ReadableStream({ pull: (controller) => controller.error(new Error("cut")) }))
            ),
          "AmsConnectionError",
          "Body"
        ],
        [
          "balancer",
          () => Promise.resolve(new Response("<html>503</html>", { status: 503 })),
          "AmsBalancerError",
          undefined
        ],
        ["not JSON", () => Promise.resolve(new Response("oops", { status: 200 })), "AmsDecodeError", undefined]
      ]
      for (const [label, answer, tag, reason] of cases) {
        const error = yield* Topic.get("t").pipe(Effect.provide(on(scripted(answer).fetch)), Effect.flip)
        expect([label, error._tag, error._tag === "AmsConnectionError" ? error.reason : undefined]).toEqual([
          label,
          tag,
          reason
        ])
        expect(JSON.stringify(error) + error.message).not.toContain(token)
      }
    }))

  it.effect("a request past the timeout fails with a Timeout and is aborted", () =>
    Effect.gen(function*() {
      let aborted = false
      const { fetch } = scripted((_, init) =>
        new Promise<Response>((_, reject) =>
          init.signal?.addEventListener("abort", () => {
            aborted = true
            reject(new Error("aborted"))
          })
        )
      )
      const fiber = yield* Topic.get("t").pipe(
        Effect.provide(on(fetch, { timeout: "2 seconds" })),
        Effect.flip,
        Effect.fork
      )
      yield* TestClock.adjust("3 seconds")
      const error = yield* Fiber.join(fiber)
      expect([error._tag, error._tag === "AmsConnectionError" ? error.reason : undefined]).toEqual([
        "AmsConnectionError",
        "Timeout"
      ])
      expect(aborted).toBe(true)
    }))
})
