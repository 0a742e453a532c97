import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Tracer from "effect/Tracer"
import * as AmsHttp from "../src/AmsHttp.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import * as User from "../src/User.js"
import * as Recorder from "./utils/recorder.js"
import * as Spans from "./utils/spans.js"

const topic = { name: "/projects/demo/topics/alerts", created_on: "2020-11-21T00:00:00Z" }

describe("spans", () => {
  it.effect("each operation runs in ams.<module>.<verb> with the project and resource, never the token", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: topic }])
      const { spans } = yield* Spans.recording(Topic.get("alerts").pipe(Effect.provide(recorder.layer)))
      const span = spans.find((s) => s.name === "ams.topic.get")
      expect(span?.attributes.get("ams.project")).toBe("demo")
      expect(span?.attributes.get("ams.topic")).toBe("alerts")
      expect(span?.kind).toBe("client")
      expect(Spans.attributeValues(spans).filter((value) => value.includes(Recorder.defaults.token))).toEqual([])
    }))

  it.effect("one span per operation, with the request's method, URL and status", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: topic }])
      const { spans } = yield* Spans.recording(Topic.get("alerts").pipe(Effect.provide(recorder.layer)))
      expect(spans.map((s) => s.name)).toEqual(["ams.topic.get"])
      expect(Object.fromEntries([...spans[0]!.attributes].filter(([key]) => /^(http|url)\./.test(key)))).toEqual({
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "url.full": "https://ams.test/v1/projects/demo/topics/alerts"
      })
    }))

  it.effect("with a retry, each attempt has its own HTTP client span below the operation's", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ status: 503, text: "busy" }, { json: topic }])
      const { spans } = yield* Spans.recording(
        Topic.get("alerts", { retry: Schedule.recurs(1) }).pipe(Effect.provide(recorder.layer))
      )
      const operation = spans.find((s) => s.name === "ams.topic.get")!
      const attempts = spans.filter((s) => s !== operation)
      expect(attempts.map((s) => s.attributes.get("http.response.status_code"))).toEqual([503, 200])
      for (const attempt of attempts) {
        const parent = Option.getOrUndefined(attempt.parent)
        expect(parent?.spanId).toBe(operation.spanId)
        // The HTTP client redacts the x-api-key header it records.
        expect(Spans.attributeValues([attempt]).filter((value) => value.includes(Recorder.defaults.token))).toEqual([])
      }
    }))

  it.effect("a per-call project is the one recorded", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { max: 1, min: 0, current: 1 } }])
      const { spans } = yield* Spans.recording(
        Subscription.offsets("s1", { project: "other" }).pipe(Effect.provide(recorder.layer))
      )
      const span = spans.find((s) => s.name === "ams.subscription.offsets")
      expect(span?.attributes.get("ams.project")).toBe("other")
      expect(span?.attributes.get("ams.subscription")).toBe("s1")
      expect((yield* recorder.single).path).toBe("/v1/projects/other/subscriptions/s1:offsets")
    }))

  it.effect("in query auth mode no span records the URL that carries the token", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: topic }], { authMode: "query" })
      const { spans } = yield* Spans.recording(Topic.get("alerts").pipe(Effect.provide(recorder.layer)))
      expect((yield* recorder.single).query).toEqual({ key: Recorder.defaults.token })
      expect(spans.map((s) => s.name)).toEqual(["ams.topic.get"])
      expect(Spans.attributeValues(spans).filter((value) => value.includes(Recorder.defaults.token))).toEqual([])
    }))

  it.effect("a failed operation's error carries no token, not even in its cause", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ fail: "refused" }])
      const error = yield* Topic.get("alerts").pipe(Effect.provide(recorder.layer), Effect.flip)
      expect(error._tag).toBe("AmsConnectionError")
      expect(JSON.stringify(error)).not.toContain(Recorder.defaults.token)
    }))
})

