// Metrics routes: topic/subscription/project metrics from the engine's counters, VA and usage reports.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as H from "./helpers.js"

type Json = Record<string, unknown>
type Metric = { metric: string; resource_name: string; timeseries: Array<{ timestamp: string; value: number }> }

const day = 24 * 3600 * 1000
const june1 = Date.UTC(2022, 5, 1, 12)

const publish = (c: H.Client, topic: string, count: number) =>
  c.ok("POST", H.topic(topic, ":publish"), H.admin, {
    messages: Array.from({ length: count }, () => ({ data: H.b64("abcd") }))
  })

describe("metrics routes", () => {
  it.effect("topic, subscription and project metrics with daily series newest first", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(june1)
      const c = yield* H.client()
      yield* c.ok("PUT", H.topic("t1"), H.admin)
      yield* c.ok("PUT", H.sub("s1"), H.admin, { topic: "projects/demo/topics/t1" })
      yield* c.ok("POST", H.topic("t1", ":modifyAcl"), H.admin, { authorized_users: ["publisher"] })
      yield* publish(c, "t1", 2)
      yield* TestClock.adjust(day)
      yield* publish(c, "t1", 3)
      const topic = (yield* c.ok("GET", H.topic("t1", ":metrics"), H.publisher)) as { metrics: Array<Metric> }
      assert.deepStrictEqual(topic.metrics.map((m) => m.metric), [
        "topic.number_of_subscriptions",
        "topic.number_of_messages",
        "topic.number_of_bytes",
        "topic.number_of_daily_messages",
        "topic.publishing_rate"
      ])
      assert.strictEqual(topic.metrics[0]!.timeseries[0]!.value, 1)
      assert.strictEqual(topic.metrics[1]!.timeseries[0]!.value, 5)
      assert.strictEqual(topic.metrics[2]!.timeseries[0]!.value, 40)
      assert.deepStrictEqual(topic.metrics[3]!.timeseries, [
        { timestamp: "2022-06-02", value: 3 },
        { timestamp: "2022-06-01", value: 2 }
      ])
      assert.strictEqual(topic.metrics[4]!.timeseries[0]!.timestamp, "2022-06-02T12:00:00Z")
      const forbidden = yield* c.call("GET", H.topic("nope", ":metrics"), H.publisher)
      assert.strictEqual(forbidden.status, 403)
      const missing = yield* c.call("GET", H.topic("nope", ":metrics"), H.projectAdmin)
      assert.strictEqual(missing.body, H.errorBody(404, "Topic doesn't exist", "NOT_FOUND"))
      yield* c.ok("POST", H.sub("s1", ":modifyOffset"), H.admin, { offset: 0 })
      yield* c.ok("POST", H.sub("s1", ":pull"), H.admin, { maxMessages: "4" })
      const sub = (yield* c.ok("GET", H.sub("s1", ":metrics"), H.projectAdmin)) as { metrics: Array<Metric> }
      assert.deepStrictEqual(sub.metrics.map((m) => [m.metric, m.timeseries[0]!.value]).slice(0, 2), [
        ["subscription.number_of_messages", 4],
        ["subscription.number_of_bytes", 32]
      ])
      assert.strictEqual((yield* c.call("GET", H.sub("s1", ":metrics"), H.consumer)).status, 403)
      const project = (yield* c.ok("GET", "/v1/projects/demo:metrics", H.projectAdmin)) as { metrics: Array<Metric> }
      assert.deepStrictEqual(project.metrics.map((m) => `${m.metric}:${m.resource_name}`), [
        "project.number_of_topics:demo",
        "project.number_of_subscriptions:demo",
        "project.user.number_of_topics:demo.publisher",
        "project.number_of_daily_messages:demo"
      ])
      assert.deepStrictEqual(project.metrics[3]!.timeseries.map((p) => p.value), [3, 2])
    }))

  it.effect("operational metrics: cpu and memory for one node; project users get 401", () =>
    Effect.gen(function*() {
      const c = yield* H.client(undefined, { proxyHostname: "node1" })
      const ops = (yield* c.ok("GET", "/v1/metrics", H.admin)) as { metrics: Array<Metric & Json> }
      assert.deepStrictEqual(ops.metrics.map((m) => [m.metric, m.resource_name, m["metric_type"]]), [
        ["ams_node.cpu_usage", "node1", "percentage"],
        ["ams_node.memory_usage", "node1", "percentage"]
      ])
      assert.strictEqual((yield* c.call("GET", "/v1/metrics", H.projectAdmin)).status, 401)
    }))

  it.effect("VA metrics: arithmetic, date validation, unknown project", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(june1)
      const c = yield* H.client()
      yield* c.ok("PUT", H.topic("t1"), H.admin)
      yield* publish(c, "t1", 10)
      yield* TestClock.adjust(2 * day)
      yield* publish(c, "t1", 1)
      const report = (yield* c.ok(
        "GET",
        "/v1/metrics/va_metrics?start_date=2022-06-01&end_date=2022-06-03",
        H.admin
      )) as Json
      assert.deepStrictEqual(report, {
        projects_metrics: {
          projects: [{
            project: "demo",
            message_count: 11,
            average_daily_messages: 3.67,
            topics_count: 1,
            subscriptions_count: 0,
            users_count: 3
          }],
          total_message_count: 11,
          average_daily_messages: 3.67
        },
        total_users_count: 3,
        total_topics_count: 1,
        total_subscriptions_count: 0
      })
      const empty =
        (yield* c.ok("GET", "/v1/metrics/va_metrics?start_date=2021-01-01&end_date=2021-01-02", H.admin)) as {
          projects_metrics: { projects: Array<unknown> }
        }
      assert.deepStrictEqual(empty.projects_metrics.projects, [])
      const errors: Array<[string, number, string, string]> = [
        ["start_date=2022-13-01", 400, "Start date is not in valid format", "INVALID_ARGUMENT"],
        ["end_date=06-01-2022", 400, "End date is not in valid format", "INVALID_ARGUMENT"],
        [
          "start_date=2022-06-03&end_date=2022-06-01",
          400,
          "Start date cannot be after the end date",
          "INVALID_ARGUMENT"
        ],
        ["projects=demo,ghost", 404, "Project ghost doesn't exist", "NOT_FOUND"]
      ]
      for (const [query, code, message, status] of errors) {
        assert.strictEqual(
          (yield* c.call("GET", `/v1/metrics/va_metrics?${query}`, H.admin)).body,
          H.errorBody(code, message, status)
        )
      }
    }))

  it.effect("usage report: open, token required, only administered projects", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(june1)
      const c = yield* H.client()
      yield* c.ok("PUT", H.topic("t1"), H.admin)
      yield* publish(c, "t1", 4)
      assert.strictEqual((yield* c.call("GET", "/v1/users/usageReport")).status, 401)
      const mine =
        (yield* c.ok("GET", "/v1/users/usageReport?start_date=2022-06-01&end_date=2022-06-01", H.projectAdmin)) as {
          va_metrics: { projects_metrics: { total_message_count: number } }
          operational_metrics: { metrics: Array<unknown> }
        }
      assert.strictEqual(mine.va_metrics.projects_metrics.total_message_count, 4)
      assert.strictEqual(mine.operational_metrics.metrics.length, 2)
      const zero = yield* c.ok("GET", "/v1/users/usageReport", H.consumer)
      assert.deepStrictEqual(zero, {
        va_metrics: {
          projects_metrics: { projects: [], total_message_count: 0, average_daily_messages: 0 },
          total_users_count: 0,
          total_topics_count: 0,
          total_subscriptions_count: 0
        },
        operational_metrics: { metrics: [] }
      })
      const bad = yield* c.call("GET", "/v1/users/usageReport?start_date=x", H.consumer)
      assert.strictEqual(bad.body, H.errorBody(400, "Start date is not in valid format", "INVALID_ARGUMENT"))
    }))
})
