import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Service from "../src/Service.js"
import * as Recorder from "./utils/recorder.js"

// ams-api.md §4.8
const vaReport = {
  projects_metrics: {
    projects: [
      {
        project: "P1",
        message_count: 432148,
        average_daily_messages: 14404.94,
        topics_count: 1,
        subscriptions_count: 1,
        users_count: 2
      }
    ],
    total_message_count: 432148,
    average_daily_messages: 14404.94
  },
  total_users_count: 2,
  total_topics_count: 1,
  total_subscriptions_count: 1
}

const nodeMetrics = {
  metrics: [
    {
      metric: "ams_node.cpu_usage",
      metric_type: "percentage",
      value_type: "float64",
      resource_type: "ams_node",
      resource_name: "host1",
      timeseries: [{ timestamp: "2022-06-01T10:00:00Z", value: 1.5 }],
      description: "Percentage value that displays the CPU usage of ams service in the specific node"
    },
    {
      metric: "ams_node.memory_usage",
      metric_type: "percentage",
      value_type: "float64",
      resource_type: "ams_node",
      resource_name: "host1",
      timeseries: [{ timestamp: "2022-06-01T10:00:00Z", value: 0.2 }],
      description: "Percentage value that displays the Memory usage of ams service in the specific node"
    }
  ]
}

const amsError = (code: number, message: string, status: string) => ({
  status: code,
  json: { error: { code, message, status } }
})