describe("spans of composite operations and early failures", () => {
  const sub = {
    name: "/projects/demo/subscriptions/s1",
    topic: "/projects/demo/topics/alerts",
    ackDeadlineSeconds: 10
  }

  it.effect("exists and getOrCreate have their own span, with the requests they make below it", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([
        { status: 404, json: { error: { code: 404, message: "Topic doesn't exist", status: "NOT_FOUND" } } },
        { status: 409, json: { error: { code: 409, message: "Topic already exists", status: "ALREADY_EXISTS" } } },
        { json: topic }
      ])
      const { spans } = yield* Spans.recording(
        Effect.zip(Topic.exists("alerts"), Topic.getOrCreate("alerts")).pipe(Effect.provide(recorder.layer))
      )
      const byName = (name: string) => spans.filter((s) => s.name === name)
      const [exists] = byName("ams.topic.exists")
      const [getOrCreate] = byName("ams.topic.getOrCreate")
      expect(exists?.attributes.get("ams.topic")).toBe("alerts")
      expect(getOrCreate?.attributes.get("ams.project")).toBe("demo")
      const parentName = (span: (typeof spans)[number]) => {
        const parent = Option.getOrUndefined(span.parent)
        return parent?._tag === "Span" ? spans.find((s) => s.spanId === parent.spanId)?.name : undefined
      }
      expect(byName("ams.topic.get").map(parentName)).toEqual(["ams.topic.exists", "ams.topic.getOrCreate"])
      expect(byName("ams.topic.create").map(parentName)).toEqual(["ams.topic.getOrCreate"])
    }))

  it.effect("pullAndAck runs in ams.subscription.pullAndAck around its pull and ack", () =>
    Effect.gen(function*() {
      const received = {
        ackId: "projects/demo/subscriptions/s1:0",
        message: { messageId: "0", data: "aGk=", publishTime: "2020-01-01T00:00:00Z" }
      }
      const recorder = yield* Recorder.make([{ json: { receivedMessages: [received] } }, { json: {} }])
      const { result, spans } = yield* Spans.recording(
        Subscription.pullAndAck("s1").pipe(Effect.provide(recorder.layer))
      )
      expect(result).toHaveLength(1)
      const names = spans.map((s) => s.name).filter((name) => name.startsWith("ams."))
      expect(names).toEqual(["ams.subscription.pullAndAck", "ams.subscription.pull", "ams.subscription.acknowledge"])
      expect(spans[0]?.attributes.get("ams.subscription")).toBe("s1")
    }))

  it.effect("an argument refused before any request is refused inside the operation's span", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: sub }])
      const { result, spans } = yield* Spans.recording(
        Subscription.pull("s1", { maxMessages: 0 }).pipe(Effect.provide(recorder.layer), Effect.flip)
      )
      expect(result._tag).toBe("AmsArgumentError")
      const span = spans.find((s) => s.name === "ams.subscription.pull")
      expect(span?.status._tag === "Ended" && span.status.exit._tag).toBe("Failure")
      expect(yield* recorder.requests).toHaveLength(0)
    }))

  it.effect("one page and a whole listing are told apart: ams.user.listPage, ams.user.list", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { users: [], nextPageToken: "", totalSize: 0 } }])
      const { spans } = yield* Spans.recording(
        Effect.zip(User.listPage({ pageSize: 1 }), User.list()).pipe(Effect.provide(recorder.layer))
      )
      expect(spans.map((s) => s.name).filter((name) => name.startsWith("ams."))).toEqual([
        "ams.user.listPage",
        "ams.user.list"
      ])
    }))
})

