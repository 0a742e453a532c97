/**
 * `AmsHttp.layer({ transformClient })`: users' middleware around the HTTP client, on the emulator through
 * the real layer. It sees every request, its changes reach the server, and AMS's answers are classified
 * as without it.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Faults from "@argo-ams/emulator/Faults"
import * as Seed from "@argo-ams/emulator/Seed"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"

const project = Seed.demoProject
const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  topics: [{ project, name: "t" }],
  subscriptions: [{ project, name: "s", topic: "t" }]
}

const options = {
  endpoint: "https://ams.test",
  token: Redacted.make(Seed.projectAdminToken),
  project
}

/** The emulator behind `faults`, seen through a client that records what reaches it. */
const emulator = (faults: Faults.Plan = []) =>
  Effect.gen(function*() {
    const arrived = yield* Ref.make<ReadonlyArray<HttpClientRequest.HttpClientRequest>>([])
    const context = yield* Layer.build(AmsEmulator.layerWith({ seed, faults }))
    const inner = yield* Effect.provide(HttpClient.HttpClient, context)
    // At the transport, after every middleware: what really goes out.
    const recording = HttpClient.make((request) =>
      Effect.zipRight(Ref.update(arrived, (all) => [...all, request]), inner.execute(request))
    )
    return { transport: Layer.succeed(HttpClient.HttpClient, recording), arrived: Ref.get(arrived) }
  })

describe("AmsHttp transformClient", () => {
  it.scoped("the middleware's header reaches the server on every request; messages arrive once", () =>
    Effect.gen(function*() {
      const { arrived, transport } = yield* emulator()
      const seen = yield* Ref.make(0)
      const Ams = AmsHttp.layer({
        ...options,
        transformClient: (client) =>
          client.pipe(
            HttpClient.mapRequest(HttpClientRequest.setHeader("x-request-source", "alerts-worker")),
            HttpClient.tapRequest(() => Ref.update(seen, (n) => n + 1))
          )
      }).pipe(Layer.provide(transport))

      const consumed = yield* Effect.gen(function*() {
        const ids = yield* Topic.publish("t", [{ data: "a" }, { data: "b" }, { data: "c" }])
        expect(ids).toEqual(["0", "1", "2"])
        return yield* Subscription.pullAndAck("s", { maxMessages: 10 })
      }).pipe(Effect.provide(Ams))

      expect(consumed.map((m) => m.messageId)).toEqual(["0", "1", "2"])
      const requests = yield* arrived
      expect(requests.map((r) => r.headers["x-request-source"])).toEqual([
        "alerts-worker",
        "alerts-worker",
        "alerts-worker"
      ])
      // It also saw the layer's own header.
      expect(requests.every((r) => r.headers["x-api-key"] === Seed.projectAdminToken)).toBe(true)
      expect(yield* Ref.get(seen)).toBe(3)
      expect(yield* Subscription.offsets("s").pipe(Effect.provide(Ams))).toEqual({ min: 0, max: 3, current: 3 })
    }))

  it.scoped("answers are classified as without it: a 404, a balancer page, a middleware's transport failure", () =>
    Effect.gen(function*() {
      const { transport } = yield* emulator(Faults.on({ path: "*/topics/sick", times: 1 }, Faults.balancer(503)))
      const Ams = AmsHttp.layer({ ...options, transformClient: HttpClient.mapRequest((request) => request) }).pipe(
        Layer.provide(transport)
      )
      const missing = yield* Effect.flip(Topic.get("nope").pipe(Effect.provide(Ams)))
      expect(missing).toMatchObject({ _tag: "AmsServiceError", status: 404, statusText: "NOT_FOUND" })
      const balancer = yield* Effect.flip(Topic.get("sick").pipe(Effect.provide(Ams)))
      expect(balancer).toMatchObject({ _tag: "AmsBalancerError", status: 503 })

      const offline = AmsHttp.layer({
        ...options,
        transformClient: HttpClient.mapRequestEffect((request) =>
          Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", description: "offline" }))
        )
      }).pipe(Layer.provide(transport))
      const failed = yield* Effect.flip(Topic.publish("t", { data: "x" }).pipe(Effect.provide(offline)))
      assert.strictEqual(failed._tag, "AmsConnectionError")
      expect(failed._tag === "AmsConnectionError" && failed.reason).toBe("Transport")
      // Nothing was published.
      expect((yield* Subscription.offsets("s").pipe(Effect.provide(Ams))).max).toBe(0)
    }))

  it.effect("a transformClient that is not a function is refused when the layer is built", () =>
    Effect.gen(function*() {
      const unused = Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.die("no request expected")))
      const bad = { ...options, transformClient: "retry" } as unknown as AmsHttp.Options
      const error = yield* Effect.flip(Effect.provide(AmsHttp.AmsHttp, AmsHttp.layer(bad).pipe(Layer.provide(unused))))
      expect(error).toMatchObject({ _tag: "AmsArgumentError", operation: "AmsHttp.layer", argument: "transformClient" })
    }))
})
