import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
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
      // The HTTP client's own span sits below it, with the x-api-key header redacted.
      expect(spans.length).toBeGreaterThan(1)
      expect(Spans.attributeValues(spans).filter((value) => value.includes(Recorder.defaults.token))).toEqual([])
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
