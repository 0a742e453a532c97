import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Seed from "@argo-ams/emulator/Seed"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { AmsError } from "../../src/AmsError.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Message from "../../src/Message.js"
import * as Metric from "../../src/Metric.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"

// One emulator per test (the outer `provide`), and as many users on it as the test needs.
const as = (token: string) => <A, E>(effect: Effect.Effect<A, E, AmsHttp.AmsHttp>) =>
  Effect.provide(
    effect,
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(token), project: "demo" })
  )
const admin = as(Seed.projectAdminToken)
const publisher = as(Seed.publisherToken)
const consumer = as(Seed.consumerToken)

const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  schemas: [{
    project: "demo",
    name: "status",
    type: "json",
    schema: { type: "object", properties: { up: { type: "boolean" } }, required: ["up"] }
  }]
}

const onEmulator = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) =>
  Effect.provide(effect, Layer.orDie(AmsEmulator.layer(seed)))

const serviceError = (error: AmsError) => {
  assert.strictEqual(error._tag, "AmsServiceError")
  return error._tag === "AmsServiceError" ? [error.status, error.message] : []
}

describe("Topic on the emulator", () => {
  it.effect("create, get, exists, list, remove", () =>
    onEmulator(Effect.gen(function*() {
      const created = yield* admin(Topic.create("alerts"))
      expect(created.name).toBe("alerts")
      expect(created.fullName).toBe("/projects/demo/topics/alerts")
      expect(created.project).toBe("demo")
      expect(created.schema).toBeUndefined()
      assert.instanceOf(created.createdOn, Date)
      const got = yield* admin(Topic.get("alerts"))
      expect(got).toEqual(created)
      expect(yield* admin(Topic.exists("alerts"))).toBe(true)
      expect(yield* admin(Topic.exists("missing"))).toBe(false)
      yield* admin(Topic.create("metrics"))
      expect((yield* admin(Topic.list())).map((t) => t.name)).toEqual(["metrics", "alerts"])
      yield* admin(Topic.remove("alerts"))
      expect(yield* admin(Topic.exists("alerts"))).toBe(false)
      expect((yield* admin(Topic.list())).map((t) => t.name)).toEqual(["metrics"])
    })))

  it.effect("409 on a second create, 404 on a missing topic, getOrCreate either way", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Topic.create("t1"))
      expect(serviceError(yield* admin(Topic.create("t1")).pipe(Effect.flip))).toEqual([409, "Topic already exists"])
      expect(serviceError(yield* admin(Topic.get("nope")).pipe(Effect.flip))).toEqual([404, "Topic doesn't exist"])
      expect(serviceError(yield* admin(Topic.remove("nope")).pipe(Effect.flip))).toEqual([404, "Topic doesn't exist"])
      const existing = yield* admin(Topic.getOrCreate("t1"))
      const fresh = yield* admin(Topic.getOrCreate("t2"))
      expect([existing.name, fresh.name]).toEqual(["t1", "t2"])
      const [a, b] = yield* Effect.all([admin(Topic.getOrCreate("t3")), admin(Topic.getOrCreate("t3"))], {
        concurrency: 2
      })
      expect(a.fullName).toBe(b.fullName)
    })))

  it.effect("401 for an unknown token, 403 for a role without the route, 404 for a missing project", () =>
    onEmulator(Effect.gen(function*() {
      expect(serviceError(yield* as("no-such-token")(Topic.list()).pipe(Effect.flip))).toEqual([401, "Unauthorized"])
      expect(serviceError(yield* publisher(Topic.create("t")).pipe(Effect.flip))).toEqual([
        403,
        "Access to this resource is forbidden"
      ])
      expect(serviceError(yield* admin(Topic.list({ project: "nowhere" })).pipe(Effect.flip))).toEqual([
        404,
        "project doesn't exist"
      ])
      const missingProject = yield* admin(Topic.exists("t", { project: "nowhere" })).pipe(Effect.flip)
      expect(missingProject.message).toBe("project doesn't exist")
    })))

  it.effect("listPage and stream page through, newest first", () =>
    onEmulator(Effect.gen(function*() {
      for (const name of ["a", "b", "c", "d", "e"]) yield* admin(Topic.create(name))
      const first = yield* admin(Topic.listPage({ pageSize: 2 }))
      expect(first.topics.map((t) => t.name)).toEqual(["e", "d"])
      expect(first.totalSize).toBe(5)
      assert.isDefined(first.nextPageToken)
      const second = yield* admin(Topic.listPage({ pageSize: 2, pageToken: first.nextPageToken }))
      expect(second.topics.map((t) => t.name)).toEqual(["c", "b"])
      const all = yield* admin(Topic.stream({ pageSize: 2 }).pipe(Stream.map((t) => t.name), Stream.runCollect))
      expect(Chunk.toReadonlyArray(all)).toEqual(["e", "d", "c", "b", "a"])
      const everything = yield* admin(Topic.listPage())
      expect(everything.nextPageToken).toBeUndefined()
      expect(everything.topics).toHaveLength(5)
      const bad = yield* admin(Topic.listPage({ pageToken: "not-a-token" })).pipe(Effect.flip)
      expect(serviceError(bad)).toEqual([400, "Invalid page token"])
    })))

  it.effect("publish returns consecutive ids; the messages arrive intact", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Topic.create("t"))
      yield* admin(Subscription.create("s", { topic: "t" }))
      yield* admin(Topic.modifyAcl("t", [Seed.publisherUser]))
      const ids = yield* publisher(Topic.publish("t", [
        Message.make({ data: "héllo", attributes: { host: "a" } }),
        { data: new Uint8Array([0, 1, 255]) }
      ]))
      expect(ids).toEqual(["0", "1"])
      expect(yield* publisher(Topic.publish("t", { attributes: { only: "x" } }))).toEqual(["2"])
      const received = yield* admin(Subscription.pull("s", { maxMessages: 5 }))
      expect(received.map((r) => r.message.messageId)).toEqual(["0", "1", "2"])
      expect(Message.text(received[0]!)).toBe("héllo")
      expect(received[0]!.message.attributes).toEqual({ host: "a" })
      expect([...received[1]!.message.data]).toEqual([0, 1, 255])
      expect(received[2]!.message.attributes).toEqual({ only: "x" })
      // The publish time is read as a Date, and the server's text is kept.
      const [first] = received
      expect(first!.message.publishTime).toEqual(new Date(first!.message.rawPublishTime))
      assert.instanceOf(first!.message.publishTime, Date)
    })))

  it.effect("publish: 403 for a publisher outside the ACL, 404 for a missing topic, no request for a bad message", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Topic.create("t"))
      expect(serviceError(yield* publisher(Topic.publish("t", [{ data: "x" }])).pipe(Effect.flip))[0]).toBe(403)
      expect(serviceError(yield* admin(Topic.publish("nope", [{ data: "x" }])).pipe(Effect.flip))).toEqual([
        404,
        "Topic doesn't exist"
      ])
      const bad = yield* admin(Topic.publish("t", [{}])).pipe(Effect.flip)
      assert.strictEqual(bad._tag, "AmsMessageError")
      const metrics = yield* admin(Topic.metrics("t"))
      const count = Metric.find(metrics, "topic.number_of_messages")
      expect(Option.flatMap(count, Metric.latest)).toEqual(Option.some(0))
    })))

  it.effect("acl and modifyAcl; unknown users are a 404", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Topic.create("t"))
      expect(yield* admin(Topic.acl("t"))).toEqual([])
      yield* admin(Topic.modifyAcl("t", [Seed.publisherUser, Seed.consumerUser]))
      expect([...(yield* admin(Topic.acl("t")))].sort()).toEqual([Seed.consumerUser, Seed.publisherUser])
      yield* admin(Topic.modifyAcl("t", []))
      expect(yield* admin(Topic.acl("t"))).toEqual([])
      const error = yield* admin(Topic.modifyAcl("t", ["ghost"])).pipe(Effect.flip)
      expect(serviceError(error)[0]).toBe(404)
      expect(error.message).toContain("ghost")
      expect(serviceError(yield* admin(Topic.acl("nope")).pipe(Effect.flip))[0]).toBe(404)
      expect(serviceError(yield* consumer(Topic.acl("t")).pipe(Effect.flip))[0]).toBe(403)
    })))

  it.effect("subscriptions lists the topic's subscriptions; 404 for a missing topic", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Topic.create("t"))
      expect(yield* admin(Topic.subscriptions("t"))).toEqual([])
      yield* admin(Subscription.create("s1", { topic: "t" }))
      yield* admin(Subscription.create("s2", { topic: "projects/demo/topics/t" }))
      const subs = yield* admin(Topic.subscriptions("t"))
      expect(subs.map((s) => s.name).sort()).toEqual(["s1", "s2"])
      expect(subs.map((s) => s.fullName).sort()).toEqual([
        "/projects/demo/subscriptions/s1",
        "/projects/demo/subscriptions/s2"
      ])
      expect(serviceError(yield* admin(Topic.subscriptions("nope")).pipe(Effect.flip))[0]).toBe(404)
    })))

  it.effect("metrics count what was published", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Topic.create("t"))
      yield* admin(Topic.publish("t", [{ data: "a" }, { data: "b" }, { data: "c" }]))
      const metrics = yield* admin(Topic.metrics("t"))
      expect(metrics.map((m) => m.metric)).toEqual(expect.arrayContaining([
        "topic.number_of_subscriptions",
        "topic.number_of_messages",
        "topic.number_of_bytes",
        "topic.number_of_daily_messages",
        "topic.publishing_rate"
      ]))
      const messages = Metric.find(metrics, "topic.number_of_messages")
      assert.strictEqual(messages._tag, "Some")
      if (messages._tag === "Some") {
        expect(messages.value.timeseries[0]!.value).toBe(3)
        expect(messages.value.resourceName).toBe("t")
      }
      expect(serviceError(yield* admin(Topic.metrics("nope")).pipe(Effect.flip))[0]).toBe(404)
    })))

  it.effect("schemas: create with one, attach, detach; unknown schema is a 404", () =>
    onEmulator(Effect.gen(function*() {
      const withSchema = yield* admin(Topic.create("t1", { schema: "status" }))
      expect(withSchema.schema).toBe("projects/demo/schemas/status")
      yield* admin(Topic.create("t2"))
      yield* admin(Topic.attachSchema("t2", "projects/demo/schemas/status"))
      expect((yield* admin(Topic.get("t2"))).schema).toBe("projects/demo/schemas/status")
      const invalid = yield* admin(Topic.publish("t2", [{ data: JSON.stringify({ up: "yes" }) }])).pipe(Effect.flip)
      expect(serviceError(invalid)[0]).toBe(400)
      expect(yield* admin(Topic.publish("t2", [{ data: JSON.stringify({ up: true }) }]))).toEqual(["0"])
      yield* admin(Topic.detachSchema("t2"))
      expect((yield* admin(Topic.get("t2"))).schema).toBeUndefined()
      expect(serviceError(yield* admin(Topic.attachSchema("t2", "nope")).pipe(Effect.flip))).toEqual([
        404,
        "Schema doesn't exist"
      ])
      expect(serviceError(yield* admin(Topic.create("t3", { schema: "nope" })).pipe(Effect.flip))[0]).toBe(404)
    })))
})
