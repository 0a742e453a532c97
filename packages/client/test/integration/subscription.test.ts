import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import type * as Emulator from "@argo-ams/emulator/Emulator"
import * as Seed from "@argo-ams/emulator/Seed"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { AmsError } from "../../src/AmsError.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Message from "../../src/Message.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"

const as = (token: string) => <A, E>(effect: Effect.Effect<A, E, AmsHttp.AmsHttp>) =>
  Effect.provide(
    effect,
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(token), project: "demo" })
  )
const admin = as(Seed.projectAdminToken)
const consumer = as(Seed.consumerToken)
const publisher = as(Seed.publisherToken)

const pushWorkerToken = "push-worker-token"
const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  users: [...(Seed.defaultSeed.users ?? []), {
    name: "push-worker",
    token: pushWorkerToken,
    service_roles: ["push_worker"]
  }],
  topics: [{ project: "demo", name: "t" }]
}

const onEmulator = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>, config?: Emulator.Config) =>
  Effect.provide(effect, Layer.orDie(AmsEmulator.layer(seed, config === undefined ? {} : { config })))

const serviceError = (error: AmsError) => {
  assert.strictEqual(error._tag, "AmsServiceError")
  return error._tag === "AmsServiceError" ? [error.status, error.message] : []
}

const publish = (...data: Array<string>) => admin(Topic.publish("t", data.map((d) => ({ data: d }))))

