/**
 * `AmsUndici`: undici's `dispatch` called directly. Against the emulator on a real socket: the same answers
 * as `AmsHttp.layer` on `NodeHttpClient.layerUndici`, every error path classified as there, no token in any
 * error or span, nothing lost or duplicated under a fault plan; and a loopback server that records what
 * goes on the wire.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Faults from "@argo-ams/emulator/Faults"
import * as Seed from "@argo-ams/emulator/Seed"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { Agent, MockAgent } from "undici"
import type { AmsError } from "../../src/AmsError.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as AmsUndici from "../../src/AmsUndici.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"
import { shown, typedFailure } from "../utils/exits.js"
import { roundTrip } from "../utils/roundTrip.js"
import * as Spans from "../utils/spans.js"

const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  topics: [{ project: Seed.demoProject, name: "t", acl: [Seed.publisherUser] }],
  subscriptions: [{ project: Seed.demoProject, name: "s", topic: "t", acl: [Seed.consumerUser] }]
}

const undici = (endpoint: string, secret: string, options?: Partial<AmsUndici.Options>) =>
  AmsUndici.layer({ endpoint, token: Redacted.make(secret), project: Seed.demoProject, ...options })

const httpClient = (endpoint: string, secret: string) =>
  AmsHttp.layer({ endpoint, token: Redacted.make(secret), project: Seed.demoProject }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )

const as = (layer: Layer.Layer<AmsHttp.AmsHttp, unknown>) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(effect, Layer.orDie(layer))

/** What identifies an error's kind: its tag, status and reason. */
const kind = (error: AmsError) => ({
  _tag: error._tag,
  status: "status" in error ? error.status : undefined,
  reason: error._tag === "AmsConnectionError" ? error.reason : undefined
})

/** A loopback server answering `body` with 200 and recording each request's headers and body. */
const recording = (body: string) =>
  Effect.acquireRelease(
    Effect.async<{
      readonly endpoint: string
      readonly requests: Array<{ readonly url: string; readonly headers: IncomingHttpHeaders; readonly body: string }>
      readonly close: () => void
    }>((resume) => {
      const requests: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = []
      const server = createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          requests.push({
            url: request.url ?? "",
            headers: request.headers,
            body: Buffer.concat(chunks).toString("utf8")
          })
          response.writeHead(200, { "content-type": "application/json" })
          response.end(body)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          endpoint: `http://127.0.0.1:${port}`,
          requests,
          close: () => server.close()
        }))
      })
    }),
    (server) => Effect.sync(() => server.close())
  )

