import { assert, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Message from "../src/Message.js"
import * as Retry from "../src/Retry.js"
import * as Subscription from "../src/Subscription.js"
import * as Recorder from "./utils/recorder.js"

const amsError = (code: number, message: string, status: string) => ({ error: { code, message, status } })
const html502 =
  "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"
const html504 = "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"
const html408 =
  "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"

const zeroPush = {
  type: "",
  pushEndpoint: "",
  maxMessages: 0,
  authorizationHeader: {},
  retryPolicy: {},
  verificationHash: "",
  verified: false,
  mattermostUrl: "",
  mattermostUsername: "",
  mattermostChannel: "",
  base64Decode: false
}
const sub1 = {
  name: "/projects/demo/subscriptions/sub1",
  topic: "/projects/demo/topics/topic1",
  pushConfig: zeroPush,
  ackDeadlineSeconds: 10,
  createdOn: "2020-11-19T00:00:00Z"
}
const hex64 = "a".repeat(64)
const pushSub = {
  name: "/projects/demo/subscriptions/push1",
  topic: "/projects/demo/topics/topic1",
  pushConfig: {
    type: "http_endpoint",
    pushEndpoint: "https://www.example.com",
    maxMessages: 1,
    authorizationHeader: { type: "autogen", value: hex64 },
    retryPolicy: { type: "linear", period: 3000 },
    verificationHash: "b".repeat(64),
    verified: true,
    mattermostUrl: "",
    mattermostUsername: "",
    mattermostChannel: "",
    base64Decode: false
  },
  ackDeadlineSeconds: 30,
  pushStatus: "Subscription /projects/demo/subscriptions/push1 is currently active",
  createdOn: "2020-11-20T01:02:03Z"
}
const received = (offset: number, data = "aGVsbG8=") => ({
  ackId: `projects/demo/subscriptions/sub1:${offset}`,
  message: { messageId: String(offset), attributes: { k: "v" }, data, publishTime: "2020-01-01T00:00:00.1Z" }
})

describe("Subscription", () => {
  describe("get and the model", () => {
    it.effect("decodes a pull subscription: pushConfig undefined", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: sub1 }])
        const sub = yield* Subscription.get("sub1").pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect([request.method, request.path]).toEqual(["GET", "/v1/projects/demo/subscriptions/sub1"])
        expect(request.headers["x-api-key"]).toBe(Recorder.defaults.token)
        expect(sub).toEqual({
          name: "sub1",
          fullName: "/projects/demo/subscriptions/sub1",
          project: "demo",
          topic: "topic1",
          topicFullName: "/projects/demo/topics/topic1",
          topicProject: "demo",
          ackDeadlineSeconds: 10,
          pushConfig: undefined,
          pushStatus: undefined,
          createdOn: new Date("2020-11-19T00:00:00Z")
        })
      }))

    it.effect("decodes a verified push subscription with its full config; the auth value stays Redacted", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: pushSub }])
        const sub = yield* Subscription.get("push1").pipe(Effect.provide(recorder.layer))
        const push = sub.pushConfig
        assert.isDefined(push)
        if (push === undefined) return
        expect(push.type).toBe("http_endpoint")
        expect(push.pushEndpoint).toBe("https://www.example.com")
        expect(push.maxMessages).toBe(1)
        expect(push.authorizationHeader.type).toBe("autogen")
        assert.isTrue(Redacted.isRedacted(push.authorizationHeader.value))
        expect(Redacted.value(push.authorizationHeader.value!)).toBe(hex64)
        expect(String(push.authorizationHeader.value)).not.toContain(hex64)
        expect(push.retryPolicy).toEqual({ type: "linear", period: 3000 })
        expect(push.verificationHash).toBe("b".repeat(64))
        expect(push.verified).toBe(true)
        expect(push.base64Decode).toBe(false)
        expect(sub.pushStatus).toContain("currently active")
        expect(sub.ackDeadlineSeconds).toBe(30)
      }))

    it.effect("decodes slowstart (no period), mattermost, and an old server's config without type", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { json: { ...pushSub, pushConfig: { ...pushSub.pushConfig, retryPolicy: { type: "slowstart" } } } },
          {
            json: {
              ...sub1,
              pushConfig: {
                ...zeroPush,
                type: "mattermost",
                mattermostUrl: "https://mm.example.org/hooks/x",
                mattermostChannel: "alerts",
                verified: true
              }
            }
          },
          {
            json: {
              ...sub1,
              pushConfig: { pushEndpoint: "https://old.example.org", retryPolicy: { type: "linear", period: 300 } }
            }
          },
          { json: { ...sub1, pushConfig: undefined } }
        ])
        const run = Subscription.get("s").pipe(Effect.provide(recorder.layer))
        const slow = yield* run
        expect(slow.pushConfig?.retryPolicy).toEqual({ type: "slowstart", period: undefined })
        const mm = yield* run
        expect(mm.pushConfig?.type).toBe("mattermost")
        expect(mm.pushConfig?.mattermostChannel).toBe("alerts")
        expect(mm.pushConfig?.authorizationHeader).toEqual({ type: undefined, value: undefined })
        const old = yield* run
        expect(old.pushConfig?.type).toBe("http_endpoint")
        expect(old.pushConfig?.maxMessages).toBe(0)
        const none = yield* run
        expect(none.pushConfig).toBeUndefined()
      }))

    it.effect("a missing ackDeadlineSeconds, a bad name or a bad topic is a decode error", () =>
      Effect.gen(function*() {
        const { ackDeadlineSeconds: _, ...noDeadline } = sub1
        for (
          const json of [noDeadline, { ...sub1, name: "sub1" }, { ...sub1, topic: "topic1" }, {
            ...sub1,
            ackDeadlineSeconds: "10"
          }]
        ) {
          const recorder = yield* Recorder.make([{ json }])
          const error = yield* Subscription.get("sub1").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsDecodeError")
        }
      }))

    it.effect("maps 401/403/404 and balancer pages; invalid names fail before any request", () =>
      Effect.gen(function*() {
        for (
          const [code, message, status] of [
            [401, "Unauthorized", "UNAUTHORIZED"],
            [403, "Access to this resource is forbidden", "FORBIDDEN"],
            [404, "Subscription doesn't exist", "NOT_FOUND"]
          ] as const
        ) {
          const recorder = yield* Recorder.make([{ status: code, json: amsError(code, message, status) }])
          const error = yield* Subscription.get("s").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsServiceError")
          if (error._tag === "AmsServiceError") expect([error.status, error.message]).toEqual([code, message])
        }
        const balancer = yield* Recorder.make([{ status: 502, text: html502 }])
        assert.strictEqual(
          (yield* Subscription.get("s").pipe(Effect.provide(balancer.layer), Effect.flip))._tag,
          "AmsBalancerError"
        )
        const recorder = yield* Recorder.make([{ json: sub1 }])
        const error = yield* Subscription.get("s.1").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsArgumentError")
        expect(yield* recorder.requests).toHaveLength(0)
      }))
  })

  describe("list, listPage, stream", () => {
    it.effect("list: one request, no paging", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          json: { subscriptions: [pushSub, sub1], nextPageToken: "", totalSize: 2 }
        }])
        const subs = yield* Subscription.list().pipe(Effect.provide(recorder.layer))
        expect(subs.map((s) => s.name)).toEqual(["push1", "sub1"])
        const request = yield* recorder.single
        expect([request.method, request.path, request.query]).toEqual(["GET", "/v1/projects/demo/subscriptions", {}])
      }))

    it.effect("listPage and stream page through", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make((request) =>
          request.query.pageToken === "Mg=="
            ? { json: { subscriptions: [sub1], nextPageToken: "", totalSize: 2 } }
            : { json: { subscriptions: [pushSub], nextPageToken: "Mg==", totalSize: 2 } }
        )
        const page = yield* Subscription.listPage({ pageSize: 1 }).pipe(Effect.provide(recorder.layer))
        expect(page.nextPageToken).toBe("Mg==")
        expect(page.totalSize).toBe(2)
        const all = yield* Subscription.stream({ pageSize: 1 }).pipe(Stream.runCollect, Effect.provide(recorder.layer))
        expect(Chunk.toReadonlyArray(all).map((s) => s.name)).toEqual(["push1", "sub1"])
        const requests = yield* recorder.requests
        expect(requests.map((r) => r.query)).toEqual([
          { pageSize: "1" },
          { pageSize: "1" },
          { pageSize: "1", pageToken: "Mg==" }
        ])
        const bad = yield* Subscription.listPage({ pageSize: -3 }).pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(bad._tag, "AmsArgumentError")
        expect(yield* recorder.requests).toHaveLength(3)
      }))
  })

  describe("create, remove, exists, getOrCreate", () => {
    it.effect("getOrCreate gets only on 409 ALREADY_EXISTS: another 409 (push disabled) fails as it is", () =>
      Effect.gen(function*() {
        const push = { pushEndpoint: "https://hooks.example.org/ams" }
        const conflict = yield* Recorder.make([{
          status: 409,
          json: amsError(409, "Push functionality is currently disabled", "CONFLICT")
        }])
        const error = yield* Subscription.getOrCreate("sub1", { topic: "topic1", pushConfig: push }).pipe(
          Effect.provide(conflict.layer),
          Effect.flip
        )
        expect([error._tag, error.operation, error.message]).toEqual([
          "AmsServiceError",
          "subscription.create",
          "Push functionality is currently disabled"
        ])
        expect((yield* conflict.requests).map((r) => r.method)).toEqual(["PUT"])

        const exists = yield* Recorder.make([
          { status: 409, json: amsError(409, "Subscription already exists", "ALREADY_EXISTS") },
          { json: sub1 }
        ])
        const sub = yield* Subscription.getOrCreate("sub1", { topic: "topic1" }).pipe(Effect.provide(exists.layer))
        expect(sub.name).toBe("sub1")
        expect((yield* exists.requests).map((r) => r.method)).toEqual(["PUT", "GET"])
      }))

    it.effect("create PUTs the topic without a leading slash and the default deadline 10", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: sub1 }])
        const sub = yield* Subscription.create("sub1", { topic: "topic1" }).pipe(Effect.provide(recorder.layer))
        expect(sub.name).toBe("sub1")
        const request = yield* recorder.single
        expect([request.method, request.path]).toEqual(["PUT", "/v1/projects/demo/subscriptions/sub1"])
        expect(request.json).toEqual({ topic: "projects/demo/topics/topic1", ackDeadlineSeconds: 10 })
      }))

    it.effect("create accepts projects/P/topics/T and /projects/P/topics/T", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: sub1 }])
        yield* Subscription.create("sub1", { topic: "projects/other/topics/t9", ackDeadlineSeconds: 60 }).pipe(
          Effect.provide(recorder.layer)
        )
        yield* Subscription.create("sub1", { topic: "/projects/demo/topics/t8" }).pipe(Effect.provide(recorder.layer))
        yield* Subscription.create("sub1", { topic: "t7", project: "p2" }).pipe(Effect.provide(recorder.layer))
        const requests = yield* recorder.requests
        expect(requests.map((r) => r.json)).toEqual([
          { topic: "projects/other/topics/t9", ackDeadlineSeconds: 60 },
          { topic: "projects/demo/topics/t8", ackDeadlineSeconds: 10 },
          { topic: "projects/p2/topics/t7", ackDeadlineSeconds: 10 }
        ])
        expect(requests[2]!.path).toBe("/v1/projects/p2/subscriptions/sub1")
      }))

    it.effect("create sends a push config with its type", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: pushSub }])
        yield* Subscription.create("push1", {
          topic: "topic1",
          pushConfig: {
            pushEndpoint: "https://www.example.com",
            maxMessages: 5,
            authorizationHeader: "disabled",
            retryPolicy: { type: "linear", period: "5 seconds" }
          }
        }).pipe(Effect.provide(recorder.layer))
        expect((yield* recorder.single).json).toEqual({
          topic: "projects/demo/topics/topic1",
          ackDeadlineSeconds: 10,
          pushConfig: {
            type: "http_endpoint",
            pushEndpoint: "https://www.example.com",
            maxMessages: 5,
            authorizationHeader: { type: "disabled" },
            retryPolicy: { type: "linear", period: 5000 },
            base64Decode: false
          }
        })
      }))

    it.effect("create checks the topic, deadline and push config before any request", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: sub1 }])
        const bad: ReadonlyArray<Subscription.CreateOptions> = [
          { topic: "a.b" },
          { topic: "projects/demo/subscriptions/x" },
          { topic: "t", ackDeadlineSeconds: -1 },
          { topic: "t", ackDeadlineSeconds: 601 },
          { topic: "t", ackDeadlineSeconds: 1.5 },
          { topic: "t", pushConfig: { pushEndpoint: "http://insecure.example.org" } },
          { topic: "t", pushConfig: { type: "mattermost", mattermostUrl: "" } }
        ]
        for (const options of bad) {
          const error = yield* Subscription.create("sub1", options).pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsArgumentError")
        }
        const badName = yield* Subscription.create("s 1", { topic: "t" }).pipe(
          Effect.provide(recorder.layer),
          Effect.flip
        )
        assert.strictEqual(badName._tag, "AmsArgumentError")
        expect(yield* recorder.requests).toHaveLength(0)
      }))

    it.effect("create: 404 topic, 409 exists, 409 push disabled", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { status: 404, json: amsError(404, "Topic doesn't exist", "NOT_FOUND") },
          { status: 409, json: amsError(409, "Subscription already exists", "ALREADY_EXISTS") }
        ])
        const e1 = yield* Subscription.create("s", { topic: "t" }).pipe(Effect.provide(recorder.layer), Effect.flip)
        expect(e1.message).toBe("Topic doesn't exist")
        const e2 = yield* Subscription.create("s", { topic: "t" }).pipe(Effect.provide(recorder.layer), Effect.flip)
        expect(e2.message).toBe("Subscription already exists")
      }))

    it.effect("getOrCreate: 409 already exists → get; 409 push disabled → fails", () =>
      Effect.gen(function*() {
        const existing = yield* Recorder.make([
          { status: 409, json: amsError(409, "Subscription already exists", "ALREADY_EXISTS") },
          { json: sub1 }
        ])
        const sub = yield* Subscription.getOrCreate("sub1", { topic: "topic1" }).pipe(Effect.provide(existing.layer))
        expect(sub.name).toBe("sub1")
        expect((yield* existing.requests).map((r) => r.method)).toEqual(["PUT", "GET"])

        const disabled = yield* Recorder.make([
          { status: 409, json: amsError(409, "Push functionality is currently disabled", "CONFLICT") }
        ])
        const error = yield* Subscription.getOrCreate("sub1", {
          topic: "topic1",
          pushConfig: { pushEndpoint: "https://e.example.org" }
        }).pipe(Effect.provide(disabled.layer), Effect.flip)
        expect(error.message).toBe("Push functionality is currently disabled")
        expect(yield* disabled.requests).toHaveLength(1)
      }))

    it.effect("remove DELETEs; accepts the deactivation message body", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { text: "" },
          { json: { message: "Subscription /projects/demo/subscriptions/push1 deactivated" } },
          { status: 404, json: amsError(404, "Subscription doesn't exist", "NOT_FOUND") }
        ])
        yield* Subscription.remove("sub1").pipe(Effect.provide(recorder.layer))
        yield* Subscription.remove("push1").pipe(Effect.provide(recorder.layer))
        const error = yield* Subscription.remove("gone").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsServiceError")
        const requests = yield* recorder.requests
        expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
          "DELETE /v1/projects/demo/subscriptions/sub1",
          "DELETE /v1/projects/demo/subscriptions/push1",
          "DELETE /v1/projects/demo/subscriptions/gone"
        ])
      }))

    it.effect("exists", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { json: sub1 },
          { status: 404, json: amsError(404, "Subscription doesn't exist", "NOT_FOUND") },
          { status: 401, json: amsError(401, "Unauthorized", "UNAUTHORIZED") }
        ])
        const run = Subscription.exists("sub1").pipe(Effect.provide(recorder.layer))
        expect(yield* run).toBe(true)
        expect(yield* run).toBe(false)
        assert.strictEqual((yield* Effect.flip(run))._tag, "AmsServiceError")
      }))
  })

  describe("pull", () => {
    it.effect("sends string values, defaults 1 and \"true\", and decodes the messages", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { receivedMessages: [received(3)] } }])
        const messages = yield* Subscription.pull("sub1").pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect([request.method, request.path]).toEqual(["POST", "/v1/projects/demo/subscriptions/sub1:pull"])
        expect(request.json).toEqual({ maxMessages: "1", returnImmediately: "true" })
        expect(messages).toHaveLength(1)
        expect(messages[0]!.ackId).toBe("projects/demo/subscriptions/sub1:3")
        expect(Message.text(messages[0]!)).toBe("hello")
        expect(messages[0]!.message.attributes).toEqual({ k: "v" })
        expect(messages[0]!.message.messageId).toBe("3")
      }))

    it.effect("maxMessages and returnImmediately false as strings", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { receivedMessages: [] } }])
        const messages = yield* Subscription.pull("sub1", { maxMessages: 10, returnImmediately: false }).pipe(
          Effect.provide(recorder.layer)
        )
        expect(messages).toEqual([])
        expect((yield* recorder.single).json).toEqual({ maxMessages: "10", returnImmediately: "false" })
      }))

    it.effect("maxMessages below 1 fails before any request", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { receivedMessages: [] } }])
        for (const maxMessages of [0, -1, 2.5]) {
          const error = yield* Subscription.pull("sub1", { maxMessages }).pipe(
            Effect.provide(recorder.layer),
            Effect.flip
          )
          assert.strictEqual(error._tag, "AmsArgumentError")
        }
        expect(yield* recorder.requests).toHaveLength(0)
      }))

    it.effect("504 HTML is a balancer timeout; 409 topic gone; 408 HTML timeout", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { status: 504, text: html504 },
          { status: 409, json: amsError(409, "Subscription's topic doesn't exist", "CONFLICT") },
          { status: 408, text: html408 }
        ])
        const run = Subscription.pull("sub1").pipe(Effect.provide(recorder.layer), Effect.flip)
        const e1 = yield* run
        assert.strictEqual(e1._tag, "AmsTimeoutError")
        const e2 = yield* run
        expect([e2._tag, e2.message]).toEqual(["AmsServiceError", "Subscription's topic doesn't exist"])
        assert.strictEqual((yield* run)._tag, "AmsTimeoutError")
      }))

    it.effect("retries with the schedule", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { status: 504, text: html504 },
          { fail: "reset" },
          { json: { receivedMessages: [received(0)] } }
        ])
        const fiber = yield* Subscription.pull("sub1", { retry: Retry.linear({ retries: 5, sleep: "1 second" }) }).pipe(
          Effect.provide(recorder.layer),
          Effect.fork
        )
        yield* TestClock.adjust("10 seconds")
        expect(yield* Fiber.join(fiber)).toHaveLength(1)
        expect(yield* recorder.requests).toHaveLength(3)
      }))

    it.effect("a wrong answer is a decode error", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { receivedMessages: [{ message: {} }] } }])
        const error = yield* Subscription.pull("sub1").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsDecodeError")
      }))

    it.effect("an answer without receivedMessages is broken, not empty; a null list (Go nil slice) is empty", () =>
      Effect.gen(function*() {
        for (const reply of [{ json: {} }, { text: "" }]) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* Subscription.pull("sub1").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsDecodeError")
        }
        const recorder = yield* Recorder.make([{ json: { receivedMessages: null } }])
        expect(yield* Subscription.pull("sub1").pipe(Effect.provide(recorder.layer))).toEqual([])
      }))
  })

  describe("acknowledge", () => {
    it.effect("POSTs the ack ids and accepts {}", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: {} }])
        yield* Subscription.acknowledge("sub1", [
          "projects/demo/subscriptions/sub1:3",
          "projects/demo/subscriptions/sub1:4"
        ])
          .pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect([request.method, request.path]).toEqual(["POST", "/v1/projects/demo/subscriptions/sub1:acknowledge"])
        expect(request.json).toEqual({
          ackIds: ["projects/demo/subscriptions/sub1:3", "projects/demo/subscriptions/sub1:4"]
        })
      }))

    it.effect("checks the ids before any request", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: {} }])
        const bad: ReadonlyArray<ReadonlyArray<string>> = [
          [],
          ["1221"],
          ["projects/other/subscriptions/sub1:1"],
          ["projects/demo/subscriptions/sub2:1"],
          ["projects/demo/subscriptions/sub1:x"],
          ["/projects/demo/subscriptions/sub1:1"],
          ["projects/demo/subscriptions/sub1:1", "projects/demo/subscriptions/sub1:"]
        ]
        for (const ids of bad) {
          const error = yield* Subscription.acknowledge("sub1", ids).pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsArgumentError")
          if (error._tag === "AmsArgumentError") expect(error.argument).toBe("ackIds")
        }
        const badName = yield* Subscription.acknowledge("s.1", ["projects/demo/subscriptions/s.1:1"]).pipe(
          Effect.provide(recorder.layer),
          Effect.flip
        )
        assert.strictEqual(badName._tag, "AmsArgumentError")
        if (badName._tag === "AmsArgumentError") expect(badName.argument).toBe("subscription")
        expect(yield* recorder.requests).toHaveLength(0)
      }))

    it.effect("uses the per-call project for the id check and the path", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: {} }])
        yield* Subscription.acknowledge("s", ["projects/p2/subscriptions/s:0"], { project: "p2" }).pipe(
          Effect.provide(recorder.layer)
        )
        expect((yield* recorder.single).path).toBe("/v1/projects/p2/subscriptions/s:acknowledge")
      }))

    it.effect("500 no ack pending is a service error and is never retried; 408 ack timeout is not retried", () =>
      Effect.gen(function*() {
        const ids = ["projects/demo/subscriptions/sub1:1"]
        const retry = Retry.linear({ retries: 3, sleep: "1 second" })
        const pending = yield* Recorder.make([{
          status: 500,
          json: amsError(500, "no ack pending", "INTERNAL_SERVER_ERROR")
        }])
        const f1 = yield* Subscription.acknowledge("sub1", ids, { retry }).pipe(
          Effect.provide(pending.layer),
          Effect.flip,
          Effect.fork
        )
        yield* TestClock.adjust("10 seconds")
        const e1 = yield* Fiber.join(f1)
        expect([e1._tag, e1.message]).toEqual(["AmsServiceError", "no ack pending"])
        expect(yield* pending.requests).toHaveLength(1)

        const late = yield* Recorder.make([{ status: 408, json: amsError(408, "ack timeout", "TIMEOUT") }])
        const f2 = yield* Subscription.acknowledge("sub1", ids, { retry }).pipe(
          Effect.provide(late.layer),
          Effect.flip,
          Effect.fork
        )
        yield* TestClock.adjust("10 seconds")
        const e2 = yield* Fiber.join(f2)
        assert.strictEqual(e2._tag, "AmsTimeoutError")
        if (e2._tag === "AmsTimeoutError") expect(e2.source).toBe("service")
        expect(yield* late.requests).toHaveLength(1)
      }))

    it.effect("a balancer 504 on acknowledge is retried", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ status: 504, text: html504 }, { json: {} }])
        const fiber = yield* Subscription.acknowledge("sub1", ["projects/demo/subscriptions/sub1:1"], {
          retry: Retry.linear({ retries: 1, sleep: "1 second" })
        }).pipe(Effect.provide(recorder.layer), Effect.fork)
        yield* TestClock.adjust("2 seconds")
        yield* Fiber.join(fiber)
        expect(yield* recorder.requests).toHaveLength(2)
      }))
  })

  describe("pullAndAck", () => {
    it.effect("pulls, acks every id, returns the messages", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { receivedMessages: [received(0), received(1)] } }, {
          json: {}
        }])
        const messages = yield* Subscription.pullAndAck("sub1", { maxMessages: 2 }).pipe(Effect.provide(recorder.layer))
        expect(messages.map((m) => m.messageId)).toEqual(["0", "1"])
        const [pull, ack] = yield* recorder.requests
        expect(pull!.json).toEqual({ maxMessages: "2", returnImmediately: "true" })
        expect(ack!.path).toBe("/v1/projects/demo/subscriptions/sub1:acknowledge")
        expect(ack!.json).toEqual({
          ackIds: ["projects/demo/subscriptions/sub1:0", "projects/demo/subscriptions/sub1:1"]
        })
      }))

    it.effect("nothing pulled: no ack", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { receivedMessages: [] } }])
        expect(yield* Subscription.pullAndAck("sub1").pipe(Effect.provide(recorder.layer))).toEqual([])
        expect(yield* recorder.requests).toHaveLength(1)
      }))

    it.effect("a failed ack starts a new cycle with a fresh pull", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { json: { receivedMessages: [received(5)] } },
          { status: 408, json: amsError(408, "ack timeout", "TIMEOUT") },
          { json: { receivedMessages: [received(5)] } },
          { json: {} }
        ])
        const messages = yield* Subscription.pullAndAck("sub1").pipe(Effect.provide(recorder.layer))
        expect(messages.map((m) => m.messageId)).toEqual(["5"])
        expect((yield* recorder.requests).map((r) => r.path.split(":")[1])).toEqual([
          "pull",
          "acknowledge",
          "pull",
          "acknowledge"
        ])
      }))

    it.effect("an ack lost in transit: the next pull tells whether it was applied, and each message comes once", () =>
      Effect.gen(function*() {
        // Applied: the next pull does not redeliver the batch, so the batch is returned and nothing more acked.
        const applied = yield* Recorder.make([
          { json: { receivedMessages: [received(5)] } },
          { fail: "reset" },
          { json: { receivedMessages: [received(6)] } }
        ])
        const first = yield* Subscription.pullAndAck("sub1").pipe(Effect.provide(applied.layer))
        expect(first.map((m) => m.messageId)).toEqual(["5"])
        expect((yield* applied.requests).map((r) => r.path.split(":")[1])).toEqual(["pull", "acknowledge", "pull"])

        // Not applied: the batch comes again and is acknowledged again.
        const lost = yield* Recorder.make([
          { json: { receivedMessages: [received(5)] } },
          { status: 504, text: html504 },
          { json: { receivedMessages: [received(5)] } },
          { json: {} }
        ])
        const again = yield* Subscription.pullAndAck("sub1").pipe(Effect.provide(lost.layer))
        expect(again.map((m) => m.messageId)).toEqual(["5"])
        expect((yield* lost.requests).map((r) => r.path.split(":")[1])).toEqual([
          "pull",
          "acknowledge",
          "pull",
          "acknowledge"
        ])
      }))

    it.effect("stops after the cycles and fails with the last ack error", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make((request, index) =>
          request.path.endsWith(":pull")
            ? { json: { receivedMessages: [received(index)] } }
            : index < 5
            ? { status: 500, json: amsError(500, "wrong ack", "INTERNAL_SERVER_ERROR") }
            : { status: 500, json: amsError(500, "no ack pending", "INTERNAL_SERVER_ERROR") }
        )
        const error = yield* Subscription.pullAndAck("sub1").pipe(Effect.provide(recorder.layer), Effect.flip)
        expect(error.message).toBe("no ack pending")
        expect(yield* recorder.requests).toHaveLength(8)

        const once = yield* Recorder.make((request) =>
          request.path.endsWith(":pull")
            ? { json: { receivedMessages: [received(1)] } }
            : { status: 500, json: amsError(500, "wrong ack", "INTERNAL_SERVER_ERROR") }
        )
        yield* Subscription.pullAndAck("sub1", { cycles: Schedule.recurs(0) }).pipe(
          Effect.provide(once.layer),
          Effect.flip
        )
        expect(yield* once.requests).toHaveLength(2)
      }))

    it.effect("a failing pull fails at once, not as a cycle", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          status: 404,
          json: amsError(404, "Subscription doesn't exist", "NOT_FOUND")
        }])
        const error = yield* Subscription.pullAndAck("sub1").pipe(Effect.provide(recorder.layer), Effect.flip)
        expect(error.message).toBe("Subscription doesn't exist")
        expect(yield* recorder.requests).toHaveLength(1)
      }))

    it.effect("cycles can pause with a schedule (TestClock)", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make((request, index) =>
          request.path.endsWith(":pull")
            ? { json: { receivedMessages: [received(1)] } }
            : index === 1
            ? { status: 408, json: amsError(408, "ack timeout", "TIMEOUT") }
            : { json: {} }
        )
        const fiber = yield* Subscription.pullAndAck("sub1", { cycles: Schedule.spaced("30 seconds") }).pipe(
          Effect.provide(recorder.layer),
          Effect.fork
        )
        yield* TestClock.adjust("10 seconds")
        expect(yield* recorder.requests).toHaveLength(2)
        yield* TestClock.adjust("30 seconds")
        expect(yield* Fiber.join(fiber)).toHaveLength(1)
        expect(yield* recorder.requests).toHaveLength(4)
      }))
  })

  describe("deadlines, push, offsets", () => {
    it.effect("modifyAckDeadline sends a number, checks 0..600", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ text: "" }])
        yield* Subscription.modifyAckDeadline("sub1", 0).pipe(Effect.provide(recorder.layer))
        yield* Subscription.modifyAckDeadline("sub1", 600).pipe(Effect.provide(recorder.layer))
        for (const seconds of [-1, 601, 1.5]) {
          const error = yield* Subscription.modifyAckDeadline("sub1", seconds).pipe(
            Effect.provide(recorder.layer),
            Effect.flip
          )
          assert.strictEqual(error._tag, "AmsArgumentError")
        }
        const requests = yield* recorder.requests
        expect(requests.map((r) => r.json)).toEqual([{ ackDeadlineSeconds: 0 }, { ackDeadlineSeconds: 600 }])
        expect(requests[0]!.path).toBe("/v1/projects/demo/subscriptions/sub1:modifyAckDeadline")
      }))

    it.effect("modifyPushConfig: http endpoint with type, mattermost, and null → {}", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ text: "" }])
        const run = (config: Parameters<typeof Subscription.modifyPushConfig>[1]) =>
          Subscription.modifyPushConfig("sub1", config).pipe(Effect.provide(recorder.layer))
        yield* run({ pushEndpoint: "https://hooks.example.org/ams" })
        yield* run({
          type: "mattermost",
          mattermostUrl: "https://mm.example.org/hooks/x",
          mattermostChannel: "alerts",
          retryPolicy: { type: "slowstart" },
          base64Decode: true
        })
        yield* run(null)
        const requests = yield* recorder.requests
        expect(requests.map((r) => r.json)).toEqual([
          { pushConfig: { type: "http_endpoint", pushEndpoint: "https://hooks.example.org/ams", base64Decode: false } },
          {
            pushConfig: {
              type: "mattermost",
              mattermostUrl: "https://mm.example.org/hooks/x",
              mattermostChannel: "alerts",
              retryPolicy: { type: "slowstart" },
              base64Decode: true
            }
          },
          { pushConfig: {} }
        ])
        expect(requests[0]!.path).toBe("/v1/projects/demo/subscriptions/sub1:modifyPushConfig")
      }))

    it.effect("modifyPushConfig: bad configs fail before any request; 409 push disabled", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { status: 409, json: amsError(409, "Push functionality is currently disabled", "CONFLICT") }
        ])
        const bad = [
          { pushEndpoint: "ftp://x" },
          { pushEndpoint: "https://x.example.org", maxMessages: -1 },
          { pushEndpoint: "https://x.example.org", retryPolicy: { type: "linear" as const, period: 0 } }
        ]
        for (const config of bad) {
          const error = yield* Subscription.modifyPushConfig("sub1", config).pipe(
            Effect.provide(recorder.layer),
            Effect.flip
          )
          assert.strictEqual(error._tag, "AmsArgumentError")
        }
        expect(yield* recorder.requests).toHaveLength(0)
        const error = yield* Subscription.modifyPushConfig("sub1", { pushEndpoint: "https://x.example.org" }).pipe(
          Effect.provide(recorder.layer),
          Effect.flip
        )
        expect(error.message).toBe("Push functionality is currently disabled")
      }))

    it.effect("verifyPushEndpoint POSTs no body; 401 verification failed", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { text: "" },
          { status: 401, json: amsError(401, "Endpoint verification failed.Wrong verification hash", "UNAUTHORIZED") }
        ])
        yield* Subscription.verifyPushEndpoint("push1").pipe(Effect.provide(recorder.layer))
        const error = yield* Subscription.verifyPushEndpoint("push1").pipe(Effect.provide(recorder.layer), Effect.flip)
        expect(error.message).toBe("Endpoint verification failed.Wrong verification hash")
        const [request] = yield* recorder.requests
        expect([request!.method, request!.path, request!.body]).toEqual([
          "POST",
          "/v1/projects/demo/subscriptions/push1:verifyPushEndpoint",
          ""
        ])
      }))

    it.effect("offsets decodes max/min/current; a missing key is a decode error", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { max: 8, min: 2, current: 5 } }, { json: { max: 8, min: 2 } }])
        expect(yield* Subscription.offsets("sub1").pipe(Effect.provide(recorder.layer))).toEqual({
          min: 2,
          max: 8,
          current: 5
        })
        const error = yield* Subscription.offsets("sub1").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsDecodeError")
        const [request] = yield* recorder.requests
        expect([request!.method, request!.path]).toEqual(["GET", "/v1/projects/demo/subscriptions/sub1:offsets"])
      }))

    it.effect("modifyOffset sends a number; 400 out of bounds; a negative offset fails before any request", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { text: "" },
          { status: 400, json: amsError(400, "Offset out of bounds", "INVALID_ARGUMENT") }
        ])
        yield* Subscription.modifyOffset("sub1", 3).pipe(Effect.provide(recorder.layer))
        const error = yield* Subscription.modifyOffset("sub1", 99).pipe(Effect.provide(recorder.layer), Effect.flip)
        expect(error.message).toBe("Offset out of bounds")
        const negative = yield* Subscription.modifyOffset("sub1", -1).pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(negative._tag, "AmsArgumentError")
        const requests = yield* recorder.requests
        expect(requests.map((r) => r.json)).toEqual([{ offset: 3 }, { offset: 99 }])
        expect(requests[0]!.path).toBe("/v1/projects/demo/subscriptions/sub1:modifyOffset")
      }))

    it.effect("timeToOffset formats the time as YYYY-MM-DDTHH:MM:SS.mmmZ in UTC", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { offset: 42 } }])
        const offset = yield* Subscription.timeToOffset("sub1", new Date(Date.UTC(2019, 8, 2, 13, 39, 11, 500))).pipe(
          Effect.provide(recorder.layer)
        )
        expect(offset).toBe(42)
        yield* Subscription.timeToOffset("sub1", new Date(Date.UTC(2019, 8, 2, 13, 39, 11, 0))).pipe(
          Effect.provide(recorder.layer)
        )
        yield* Subscription.timeToOffset(
          "sub1",
          DateTime.unsafeMakeZoned(Date.UTC(2020, 0, 1, 0, 0, 0, 5), {
            timeZone: "Europe/Athens"
          })
        ).pipe(Effect.provide(recorder.layer))
        const requests = yield* recorder.requests
        expect(requests.map((r) => r.query)).toEqual([
          { time: "2019-09-02T13:39:11.500Z" },
          { time: "2019-09-02T13:39:11.000Z" },
          { time: "2020-01-01T00:00:00.005Z" }
        ])
        expect(requests[0]!.path).toBe("/v1/projects/demo/subscriptions/sub1:timeToOffset")
        expect(requests[0]!.url).toContain("time=2019-09-02T13%3A39%3A11.500Z")
      }))

    it.effect("timeToOffset: invalid date fails before any request; 409 out of bounds", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          status: 409,
          json: amsError(409, "Timestamp is out of bounds for the subscription's topic/partition", "CONFLICT")
        }])
        const invalid = yield* Subscription.timeToOffset("sub1", new Date(Number.NaN)).pipe(
          Effect.provide(recorder.layer),
          Effect.flip
        )
        assert.strictEqual(invalid._tag, "AmsArgumentError")
        expect(yield* recorder.requests).toHaveLength(0)
        const error = yield* Subscription.timeToOffset("sub1", new Date()).pipe(
          Effect.provide(recorder.layer),
          Effect.flip
        )
        expect(error.message).toContain("out of bounds")
      }))
  })

  describe("acl, modifyAcl, metrics", () => {
    it.effect("acl and modifyAcl", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { authorized_users: ["UserA"] } }, { text: "" }])
        expect(yield* Subscription.acl("sub1").pipe(Effect.provide(recorder.layer))).toEqual(["UserA"])
        yield* Subscription.modifyAcl("sub1", ["UserA", "UserB"]).pipe(Effect.provide(recorder.layer))
        const [get, modify] = yield* recorder.requests
        expect([get!.method, get!.path]).toEqual(["GET", "/v1/projects/demo/subscriptions/sub1:acl"])
        expect([modify!.method, modify!.path, modify!.json]).toEqual([
          "POST",
          "/v1/projects/demo/subscriptions/sub1:modifyAcl",
          { authorized_users: ["UserA", "UserB"] }
        ])
      }))

    it.effect("acl: 404 is a service error (not Python's KeyError)", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          status: 404,
          json: amsError(404, "Subscription doesn't exist", "NOT_FOUND")
        }])
        const error = yield* Subscription.acl("sub1").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsServiceError")
      }))

    it.effect("metrics", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          json: {
            metrics: [{
              metric: "subscription.consumption_rate",
              metric_type: "rate",
              value_type: "float64",
              resource_type: "subscription",
              resource_name: "sub1",
              timeseries: [{ timestamp: "2019-05-06T00:00:00Z", value: 10.5 }],
              description: "A rate that displays how many messages were consumed per second"
            }]
          }
        }])
        const metrics = yield* Subscription.metrics("sub1").pipe(Effect.provide(recorder.layer))
        expect(metrics[0]!.timeseries[0]!.value).toBe(10.5)
        expect((yield* recorder.single).path).toBe("/v1/projects/demo/subscriptions/sub1:metrics")
      }))
  })
})