describe("OpenTelemetry messaging attributes", () => {
  const messaging = (span: { readonly attributes: ReadonlyMap<string, unknown> } | undefined) =>
    Object.fromEntries([...span?.attributes ?? []].filter(([key]) => key.startsWith("messaging.")))

  it.effect("publish, pull and acknowledge carry the system, destination, operation type and message count", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([
        { json: { messageIds: ["7", "8"] } },
        {
          json: {
            receivedMessages: [{ ackId: "projects/demo/subscriptions/s1:7", message: { data: "aGk=", messageId: "7" } }]
          }
        },
        { json: {} }
      ])
      const { spans } = yield* Spans.recording(
        Effect.gen(function*() {
          yield* Topic.publish("alerts", [{ data: "a" }, { data: "b" }])
          const received = yield* Subscription.pull("s1", { maxMessages: 10 })
          yield* Subscription.acknowledge("s1", received.map((r) => r.ackId))
          yield* Topic.get("alerts").pipe(Effect.ignore)
        }).pipe(Effect.provide(recorder.layer))
      )
      const span = (name: string) => spans.find((s) => s.name === name)
      expect(messaging(span("ams.topic.publish"))).toEqual({
        "messaging.system": "ams",
        "messaging.destination.name": "alerts",
        "messaging.operation.type": "send",
        "messaging.batch.message_count": 2
      })
      expect(messaging(span("ams.subscription.pull"))).toEqual({
        "messaging.system": "ams",
        "messaging.destination.name": "s1",
        "messaging.operation.type": "receive",
        "messaging.batch.message_count": 1
      })
      expect(messaging(span("ams.subscription.acknowledge"))).toEqual({
        "messaging.system": "ams",
        "messaging.destination.name": "s1",
        "messaging.operation.type": "settle",
        "messaging.batch.message_count": 1
      })
      // Operations that move no messages are not messaging spans.
      expect(messaging(span("ams.topic.get"))).toEqual({})
    }))

  it.effect("pullAndAck is a receive of its subscription", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { receivedMessages: [] } }])
      const { spans } = yield* Spans.recording(Subscription.pullAndAck("s1").pipe(Effect.provide(recorder.layer)))
      expect(messaging(spans.find((s) => s.name === "ams.subscription.pullAndAck"))).toEqual({
        "messaging.system": "ams",
        "messaging.destination.name": "s1",
        "messaging.operation.type": "receive"
      })
    }))

  it.effect("a transport of one's own is handed the operation's span with each request", () =>
    Effect.gen(function*() {
      const handed: Array<Tracer.Span | undefined> = []
      const own = Layer.succeed(AmsHttp.AmsHttp, {
        baseUrl: "https://ams.test/v1",
        project: "demo",
        execute: <A, I>(request: AmsHttp.AmsRequest<A, I>) =>
          Effect.sync(() => {
            handed.push(request.span)
            return { messageIds: ["1"] } as A
          })
      })
      const { spans } = yield* Spans.recording(
        Topic.publish("alerts", { data: "a" }).pipe(Effect.withSpan("caller"), Effect.provide(own))
      )
      const operation = spans.find((s) => s.name === "ams.topic.publish")!
      expect(handed.map((span) => span?.spanId)).toEqual([operation.spanId])
      expect(Option.getOrUndefined(operation.parent)?.spanId).toBe(spans.find((s) => s.name === "caller")!.spanId)
    }))
})

describe("where nobody can see a span", () => {
  const own = (spanOptional: boolean | undefined, handed: Array<Tracer.Span | undefined>) =>
    Layer.succeed(AmsHttp.AmsHttp, {
      baseUrl: "https://ams.test/v1",
      project: "demo",
      spanOptional,
      execute: <A, I>(request: AmsHttp.AmsRequest<A, I>) =>
        Effect.sync(() => {
          handed.push(request.span)
          return { messageIds: ["1"] } as A
        })
    })
  const publish = Topic.publish("alerts", { data: "a" })

  it.effect("a service that only records on spans is handed none under Effect's built-in tracer or with tracing off", () =>
    Effect.gen(function*() {
      const handed: Array<Tracer.Span | undefined> = []
      expect(yield* publish.pipe(Effect.provide(own(true, handed)))).toEqual(["1"])
      yield* Spans.recording(publish.pipe(Effect.withTracerEnabled(false), Effect.provide(own(true, handed))))
      expect(handed).toEqual([undefined, undefined])
      // A tracer of one's own sees every operation's span, as before.
      const { spans } = yield* Spans.recording(publish.pipe(Effect.provide(own(true, handed))))
      expect(handed[2]?.spanId).toBe(spans.find((s) => s.name === "ams.topic.publish")?.spanId)
    }))

  it.effect("a service that does not say so is always handed the operation's span", () =>
    Effect.gen(function*() {
      const handed: Array<Tracer.Span | undefined> = []
      yield* publish.pipe(Effect.provide(own(undefined, handed)))
      yield* publish.pipe(Effect.provide(own(false, handed)))
      expect(handed.map((span) => span?.name)).toEqual(["ams.topic.publish", "ams.topic.publish"])
    }))

  it.effect("the client's transports write nothing on the caller's span, and answer as with spans", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: topic }, { json: { receivedMessages: [] } }])
      const [got, caller] = yield* Effect.all([
        Topic.get("alerts"),
        Effect.zipRight(Subscription.pullAndAck("s1"), Effect.currentSpan)
      ]).pipe(Effect.withSpan("caller"), Effect.provide(recorder.layer))
      expect(got.fullName).toBe("/projects/demo/topics/alerts")
      expect(caller.name).toBe("caller")
      expect([...caller.attributes.keys()]).toEqual([])
      expect((yield* recorder.requests).map((request) => request.method)).toEqual(["GET", "POST"])
    }))
})
