// `topics:metrics` and `subscriptions:metrics` (§4.7): counters, daily series and rates of one resource.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Errors from "../errors.js"
import * as Reply from "../reply.js"
import type { Handler } from "../router.js"
import * as State from "../state.js"
import { formatSeconds } from "../time.js"
import * as Common from "./common.js"

interface Point {
  readonly timestamp: string
  readonly value: number
}

const metric = (
  name: string,
  metricType: string,
  valueType: string,
  resourceType: string,
  resourceName: string,
  timeseries: ReadonlyArray<Point>,
  description: string
) => ({
  metric: name,
  metric_type: metricType,
  value_type: valueType,
  resource_type: resourceType,
  resource_name: resourceName,
  timeseries,
  description
})

const neverTime = "0001-01-01T00:00:00Z"
const rateTime = (millis: number) => (millis === 0 ? neverTime : formatSeconds(millis))

/** `topics:metrics` — GET /v1/projects/{project}/topics/{topic}:metrics */
export const topic: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const { caller, env } = context
    const name = context.vars["topic"]!
    const db = yield* Common.snapshot(context)
    const found = db.topics.get(State.key(project.uuid, name))
    if (env.config.perResourceAuth && Common.has(caller, "publisher") && !found?.acl.includes(caller.userUuid)) {
      return yield* Effect.fail(Errors.forbidden())
    }
    if (found === undefined) return yield* Effect.fail(Errors.notFound("Topic"))
    const now = formatSeconds(yield* Clock.currentTimeMillis)
    const subscriptions = [...db.subscriptions.values()]
      .filter((s) => s.projectUuid === project.uuid && s.topic === name).length
    const daily = [...found.metrics.daily.entries()]
      .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
      .slice(0, 30)
      .map(([timestamp, value]) => ({ timestamp, value }))
    const counter = (metricName: string, value: number, description: string) =>
      metric(metricName, "counter", "int64", "topic", name, [{ timestamp: now, value }], description)
    return Reply.json({
      metrics: [
        counter(
          "topic.number_of_subscriptions",
          subscriptions,
          "Counter that displays the number of subscriptions belonging to a specific topic"
        ),
        counter(
          "topic.number_of_messages",
          found.metrics.messages,
          "Counter that displays the number of messages published to the specific topic"
        ),
        counter(
          "topic.number_of_bytes",
          found.metrics.bytes,
          "Counter that displays the total size of data (in bytes) published to the specific topic"
        ),
        metric(
          "topic.number_of_daily_messages",
          "counter",
          "int64",
          "topic",
          name,
          daily,
          "A collection of counters that represents the total number of messages published each day to a specific topic"
        ),
        metric(
          "topic.publishing_rate",
          "rate",
          "float64",
          "topic",
          name,
          [{ timestamp: rateTime(found.metrics.latestPublish), value: found.metrics.publishRate }],
          "A rate that displays how many messages were published per second between the last two publish events"
        )
      ]
    })
  })

/** `subscriptions:metrics` — GET /v1/projects/{project}/subscriptions/{subscription}:metrics */
export const subscription: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const { caller, env } = context
    const name = context.vars["subscription"]!
    const db = yield* Common.snapshot(context)
    const found = db.subscriptions.get(State.key(project.uuid, name))
    if (env.config.perResourceAuth && Common.has(caller, "consumer") && !found?.acl.includes(caller.userUuid)) {
      return yield* Effect.fail(Errors.forbidden())
    }
    if (found === undefined) return yield* Effect.fail(Errors.notFound("Subscription"))
    const now = formatSeconds(yield* Clock.currentTimeMillis)
    const counter = (metricName: string, value: number, description: string) =>
      metric(metricName, "counter", "int64", "subscription", name, [{ timestamp: now, value }], description)
    return Reply.json({
      metrics: [
        counter(
          "subscription.number_of_messages",
          found.metrics.messages,
          "Counter that displays the number of messages consumed from the specific subscription"
        ),
        counter(
          "subscription.number_of_bytes",
          found.metrics.bytes,
          "Counter that displays the total size of data (in bytes) consumed from the specific subscription"
        ),
        metric(
          "subscription.consumption_rate",
          "rate",
          "float64",
          "subscription",
          name,
          [{ timestamp: rateTime(found.metrics.latestConsume), value: found.metrics.consumeRate }],
          "A rate that displays how many messages were consumed per second between the last two consume events"
        )
      ]
    })
  })
