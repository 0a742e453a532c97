/**
 * What a Python user reaches for and finds: subscriptions of one topic (`iter_subs(topic)`) and a
 * single offset (`getoffsets_sub(sub, "max")`), on the emulator through the real `AmsHttp` layer.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Seed from "@argo-ams/emulator/Seed"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Subscription from "../../src/Subscription.js"
import * as Spans from "../utils/spans.js"

const as = (token: string) => <A, E>(effect: Effect.Effect<A, E, AmsHttp.AmsHttp>) =>
  Effect.provide(
    effect,
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(token), project: Seed.demoProject })
  )
const admin = as(Seed.projectAdminToken)
const consumer = as(Seed.consumerToken)

const project = Seed.demoProject
const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  topics: [
    { project, name: "alerts", messages: [{ data: "YQ==" }, { data: "Yg==" }, { data: "Yw==" }] },
    { project, name: "metrics" }
  ],
  // Creation order; listings are newest first.
  subscriptions: [
    { project, name: "alerts-1", topic: "alerts", offset: 0, acl: [Seed.consumerUser] },
    { project, name: "metrics-1", topic: "metrics" },
    { project, name: "alerts-2", topic: "alerts" },
    { project, name: "metrics-2", topic: "metrics", acl: [Seed.consumerUser] },
    { project, name: "alerts-3", topic: "alerts", offset: 1 }
  ]
}

const onEmulator = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) =>
  Effect.provide(effect, Layer.orDie(AmsEmulator.layer(seed)))

const names = (subs: ReadonlyArray<Subscription.Subscription>) => subs.map((sub) => sub.name)

describe("Python parity on the emulator", () => {
  it.effect("listByTopic: the topic's subscriptions only, by short or full name; an unknown topic has none", () =>
    onEmulator(Effect.gen(function*() {
      expect(names(yield* admin(Subscription.listByTopic("alerts")))).toEqual(["alerts-3", "alerts-2", "alerts-1"])
      expect(names(yield* admin(Subscription.listByTopic("projects/demo/topics/metrics")))).toEqual([
        "metrics-2",
        "metrics-1"
      ])
      expect(yield* admin(Subscription.listByTopic("nothing-here"))).toEqual([])
      // Another project's topic of the same name is another topic.
      expect(yield* admin(Subscription.listByTopic("/projects/other/topics/alerts"))).toEqual([])
      // A consumer sees the subscriptions whose ACL holds it.
      expect(names(yield* consumer(Subscription.listByTopic("alerts")))).toEqual(["alerts-1"])
    })))

  it.effect("streamByTopic: the same, page by page, across pages that hold none of them", () =>
    onEmulator(Effect.gen(function*() {
      const streamed = yield* admin(
        Subscription.streamByTopic("metrics", { pageSize: 1 }).pipe(Stream.map((sub) => sub.name), Stream.runCollect)
      )
      expect(Chunk.toReadonlyArray(streamed)).toEqual(["metrics-2", "metrics-1"])
      const all = yield* admin(Subscription.streamByTopic("alerts", { pageSize: 2 }).pipe(Stream.runCollect))
      expect(names(Chunk.toReadonlyArray(all))).toEqual(["alerts-3", "alerts-2", "alerts-1"])
    })))

  it.effect("a topic reference that is neither a name nor projects/P/topics/T fails before any request", () =>
    onEmulator(Effect.gen(function*() {
      const listed = yield* admin(Effect.flip(Subscription.listByTopic("no spaces")))
      const streamed = yield* admin(Effect.flip(Stream.runCollect(Subscription.streamByTopic("no spaces"))))
      for (const error of [listed, streamed]) {
        assert.strictEqual(error._tag, "AmsArgumentError")
        expect(error._tag === "AmsArgumentError" && error.argument).toBe("topic")
      }
    })))

  it.effect("listByTopic runs in its own span, around the listing's", () =>
    onEmulator(Effect.gen(function*() {
      const { spans } = yield* Spans.recording(admin(Subscription.listByTopic("alerts")))
      const outer = spans.find((span) => span.name === "ams.subscription.listByTopic")
      const inner = spans.find((span) => span.name === "ams.subscription.list")
      assert.isDefined(outer)
      assert.isDefined(inner)
      expect(outer.attributes.get("ams.project")).toBe(project)
      expect(inner.parent._tag === "Some" && inner.parent.value.spanId).toBe(outer.spanId)
    })))

  it.effect("offset reads one position of offsets", () =>
    onEmulator(Effect.gen(function*() {
      const read = (name: string) =>
        Effect.all({
          min: Subscription.offset(name, "min"),
          max: Subscription.offset(name, "max"),
          current: Subscription.offset(name, "current")
        })
      expect(yield* admin(read("alerts-1"))).toEqual({ min: 0, max: 3, current: 0 })
      expect(yield* admin(read("alerts-3"))).toEqual(yield* admin(Subscription.offsets("alerts-3")))
      expect(yield* admin(Subscription.offset("alerts-3", "current"))).toBe(1)
      const missing = yield* admin(Effect.flip(Subscription.offset("nobody", "max")))
      assert.strictEqual(missing._tag, "AmsServiceError")
      expect(missing._tag === "AmsServiceError" && missing.status).toBe(404)
    })))

  it.effect("an offset position other than min, max or current fails before any request", () =>
    onEmulator(Effect.gen(function*() {
      // What JavaScript (or a Python habit, `offset='all'`) can pass despite the types.
      const position: string = "all"
      const error = yield* admin(Effect.flip(Subscription.offset("alerts-1", position as Subscription.OffsetPosition)))
      assert.strictEqual(error._tag, "AmsArgumentError")
      expect(error._tag === "AmsArgumentError" && error.argument).toBe("position")
      expect(error.message).toContain("\"all\"")
    })))
})
