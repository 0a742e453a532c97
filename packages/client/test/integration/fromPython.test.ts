/**
 * The code of `docs/migrating-from-python.md` (`examples/from-python.ts`) run against the emulator:
 * what the guide promises each snippet does, it does. Retries run on the `TestClock`.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Faults from "@argo-ams/emulator/Faults"
import * as Seed from "@argo-ams/emulator/Seed"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as FromPython from "../../examples/from-python.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import type * as Message from "../../src/Message.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"
import * as Clock from "../utils/clock.js"

const project = Seed.demoProject
const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  topics: [{ project, name: "t" }],
  subscriptions: [{ project, name: "s", topic: "t" }]
}

const admin = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(
    effect,
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(Seed.projectAdminToken), project })
  )

const onEmulator =
  (faults: Faults.Plan = []) => <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient | AmsEmulator.AmsEmulator>) =>
    Effect.provide(effect, Layer.orDie(AmsEmulator.layerWith({ seed, faults })))

const texts = (messages: ReadonlyArray<Message.Message>) => messages.map((m) => new TextDecoder().decode(m.data))

describe("the migration guide's code, on the emulator", () => {
  it.effect("publish.py and consume-pull.py: ids as an array, pulled messages as objects, each once", () =>
    onEmulator()(admin(Effect.gen(function*() {
      // The subscription is created first: it starts at the topic's end.
      expect(yield* FromPython.consume("new-sub", "new-topic", 3).pipe(Effect.flip)).toMatchObject({
        _tag: "AmsServiceError",
        status: 404,
        statusText: "NOT_FOUND"
      })
      yield* Topic.create("new-topic")
      expect(yield* FromPython.consume("new-sub", "new-topic", 3)).toEqual([])
      expect(yield* FromPython.publish("new-topic")).toEqual(["0", "1", "2"])
      expect(yield* FromPython.consume("new-sub", "new-topic", 3)).toEqual([
        "msgid=0, data=foo1, attr={\"bar1\":\"baz1\"}",
        "msgid=1, data=foo2, attr={\"bar2\":\"baz2\"}",
        "msgid=2, data=foo3, attr={\"bar3\":\"baz3\"}"
      ])
      // Acknowledged: nothing comes again.
      expect(yield* FromPython.consume("new-sub", "new-topic", 3)).toEqual([])
    }))))

  it.effect("retry.py: balancer pages on publish, pull and ack are retried; nothing lost or duplicated", () =>
    onEmulator([
      ...Faults.on({ path: "*:publish", times: 1 }, Faults.balancer(502)),
      ...Faults.on({ path: "*:pull", times: 1 }, Faults.balancer(503)),
      ...Faults.on({ path: "*:acknowledge", times: 1 }, Faults.balancer(504))
    ])(admin(Effect.gen(function*() {
      const pulledAndAcked = yield* Clock.driven(FromPython.withRetries("t", "s"))
      // The first pull took "foo1" (acked after one retry); pullAndAck then got "foo2".
      expect(texts(pulledAndAcked)).toEqual(["foo2"])
      // Two messages stored, once each, both consumed.
      expect(yield* Subscription.offsets("s")).toEqual({ min: 0, max: 2, current: 2 })
      const stats = yield* Effect.flatMap(AmsEmulator.AmsEmulator, (emulator) => emulator.faults.stats)
      expect(stats.byRule).toEqual([1, 1, 1])
    }))))

  it.effect("consumeForever hands each message over once, pulling every 5 seconds", () =>
    onEmulator()(admin(Effect.gen(function*() {
      const handled = yield* Ref.make<ReadonlyArray<string>>([])
      const fiber = yield* Effect.fork(
        FromPython.consumeForever(
          "s",
          (message) => Ref.update(handled, (all) => [...all, new TextDecoder().decode(message.data)])
        )
      )
      yield* Clock.advance(1)
      yield* Topic.publish("t", [{ data: "a" }, { data: "b" }])
      yield* Clock.advance(5)
      yield* Topic.publish("t", { data: "c" })
      yield* Clock.advance(10)
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(handled)).toEqual(["a", "b", "c"])
    }))))

  it.effect("errors: a missing topic is a value with status and statusText; findTopic is an Option", () =>
    onEmulator()(admin(Effect.gen(function*() {
      expect(yield* FromPython.describeTopic("t")).toMatch(/^t created \d{4}-/)
      expect(yield* FromPython.describeTopic("nope")).toBe("no topic nope: 404 NOT_FOUND Topic doesn't exist")
      expect(Option.map(yield* FromPython.findTopic("t"), (topic) => topic.name)).toEqual(Option.some("t"))
      expect(yield* FromPython.findTopic("nope")).toEqual(Option.none())
    }))))

  it.effect("errors: a balancer page and a dropped connection are handled by their tags", () =>
    onEmulator([
      ...Faults.on({ path: "*/topics/t", times: 1 }, Faults.balancer(502)),
      ...Faults.on({ path: "*/topics/t", times: 1 }, Faults.drop())
    ])(admin(Effect.gen(function*() {
      expect(yield* FromPython.describeTopic("t")).toBe("the balancer answered 502; try again later")
      expect(yield* FromPython.describeTopic("t")).toBe("AMS cannot be reached (Transport)")
    }))))

  it.effect("bound objects: the same code with names, and the small helper", () =>
    onEmulator()(admin(Effect.gen(function*() {
      expect(yield* FromPython.boundObjects).toEqual(["disk full"])
      const sub = FromPython.subscription("alerts-sub")
      yield* Topic.publish("alerts", [{ data: "x" }, { data: "y" }])
      const received = yield* sub.pull({ maxMessages: 10 })
      expect(received.map((r) => r.message.messageId)).toEqual(["1", "2"])
      yield* sub.ack(received.map((r) => r.ackId))
      expect(yield* sub.offsets()).toEqual({ min: 0, max: 3, current: 3 })
      expect(yield* FromPython.subscriptionsOf("alerts")).toEqual(["alerts-sub"])
    }))))

  it.effect("offsets, ACLs, bytes encoded once, another project", () =>
    onEmulator()(admin(Effect.gen(function*() {
      yield* Topic.publish("t", [{ data: "a" }, { data: "b" }])
      expect(yield* FromPython.offsets("s")).toEqual({ max: 2, all: { min: 0, max: 2, current: 0 }, current: 0 })
      expect(yield* FromPython.acl("t")).toEqual([Seed.consumerUser])

      const raw = new Uint8Array([0, 1, 2, 250, 255])
      yield* FromPython.publishBytes("t", raw)
      yield* Subscription.modifyOffset("s", 2)
      const [received] = yield* Subscription.pull("s")
      assert.isDefined(received)
      expect([...received.message.data]).toEqual([...raw])
      expect(received.message.rawData).toBe(Buffer.from(raw).toString("base64"))

      const other = yield* Effect.flip(FromPython.otherProject)
      expect(other).toMatchObject({ _tag: "AmsServiceError", status: 404 })
    }))))
})
