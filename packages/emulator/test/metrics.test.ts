// `topics:metrics` and `subscriptions:metrics`: counters after publish/pull, daily series, ACL rules.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { defaultSeed } from "../src/Seed.js"
import { client, consumer, errorBody, projectAdmin, publisher, sub, topic } from "./helpers.js"

interface Metrics {
  readonly metrics: ReadonlyArray<{
    readonly metric: string
    readonly resource_name: string
    readonly timeseries: ReadonlyArray<{ readonly timestamp: string; readonly value: number }>
  }>
}

const seed = {
  ...defaultSeed,
  topics: [{ project: "demo", name: "t1", acl: ["publisher"] }, { project: "demo", name: "t2" }],
  subscriptions: [{ project: "demo", name: "s1", topic: "t1", acl: ["consumer"] }, {
    project: "demo",
    name: "s2",
    topic: "t1"
  }]
}

describe("topics:metrics", () => {
  it.effect("counts subscriptions, messages, bytes and daily messages", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      yield* TestClock.setTime(Date.UTC(2024, 0, 1, 10))
      yield* c.ok("POST", topic("t1", ":publish"), publisher, { messages: [{ data: "YWJj" }, { data: "eA==" }] })
      yield* TestClock.setTime(Date.UTC(2024, 0, 2, 10))
      yield* c.ok("POST", topic("t1", ":publish"), publisher, { messages: [{ data: "eA==" }] })
      const m = (yield* c.ok("GET", topic("t1", ":metrics"), publisher)) as Metrics
      assert.deepStrictEqual(m.metrics.map((x) => x.metric), [
        "topic.number_of_subscriptions",
        "topic.number_of_messages",
        "topic.number_of_bytes",
        "topic.number_of_daily_messages",
        "topic.publishing_rate"
      ])
      assert.deepStrictEqual(m.metrics.map((x) => x.timeseries[0]!.value).slice(0, 3), [2, 3, 12])
      assert.deepStrictEqual(m.metrics[3]!.timeseries, [
        { timestamp: "2024-01-02", value: 1 },
        { timestamp: "2024-01-01", value: 2 }
      ])
      assert.strictEqual(m.metrics[4]!.timeseries[0]!.timestamp, "2024-01-02T10:00:00Z")
    }))

  it.effect("publishers outside the ACL are forbidden; missing topics are 404", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      assert.strictEqual((yield* c.call("GET", topic("t2", ":metrics"), publisher)).status, 403)
      const missing = yield* c.call("GET", topic("nope", ":metrics"), projectAdmin)
      assert.strictEqual(missing.body, errorBody(404, "Topic doesn't exist", "NOT_FOUND"))
    }))
})

describe("subscriptions:metrics", () => {
  it.effect("counts consumed messages and bytes; consumers need the ACL", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      const never = (yield* c.ok("GET", sub("s1", ":metrics"), consumer)) as Metrics
      assert.strictEqual(never.metrics[2]!.timeseries[0]!.timestamp, "0001-01-01T00:00:00Z")
      yield* c.ok("POST", topic("t1", ":publish"), publisher, { messages: [{ data: "YWJj" }] })
      yield* c.ok("POST", sub("s1", ":pull"), consumer, { maxMessages: "5" })
      const m = (yield* c.ok("GET", sub("s1", ":metrics"), consumer)) as Metrics
      assert.deepStrictEqual(m.metrics.map((x) => [x.metric, x.timeseries[0]!.value]), [
        ["subscription.number_of_messages", 1],
        ["subscription.number_of_bytes", 4],
        ["subscription.consumption_rate", 1]
      ])
      assert.strictEqual((yield* c.call("GET", sub("s2", ":metrics"), consumer)).status, 403)
    }))
})