describe("Subscription on the emulator", () => {
  it.effect("create, get, exists, list, stream, remove", () =>
    onEmulator(Effect.gen(function*() {
      const created = yield* admin(Subscription.create("s1", { topic: "t" }))
      expect(created).toMatchObject({
        name: "s1",
        fullName: "/projects/demo/subscriptions/s1",
        project: "demo",
        topic: "t",
        topicFullName: "/projects/demo/topics/t",
        ackDeadlineSeconds: 10,
        pushConfig: undefined
      })
      assert.instanceOf(created.createdOn, Date)
      expect(yield* admin(Subscription.get("s1"))).toEqual(created)
      const custom = yield* admin(
        Subscription.create("s2", { topic: "/projects/demo/topics/t", ackDeadlineSeconds: 42 })
      )
      expect(custom.ackDeadlineSeconds).toBe(42)
      yield* admin(Subscription.create("s3", { topic: "projects/demo/topics/t" }))
      expect((yield* admin(Subscription.list())).map((s) => s.name)).toEqual(["s3", "s2", "s1"])
      const page = yield* admin(Subscription.listPage({ pageSize: 2 }))
      expect(page.subscriptions.map((s) => s.name)).toEqual(["s3", "s2"])
      expect(page.totalSize).toBe(3)
      assert.isDefined(page.nextPageToken)
      const all = yield* admin(Subscription.stream({ pageSize: 1 }).pipe(Stream.map((s) => s.name), Stream.runCollect))
      expect(Chunk.toReadonlyArray(all)).toEqual(["s3", "s2", "s1"])
      expect(yield* admin(Subscription.exists("s2"))).toBe(true)
      yield* admin(Subscription.remove("s2"))
      expect(yield* admin(Subscription.exists("s2"))).toBe(false)
    })))

  it.effect("401, 403, 404, 409 from the emulator; getOrCreate", () =>
    onEmulator(Effect.gen(function*() {
      expect(serviceError(yield* as("bogus")(Subscription.get("s")).pipe(Effect.flip))).toEqual([401, "Unauthorized"])
      expect(serviceError(yield* consumer(Subscription.create("s", { topic: "t" })).pipe(Effect.flip))[0]).toBe(403)
      expect(serviceError(yield* admin(Subscription.get("s")).pipe(Effect.flip))).toEqual([
        404,
        "Subscription doesn't exist"
      ])
      expect(serviceError(yield* admin(Subscription.create("s", { topic: "nope" })).pipe(Effect.flip))).toEqual([
        404,
        "Topic doesn't exist"
      ])
      yield* admin(Subscription.create("s", { topic: "t" }))
      expect(serviceError(yield* admin(Subscription.create("s", { topic: "t" })).pipe(Effect.flip))).toEqual([
        409,
        "Subscription already exists"
      ])
      expect(serviceError(yield* admin(Subscription.remove("nope")).pipe(Effect.flip))[0]).toBe(404)
      const existing = yield* admin(Subscription.getOrCreate("s", { topic: "t", ackDeadlineSeconds: 99 }))
      expect(existing.ackDeadlineSeconds).toBe(10)
      const fresh = yield* admin(Subscription.getOrCreate("s9", { topic: "t" }))
      expect(fresh.name).toBe("s9")
    })))

  it.effect("pull does not lease: the same messages until acked; ack is cumulative and single-shot", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Subscription.create("s", { topic: "t" }))
      expect(yield* admin(Subscription.pull("s"))).toEqual([])
      yield* publish("m0", "m1", "m2")
      const first = yield* admin(Subscription.pull("s", { maxMessages: 2 }))
      expect(first.map((r) => Message.text(r))).toEqual(["m0", "m1"])
      expect(first.map((r) => r.ackId)).toEqual(["projects/demo/subscriptions/s:0", "projects/demo/subscriptions/s:1"])
      const again = yield* admin(Subscription.pull("s", { maxMessages: 2 }))
      expect(again.map((r) => r.message.messageId)).toEqual(["0", "1"])
      yield* admin(Subscription.acknowledge("s", [again[1]!.ackId]))
      const second = yield* admin(Subscription.acknowledge("s", [again[1]!.ackId])).pipe(Effect.flip)
      expect(serviceError(second)).toEqual([500, "no ack pending"])
      // returnImmediately false waits for maxMessages (up to the emulator's 300 s), then answers with what it has.
      const waiting = yield* admin(Subscription.pull("s", { maxMessages: 10, returnImmediately: false })).pipe(
        Effect.fork
      )
      yield* TestClock.adjust("300 seconds")
      const rest = yield* Fiber.join(waiting)
      expect(rest.map((r) => Message.text(r))).toEqual(["m2"])
      const wrong = yield* admin(Subscription.acknowledge("s", ["projects/demo/subscriptions/s:0"])).pipe(Effect.flip)
      expect(serviceError(wrong)).toEqual([500, "wrong ack"])
      const noSub = yield* admin(Subscription.acknowledge("nope", ["projects/demo/subscriptions/nope:0"])).pipe(
        Effect.flip
      )
      expect(serviceError(noSub)[0]).toBe(404)
      expect(serviceError(yield* admin(Subscription.pull("nope")).pipe(Effect.flip))[0]).toBe(404)
    })))

  it.effect("a late ack is a 408 from the service; pullAndAck pulls again and acks", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Subscription.create("s", { topic: "t", ackDeadlineSeconds: 2 }))
      yield* publish("m0")
      const pulled = yield* admin(Subscription.pull("s"))
      yield* TestClock.adjust("5 seconds")
      const late = yield* admin(Subscription.acknowledge("s", pulled.map((r) => r.ackId))).pipe(Effect.flip)
      assert.strictEqual(late._tag, "AmsTimeoutError")
      if (late._tag === "AmsTimeoutError") expect([late.status, late.source]).toEqual([408, "service"])
      const messages = yield* admin(Subscription.pullAndAck("s", { maxMessages: 5 }))
      expect(messages.map((m) => Message.text(m))).toEqual(["m0"])
      expect(yield* admin(Subscription.pullAndAck("s"))).toEqual([])
      expect((yield* admin(Subscription.offsets("s"))).current).toBe(1)
    })))

  it.effect("consumers need the ACL to pull; acks are not ACL-checked", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Subscription.create("s", { topic: "t" }))
      yield* publish("m0")
      expect(serviceError(yield* consumer(Subscription.pull("s")).pipe(Effect.flip))[0]).toBe(403)
      expect(yield* admin(Subscription.acl("s"))).toEqual([])
      yield* admin(Subscription.modifyAcl("s", [Seed.consumerUser]))
      expect(yield* admin(Subscription.acl("s"))).toEqual([Seed.consumerUser])
      const messages = yield* consumer(Subscription.pullAndAck("s"))
      expect(messages).toHaveLength(1)
      expect(serviceError(yield* admin(Subscription.modifyAcl("s", ["ghost"])).pipe(Effect.flip))[0]).toBe(404)
      expect(serviceError(yield* publisher(Subscription.acl("s")).pipe(Effect.flip))[0]).toBe(403)
    })))

  it.effect("offsets, modifyOffset (replay), timeToOffset", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Subscription.create("s", { topic: "t" }))
      yield* publish("m0", "m1")
      yield* TestClock.adjust("1 minute")
      yield* publish("m2")
      expect(yield* admin(Subscription.offsets("s"))).toEqual({ min: 0, max: 3, current: 0 })
      yield* admin(Subscription.pullAndAck("s", { maxMessages: 3 }))
      expect((yield* admin(Subscription.offsets("s"))).current).toBe(3)
      yield* admin(Subscription.modifyOffset("s", 1))
      expect((yield* admin(Subscription.pull("s"))).map((r) => Message.text(r))).toEqual(["m1"])
      const out = yield* admin(Subscription.modifyOffset("s", 50)).pipe(Effect.flip)
      expect(serviceError(out)).toEqual([400, "Offset out of bounds"])
      expect(yield* admin(Subscription.timeToOffset("s", new Date(0)))).toBe(0)
      expect(yield* admin(Subscription.timeToOffset("s", new Date(30_000)))).toBe(2)
      const future = yield* admin(Subscription.timeToOffset("s", new Date(3_600_000))).pipe(Effect.flip)
      expect(serviceError(future)[0]).toBe(409)
    })))

  it.effect("modifyAckDeadline applies to the next ack", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Subscription.create("s", { topic: "t" }))
      yield* admin(Subscription.modifyAckDeadline("s", 600))
      expect((yield* admin(Subscription.get("s"))).ackDeadlineSeconds).toBe(600)
      yield* publish("m0")
      const pulled = yield* admin(Subscription.pull("s"))
      yield* TestClock.adjust("100 seconds")
      yield* admin(Subscription.acknowledge("s", pulled.map((r) => r.ackId)))
      expect(serviceError(yield* admin(Subscription.modifyAckDeadline("nope", 5)).pipe(Effect.flip))[0]).toBe(404)
    })))

  it.effect("metrics count what was consumed", () =>
    onEmulator(Effect.gen(function*() {
      yield* admin(Subscription.create("s", { topic: "t" }))
      yield* publish("m0", "m1")
      yield* admin(Subscription.pullAndAck("s", { maxMessages: 2 }))
      const metrics = yield* admin(Subscription.metrics("s"))
      const consumed = metrics.find((m) => m.metric === "subscription.number_of_messages")
      expect(consumed?.timeseries[0]?.value).toBe(2)
      expect(serviceError(yield* admin(Subscription.metrics("nope")).pipe(Effect.flip))[0]).toBe(404)
    })))

  it.effect("push off on the server: 409 Push functionality is currently disabled", () =>
    onEmulator(Effect.gen(function*() {
      const error = yield* admin(Subscription.create("p", {
        topic: "t",
        pushConfig: { pushEndpoint: "https://127.0.0.1:9/push" }
      })).pipe(Effect.flip)
      expect(serviceError(error)).toEqual([409, "Push functionality is currently disabled"])
      yield* admin(Subscription.create("s", { topic: "t" }))
      yield* admin(Subscription.modifyPushConfig("s", null))
      expect((yield* admin(Subscription.get("s"))).pushConfig).toBeUndefined()
    })))

  it.effect("push on: create with an endpoint, change it, verify it, turn it off", () =>
    Effect.gen(function*() {
      const hash = yield* Ref.make("")
      yield* onEmulator(
        Effect.gen(function*() {
          const sub = yield* admin(Subscription.create("p", {
            topic: "t",
            pushConfig: {
              pushEndpoint: "https://127.0.0.1:9443/push",
              retryPolicy: { type: "linear", period: "5 seconds" }
            }
          }))
          const push = sub.pushConfig
          assert.isDefined(push)
          if (push === undefined) return
          expect(push.type).toBe("http_endpoint")
          expect(push.pushEndpoint).toBe("https://127.0.0.1:9443/push")
          expect(push.maxMessages).toBe(1)
          expect(push.authorizationHeader.type).toBe("autogen")
          assert.isTrue(Redacted.isRedacted(push.authorizationHeader.value))
          expect(push.retryPolicy).toEqual({ type: "linear", period: 5000 })
          expect(push.verified).toBe(false)
          expect(push.verificationHash).toMatch(/^[0-9a-f]{64}$/)

          const wrong = yield* admin(Subscription.verifyPushEndpoint("p")).pipe(Effect.flip)
          expect(serviceError(wrong)).toEqual([401, "Endpoint verification failed.Wrong verification hash"])
          yield* Ref.set(hash, push.verificationHash)
          yield* admin(Subscription.verifyPushEndpoint("p"))
          expect((yield* admin(Subscription.get("p"))).pushConfig?.verified).toBe(true)
          const twice = yield* admin(Subscription.verifyPushEndpoint("p")).pipe(Effect.flip)
          expect(serviceError(twice)).toEqual([409, "Push endpoint is already verified"])

          yield* admin(Subscription.modifyPushConfig("p", {
            pushEndpoint: "https://127.0.0.1:9443/other",
            maxMessages: 5,
            authorizationHeader: "disabled",
            retryPolicy: { type: "slowstart" }
          }))
          const changed = (yield* admin(Subscription.get("p"))).pushConfig
          expect(changed?.pushEndpoint).toBe("https://127.0.0.1:9443/other")
          expect(changed?.maxMessages).toBe(5)
          expect(changed?.authorizationHeader).toEqual({ type: "disabled", value: undefined })
          expect(changed?.retryPolicy.type).toBe("slowstart")
          expect(changed?.verified).toBe(false)

          yield* admin(Subscription.modifyPushConfig("p", {
            type: "mattermost",
            mattermostUrl: "https://mm.example.org/hooks/x",
            mattermostChannel: "alerts"
          }))
          const mm = (yield* admin(Subscription.get("p"))).pushConfig
          expect([mm?.type, mm?.mattermostUrl, mm?.mattermostChannel, mm?.verified]).toEqual([
            "mattermost",
            "https://mm.example.org/hooks/x",
            "alerts",
            true
          ])

          yield* admin(Subscription.modifyPushConfig("p", null))
          expect((yield* admin(Subscription.get("p"))).pushConfig).toBeUndefined()
          const pull = yield* admin(Subscription.verifyPushEndpoint("p")).pipe(Effect.flip)
          expect(serviceError(pull)).toEqual([409, "Subscription is not in http push mode"])
        }),
        {
          pushEnabled: true,
          pushWorkerToken,
          verifyPushEndpoint: () => Effect.map(Ref.get(hash), (body) => ({ status: 200, body }))
        }
      )
    }))
})