describe("Service", () => {
  it.effect("health: GET /v1/status, push disabled", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { status: "ok", push_functionality: "disabled" } }])
      const health = yield* Service.health().pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("GET")
      expect(request.url).toBe("https://ams.test/v1/status")
      expect(request.query).toEqual({})
      expect(health.status).toBe("ok")
      expect(health.pushFunctionality).toBe("disabled")
      expect(health.pushServers).toEqual([])
    }))

  it.effect("health with details=true and push servers", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{
        json: { status: "ok", push_servers: [{ endpoint: "localhost:5555", status: "SERVING" }] }
      }])
      const health = yield* Service.health({ details: true }).pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).query).toEqual({ details: "true" })
      expect(health.pushServers.map((server) => [server.endpoint, server.status])).toEqual([[
        "localhost:5555",
        "SERVING"
      ]])
      expect(health.pushFunctionality).toBeUndefined()
    }))

  it.effect("health details: the inverted codes are service errors (403 unknown token, 401 no role)", () =>
    Effect.gen(function*() {
      for (
        const reply of [
          amsError(403, "Access to this resource is forbidden", "FORBIDDEN"),
          amsError(401, "Unauthorized", "UNAUTHORIZED")
        ]
      ) {
        const recorder = yield* Recorder.make([reply])
        const error = yield* Service.health({ details: true }).pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsServiceError")
        if (error._tag === "AmsServiceError") expect(error.status).toBe(reply.status)
      }
    }))

  it.effect("version: GET /v1/version", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{
        json: {
          build_time: "2022-08-01T08:15:59Z",
          golang: "go1.15",
          compiler: "gc",
          os: "linux",
          architecture: "amd64",
          release: "1.3.0",
          distro: "CentOS Linux release 7.9.2009 (Core)",
          hostname: "localhost"
        }
      }])
      const version = yield* Service.version().pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).path).toBe("/v1/version")
      expect(version.buildTime?.toISOString()).toBe("2022-08-01T08:15:59.000Z")
      expect(version.release).toBe("1.3.0")
      expect(version.golang).toBe("go1.15")
      expect(version.architecture).toBe("amd64")
      expect(version.distro).toBe("CentOS Linux release 7.9.2009 (Core)")
      expect(version.hostname).toBe("localhost")
    }))

  it.effect("version without release, and build_time Unknown", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{
        json: { build_time: "Unknown", golang: "go1.21", compiler: "gc", os: "linux", architecture: "amd64" }
      }])
      const version = yield* Service.version().pipe(Effect.provide(recorder.layer))
      expect(version.buildTime).toBeUndefined()
      expect(version.release).toBeUndefined()
    }))

  it.effect("metrics: GET /v1/metrics with the Metric model", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: nodeMetrics }])
      const metrics = yield* Service.metrics().pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).path).toBe("/v1/metrics")
      expect(metrics.map((metric) => [metric.metric, metric.resourceName, metric.timeseries[0]!.value])).toEqual([
        ["ams_node.cpu_usage", "host1", 1.5],
        ["ams_node.memory_usage", "host1", 0.2]
      ])
    }))

  it.effect("vaMetrics: GET /v1/metrics/va_metrics with YYYY-MM-DD dates and comma-joined projects", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: vaReport }])
      const report = yield* Service.vaMetrics({
        projects: ["P1", "P2"],
        startDate: new Date("2022-06-01T00:00:00Z"),
        endDate: new Date("2022-06-30T23:59:59.999Z")
      }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("GET")
      expect(request.path).toBe("/v1/metrics/va_metrics")
      expect(request.query).toEqual({ projects: "P1,P2", start_date: "2022-06-01", end_date: "2022-06-30" })
      expect(report.totalMessageCount).toBe(432148)
      expect(report.averageDailyMessages).toBe(14404.94)
      expect(report.totalUsersCount).toBe(2)
      expect(report.totalTopicsCount).toBe(1)
      expect(report.totalSubscriptionsCount).toBe(1)
      expect(report.projects.length).toBe(1)
      expect(report.projects[0]).toMatchObject({
        project: "P1",
        messageCount: 432148,
        averageDailyMessages: 14404.94,
        topicsCount: 1,
        subscriptionsCount: 1,
        usersCount: 2
      })
    }))

  it.effect("vaMetrics without options sends no query; the zero report decodes", () =>
    Effect.gen(function*() {
      const zero = {
        projects_metrics: { projects: [], total_message_count: 0, average_daily_messages: 0 },
        total_users_count: 0,
        total_topics_count: 0,
        total_subscriptions_count: 0
      }
      const recorder = yield* Recorder.make([{ json: zero }])
      const report = yield* Service.vaMetrics().pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).query).toEqual({})
      expect(report.projects).toEqual([])
      expect(report.totalMessageCount).toBe(0)
    }))

  it.effect("vaMetrics refuses an invalid Date and a project name with a comma, before any request", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: vaReport }])
      const badDate = yield* Service.vaMetrics({ startDate: new Date("nope") }).pipe(
        Effect.provide(recorder.layer),
        Effect.flip
      )
      assert.strictEqual(badDate._tag, "AmsArgumentError")
      const badProject = yield* Service.vaMetrics({ projects: ["P1", "a,b"] }).pipe(
        Effect.provide(recorder.layer),
        Effect.flip
      )
      assert.strictEqual(badProject._tag, "AmsArgumentError")
      expect(yield* recorder.requests).toEqual([])
    }))

  it.effect("usageReport: GET /v1/users/usageReport", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { va_metrics: vaReport, operational_metrics: nodeMetrics } }])
      const report = yield* Service.usageReport({
        startDate: new Date("2022-06-01T00:00:00Z"),
        endDate: new Date("2022-06-02T00:00:00Z"),
        projects: ["P1"]
      }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.path).toBe("/v1/users/usageReport")
      expect(request.query).toEqual({ projects: "P1", start_date: "2022-06-01", end_date: "2022-06-02" })
      expect(report.vaMetrics.totalMessageCount).toBe(432148)
      expect(report.operationalMetrics.length).toBe(2)
    }))

  it.effect("the 400/404 of the reports are service errors with the server's text", () =>
    Effect.gen(function*() {
      for (
        const reply of [
          amsError(400, "Start date cannot be after the end date", "INVALID_ARGUMENT"),
          amsError(404, "Project P9 doesn't exist", "NOT_FOUND"),
          amsError(401, "Unauthorized", "UNAUTHORIZED")
        ]
      ) {
        const recorder = yield* Recorder.make([reply])
        const error = yield* Service.usageReport().pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsServiceError")
        expect(error.message).toBe(reply.json.error.message)
      }
    }))

  describe("errors", () => {
    it.effect("403 and 409-style JSON errors on metrics", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([amsError(403, "Access to this resource is forbidden", "FORBIDDEN")])
        const error = yield* Service.metrics().pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsServiceError")
        if (error._tag === "AmsServiceError") expect(error.statusText).toBe("FORBIDDEN")
      }))

    it.effect("a JSON 500 is not retried; a balancer 502 is, until the schedule ends", () =>
      Effect.gen(function*() {
        const json500 = yield* Recorder.make([amsError(500, "Internal Error", "INTERNAL_SERVER_ERROR")])
        const error = yield* Service.version({ retry: Schedule.recurs(4) }).pipe(
          Effect.provide(json500.layer),
          Effect.flip
        )
        assert.strictEqual(error._tag, "AmsServiceError")
        expect((yield* json500.requests).length).toBe(1)

        const balancer = yield* Recorder.make([{
          status: 502,
          text:
            "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"
        }])
        const fiber = yield* Service.health({
          retry: Schedule.spaced("1 second").pipe(Schedule.compose(Schedule.recurs(3)))
        })
          .pipe(Effect.provide(balancer.layer), Effect.flip, Effect.fork)
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual((yield* Fiber.join(fiber))._tag, "AmsBalancerError")
        expect((yield* balancer.requests).length).toBe(4)
      }))

    it.effect("408, refused connections and broken answers", () =>
      Effect.gen(function*() {
        const timeout = yield* Recorder.make([{
          status: 408,
          text:
            "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"
        }])
        assert.strictEqual(
          (yield* Service.health().pipe(Effect.provide(timeout.layer), Effect.flip))._tag,
          "AmsTimeoutError"
        )
        const refused = yield* Recorder.make([{ fail: "refused" }])
        assert.strictEqual(
          (yield* Service.health().pipe(Effect.provide(refused.layer), Effect.flip))._tag,
          "AmsConnectionError"
        )
        for (const reply of [{ text: "ok" }, { json: { status: 1 } }, { json: { push_servers: "x" } }]) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* Service.health().pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsDecodeError")
        }
        for (const reply of [{ text: "ok" }, { json: { projects_metrics: "x" } }, { json: {} }]) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* Service.vaMetrics().pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsDecodeError")
        }
      }))
  })
})