describe("AmsUndici", () => {
  it.live("publishes, pulls and acknowledges over a socket under faults: nothing lost, nothing duplicated", () =>
    Effect.scoped(Effect.gen(function*() {
      const faults = [
        ...Faults.sequence([Faults.balancer(503), null, Faults.drop(), null, Faults.balancer(502), null], {
          match: { path: "*:publish" },
          repeat: true
        }),
        ...Faults.sequence([Faults.balancer(504), null, Faults.drop(), null, Faults.truncate(), null], {
          match: { path: "*:pull" },
          repeat: true
        }),
        ...Faults.sequence([Faults.drop(), null, Faults.balancer(503), null], {
          match: { path: "*:acknowledge" },
          repeat: true
        })
      ]
      const server = yield* AmsEmulator.serve({ seed, faults })
      const { acked, duplicated, lost, sent } = yield* roundTrip(
        as(undici(server.endpoint, Seed.publisherToken)),
        as(undici(server.endpoint, Seed.consumerToken))
      )
      expect({ lost, duplicated, acked: acked.size }).toEqual({ lost: [], duplicated: 0, acked: sent.length })
      expect((yield* server.faults.stats).injected).toBeGreaterThan(10)
    })))

  it.live("the same answers and errors as AmsHttp.layer on NodeHttpClient.layerUndici", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* AmsEmulator.serve({ seed })
      const reads: ReadonlyArray<Effect.Effect<unknown, AmsError, AmsHttp.AmsHttp>> = [
        Topic.list(),
        Topic.get("t"),
        Subscription.get("s"),
        Topic.get("missing"),
        Topic.exists("missing"),
        Subscription.pull("missing")
      ]
      for (const operation of reads) {
        const viaUndici = yield* as(undici(server.endpoint, Seed.projectAdminToken))(Effect.either(operation))
        const viaHttpClient = yield* as(httpClient(server.endpoint, Seed.projectAdminToken))(Effect.either(operation))
        expect(viaUndici).toEqual(viaHttpClient)
      }
      // What one transport publishes the other pulls, identical; and back.
      const pairs = [[undici, httpClient], [httpClient, undici]] as const
      for (const [publishOn, pullOn] of pairs) {
        const ids = yield* as(publishOn(server.endpoint, Seed.publisherToken))(
          Topic.publish("t", [{ data: "hi", attributes: { a: "1" } }])
        )
        const pulled = yield* as(pullOn(server.endpoint, Seed.consumerToken))(
          Subscription.pull("s", { maxMessages: 10 })
        )
        expect(pulled.map((r) => [r.message.messageId, new TextDecoder().decode(r.message.data), r.message.attributes]))
          .toEqual([[ids[0], "hi", { a: "1" }]])
        yield* as(publishOn(server.endpoint, Seed.consumerToken))(
          Subscription.acknowledge("s", pulled.map((r) => r.ackId))
        )
      }
    })))

  it.live("every error from the server is classified as over an HttpClient, and never shows the token", () =>
    Effect.scoped(Effect.gen(function*() {
      const faults = [
        ...Faults.on({ path: "/v1/projects/demo/topics/t408" }, Faults.balancer(408)),
        ...Faults.on({ path: "/v1/projects/demo/topics/t503" }, Faults.balancer(503)),
        ...Faults.on({ path: "/v1/projects/demo/topics/t500" }, Faults.backendError()),
        ...Faults.on({ path: "/v1/projects/demo/topics/tdrop" }, Faults.drop()),
        ...Faults.on({ path: "/v1/projects/demo/topics/tcut" }, Faults.truncate()),
        ...Faults.on({ path: "/v1/projects/demo/topics/tjson" }, Faults.malformedJson())
      ]
      const server = yield* AmsEmulator.serve({ seed, faults })
      const wrong = "wrong-token-with-a-secret-ring"
      const cases: ReadonlyArray<
        readonly [
          label: string,
          token: string,
          Effect.Effect<unknown, AmsError, AmsHttp.AmsHttp>,
          ReturnType<typeof kind>
        ]
      > = [
        ["401", wrong, Topic.list(), { _tag: "AmsServiceError", status: 401, reason: undefined }],
        ["403", Seed.consumerToken, Topic.publish("t", [{ data: "x" }]), {
          _tag: "AmsServiceError",
          status: 403,
          reason: undefined
        }],
        ["404", Seed.projectAdminToken, Topic.get("missing"), {
          _tag: "AmsServiceError",
          status: 404,
          reason: undefined
        }],
        ["409", Seed.projectAdminToken, Topic.create("t"), { _tag: "AmsServiceError", status: 409, reason: undefined }],
        ["408", Seed.projectAdminToken, Topic.get("t408"), { _tag: "AmsTimeoutError", status: 408, reason: undefined }],
        ["503", Seed.projectAdminToken, Topic.get("t503"), {
          _tag: "AmsBalancerError",
          status: 503,
          reason: undefined
        }],
        ["500", Seed.projectAdminToken, Topic.get("t500"), { _tag: "AmsServiceError", status: 500, reason: undefined }],
        ["reset", Seed.projectAdminToken, Topic.get("tdrop"), {
          _tag: "AmsConnectionError",
          status: undefined,
          reason: "Transport"
        }],
        ["cut body", Seed.projectAdminToken, Topic.get("tcut"), {
          _tag: "AmsConnectionError",
          status: undefined,
          reason: "Body"
        }],
        ["not JSON", Seed.projectAdminToken, Topic.get("tjson"), {
          _tag: "AmsDecodeError",
          status: undefined,
          reason: undefined
        }]
      ]
      for (const [label, token, operation, expected] of cases) {
        for (const authMode of ["header", "query"] as const) {
          const { result: exit, spans } = yield* Spans.recording(
            as(undici(server.endpoint, token, { authMode }))(Effect.exit(operation))
          )
          expect({ label, ...kind(typedFailure(exit)) }).toEqual({ label, ...expected })
          expect(shown(exit)).not.toContain(token)
          expect(Spans.attributeValues(spans).filter((value) => value.includes(token))).toEqual([])
          const other = yield* as(httpClient(server.endpoint, token))(Effect.exit(operation))
          expect({ label, ...kind(typedFailure(other)) }).toEqual({ label, ...expected })
        }
      }
    })))

  it.live("a closed port is an AmsConnectionError (Transport) that never shows the token", () =>
    Effect.gen(function*() {
      const token = "a-token-for-a-closed-port"
      for (const authMode of ["header", "query"] as const) {
        const exit = yield* as(undici("http://127.0.0.1:1", token, { authMode }))(Effect.exit(Topic.list()))
        expect(kind(typedFailure(exit))).toEqual({ _tag: "AmsConnectionError", status: undefined, reason: "Transport" })
        expect(shown(exit)).not.toContain(token)
      }
    }))

  it.effect("a request past the timeout fails with AmsConnectionError (Timeout)", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* AmsEmulator.serve({
        seed,
        faults: Faults.on({ path: "/v1/projects/demo/topics" }, Faults.delay("1 hour"))
      })
      const fiber = yield* as(undici(server.endpoint, Seed.projectAdminToken, { timeout: "2 seconds" }))(
        Effect.flip(Topic.list())
      ).pipe(Effect.fork)
      yield* TestClock.adjust("3 seconds")
      expect(kind(yield* Fiber.join(fiber))).toEqual({
        _tag: "AmsConnectionError",
        status: undefined,
        reason: "Timeout"
      })
    })))

  it.scoped("sends what AmsHttp.layer sends: headers, query auth, JSON body; trace headers only when asked", () =>
    Effect.gen(function*() {
      const server = yield* recording(JSON.stringify({ messageIds: ["1"] }))
      const token = "wire-token"
      yield* as(undici(server.endpoint, token))(Topic.publish("t", [{ data: "hi" }]).pipe(Effect.withSpan("caller")))
      const [publish] = server.requests
      expect(publish?.url).toBe("/v1/projects/demo/topics/t:publish")
      expect(publish?.headers).toMatchObject({
        accept: "application/json",
        "x-api-key": token,
        "content-type": "application/json"
      })
      expect(Object.keys(publish?.headers ?? {})).not.toContain("traceparent")
      expect(JSON.parse(publish?.body ?? "")).toEqual({ messages: [{ data: "aGk=" }] })

      yield* as(undici(server.endpoint, token, { authMode: "query" }))(Effect.either(Topic.list()))
      expect(server.requests[1]?.url).toBe(`/v1/projects/demo/topics?key=${token}`)
      expect(Object.keys(server.requests[1]?.headers ?? {})).not.toContain("x-api-key")

      yield* as(undici(server.endpoint, token, { tracerPropagation: true }))(Effect.either(Topic.list()))
      expect(Object.keys(server.requests[2]?.headers ?? {})).toEqual(expect.arrayContaining(["traceparent", "b3"]))
    }))

  it.scoped("one span per operation, with method, URL and status; in query mode no URL", () =>
    Effect.gen(function*() {
      const server = yield* recording(JSON.stringify({ name: "/projects/demo/topics/t" }))
      const { spans } = yield* Spans.recording(as(undici(server.endpoint, "span-token"))(Topic.get("t")))
      expect(spans.map((s) => s.name)).toEqual(["ams.topic.get"])
      expect(Object.fromEntries(spans[0]!.attributes)).toMatchObject({
        "ams.project": "demo",
        "ams.topic": "t",
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "url.full": `${server.endpoint}/v1/projects/demo/topics/t`
      })
      const query = yield* Spans.recording(
        as(undici(server.endpoint, "span-token", { authMode: "query" }))(Topic.get("t"))
      )
      expect(query.spans[0]?.attributes.has("url.full")).toBe(false)
      expect(Spans.attributeValues(query.spans).filter((v) => v.includes("span-token"))).toEqual([])
    }))

  it.effect("options that cannot work are refused when the layer is built, naming AmsUndici.layer", () =>
    Effect.gen(function*() {
      const bad: ReadonlyArray<readonly [unknown, string]> = [
        [null, "options"],
        [{ endpoint: "http://u:hunter2@ams.test", token: Redacted.make("t"), project: "p" }, "endpoint"],
        [{ endpoint: "ams.test", token: "t", project: "p" }, "token"],
        [{ endpoint: "ams.test", token: Redacted.make("t"), project: "p", timeout: -1 }, "timeout"],
        [
          { endpoint: "ams.test", token: Redacted.make("t"), project: "p", transformClient: (c: unknown) => c },
          "transformClient"
        ]
      ]
      for (const [options, argument] of bad) {
        const exit = yield* AmsHttp.AmsHttp.pipe(
          Effect.provide(AmsUndici.layer(options as AmsUndici.Options)),
          Effect.exit
        )
        expect(typedFailure(exit)).toMatchObject({ _tag: "AmsArgumentError", operation: "AmsUndici.layer", argument })
        expect(shown(exit)).not.toContain("hunter2")
      }
    }))

  it.live("an interrupted request is aborted, before it is sent or while its answer is awaited", () =>
    Effect.scoped(Effect.gen(function*() {
      // A server that never answers /hang, and answers a topic otherwise; it counts what it saw and closed.
      const seen: Array<string> = []
      let closed = 0
      const server = createServer((request, response) => {
        seen.push(request.url ?? "")
        if (request.url?.endsWith("/hang")) {
          request.socket.on("close", () => closed++)
          return
        }
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ name: "/projects/demo/topics/t" }))
      })
      const port = yield* Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => server.close()))
      // One connection: a request the hung one is not freed from would wait behind it.
      const agent = new Agent({ connections: 1 })
      yield* Effect.addFinalizer(() => Effect.promise(() => agent.destroy()))
      const ams = as(undici(`http://127.0.0.1:${port}`, "secret", { dispatcher: agent }))
      const waitFor = (done: () => boolean) =>
        Effect.repeat(Effect.sleep("5 millis"), { until: done }).pipe(Effect.timeout("5 seconds"))

      const hung = yield* Effect.fork(ams(Topic.get("hang")))
      yield* waitFor(() => seen.length === 1)
      // Queued behind the hung one, so not yet sent: interrupted, it is never sent at all.
      const queued = yield* Effect.fork(ams(Topic.get("queued")))
      yield* Effect.sleep("20 millis")
      yield* Fiber.interrupt(queued)
      yield* Fiber.interrupt(hung)
      yield* waitFor(() => closed === 1)
      const topic = yield* ams(Topic.get("t")).pipe(Effect.timeout("5 seconds"))
      expect(topic.name).toBe("t")
      expect(seen).toEqual(["/v1/projects/demo/topics/hang", "/v1/projects/demo/topics/t"])
    })))

  it.effect("a MockAgent of yours answers, its errors classified as the server's", () =>
    Effect.gen(function*() {
      const agent = new MockAgent()
      agent.disableNetConnect()
      const ams = agent.get("http://ams.test")
      ams.intercept({ path: "/v1/projects/demo/topics/t", method: "GET" }).reply(200, {
        name: "/projects/demo/topics/t"
      })
      ams.intercept({ path: "/v1/projects/demo/topics/u", method: "GET" }).reply(502, "<html>Bad Gateway</html>")
      const layer = as(undici("http://ams.test", "secret", { dispatcher: agent }))
      expect((yield* layer(Topic.get("t"))).fullName).toBe("/projects/demo/topics/t")
      expect(kind(yield* Effect.flip(layer(Topic.get("u"))))).toEqual({
        _tag: "AmsBalancerError",
        status: 502,
        reason: undefined
      })
      // Nothing intercepted, and no network: a transport error, as for a refused connection.
      expect(kind(yield* Effect.flip(layer(Topic.get("v"))))).toEqual({
        _tag: "AmsConnectionError",
        status: undefined,
        reason: "Transport"
      })
    }))

  it.live("a dispatcher of yours is used and stays open; the layer's own is destroyed with it", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* AmsEmulator.serve({ seed })
      const agent = new Agent()
      yield* Effect.addFinalizer(() => Effect.promise(() => agent.close()))
      const topics = yield* as(undici(server.endpoint, Seed.projectAdminToken, { dispatcher: agent }))(Topic.list())
      expect(topics.map((topic) => topic.name)).toEqual(["t"])
      expect([agent.closed, agent.destroyed]).toEqual([false, false])
      const again = yield* as(undici(server.endpoint, Seed.projectAdminToken, { dispatcher: agent }))(Topic.list())
      expect(again).toEqual(topics)
    })))
})
