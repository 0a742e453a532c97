import { assert, describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Metric from "../src/Metric.js"

// A topic metrics answer as the server renders it (ams-api.md §4.7, §5.2 topics:metrics).
const topicMetrics = {
  metrics: [
    {
      metric: "topic.number_of_subscriptions",
      metric_type: "counter",
      value_type: "int64",
      resource_type: "topic",
      resource_name: "topic1",
      timeseries: [{ timestamp: "2017-06-27T10:20:18Z", value: 2 }],
      description: "Counter that displays the number of subscriptions belonging to a specific topic"
    },
    {
      metric: "topic.number_of_daily_messages",
      metric_type: "counter",
      value_type: "int64",
      resource_type: "topic",
      resource_name: "topic1",
      timeseries: [{ timestamp: "2018-10-02", value: 30 }, { timestamp: "2018-10-01", value: 40 }],
      description: "A collection of counters that represents the total number of messages published each day"
    },
    {
      metric: "topic.publishing_rate",
      metric_type: "rate",
      value_type: "float64",
      resource_type: "topic",
      resource_name: "topic1",
      timeseries: [{ timestamp: "0001-01-01T00:00:00Z", value: 0.25 }],
      description: "A rate that displays how many messages were published per second"
    }
  ]
}

const decode = Schema.decodeUnknownEither(Metric.MetricsFromWire)

describe("Metric", () => {
  it("decodes a metrics answer into camelCase metrics with Date timestamps", () => {
    const metrics = Either.getOrThrow(decode(topicMetrics))
    expect(metrics).toHaveLength(3)
    const subs = metrics[0]!
    expect(subs.metric).toBe("topic.number_of_subscriptions")
    expect(subs.metricType).toBe("counter")
    expect(subs.valueType).toBe("int64")
    expect(subs.resourceType).toBe("topic")
    expect(subs.resourceName).toBe("topic1")
    expect(subs.description).toContain("number of subscriptions")
    assert.instanceOf(subs.timeseries[0]!.timestamp, Date)
    expect(subs.timeseries[0]!.timestamp.toISOString()).toBe("2017-06-27T10:20:18.000Z")
    expect(subs.timeseries[0]!.rawTimestamp).toBe("2017-06-27T10:20:18Z")
    expect(subs.timeseries[0]!.value).toBe(2)
  })

  it("reads daily points as midnight UTC and keeps their order (newest first)", () => {
    const daily = Either.getOrThrow(decode(topicMetrics))[1]!
    expect(daily.timeseries.map((point) => point.timestamp.toISOString())).toEqual([
      "2018-10-02T00:00:00.000Z",
      "2018-10-01T00:00:00.000Z"
    ])
    expect(daily.timeseries.map((point) => point.rawTimestamp)).toEqual(["2018-10-02", "2018-10-01"])
  })

  it("reads the zero time of a rate that never ran, and float values", () => {
    const rate = Either.getOrThrow(decode(topicMetrics))[2]!
    expect(rate.timeseries[0]!.timestamp.getUTCFullYear()).toBe(1)
    expect(rate.timeseries[0]!.value).toBe(0.25)
  })

  it("is lenient where Go may send null or nothing", () => {
    expect(Either.getOrThrow(decode({}))).toEqual([])
    expect(Either.getOrThrow(decode({ metrics: null }))).toEqual([])
    const [metric] = Either.getOrThrow(decode({
      metrics: [{
        metric: "ams_node.cpu_usage",
        metric_type: "percentage",
        value_type: "float64",
        resource_type: "ams_node",
        resource_name: "host-1",
        timeseries: null
      }]
    }))
    expect(metric!.timeseries).toEqual([])
    expect(metric!.description).toBe("")
  })

  it("fails on a broken answer: missing names, wrong types, invalid dates", () => {
    assert.isTrue(Either.isLeft(decode({ metrics: [{ metric: "x" }] })))
    const base = topicMetrics.metrics[0]!
    assert.isTrue(Either.isLeft(decode({ metrics: [{ ...base, timeseries: [{ timestamp: "2017", value: "2" }] }] })))
    assert.isTrue(Either.isLeft(decode({ metrics: [{ ...base, timeseries: [{ timestamp: "never", value: 2 }] }] })))
    assert.isTrue(Either.isLeft(decode({ metrics: "none" })))
  })

  it("find and latest pick a metric and its current value", () => {
    const metrics = Either.getOrThrow(decode(topicMetrics))
    const daily = Metric.find(metrics, "topic.number_of_daily_messages")
    assert.isTrue(Option.isSome(daily))
    expect(Option.flatMap(daily, Metric.latest)).toEqual(Option.some(30))
    assert.isTrue(Option.isNone(Metric.find(metrics, "topic.number_of_bytes")))
    expect(Metric.latest({ ...metrics[0]!, timeseries: [] })).toEqual(Option.none())
  })

  it("encodes back to the wire shape", () => {
    const metrics = Either.getOrThrow(decode(topicMetrics))
    expect(Schema.encodeSync(Metric.MetricsFromWire)(metrics)).toEqual(topicMetrics)
  })
})
