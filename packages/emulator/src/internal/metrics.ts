// Metrics computed from the engine's state: resource metrics (§4.7), operational metrics, VA report (§4.8, §5.9).
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Os from "node:os"
import * as Errors from "./errors.js"
import type { Db, ProjectRec, SubscriptionRec, TopicMetrics, TopicRec } from "./state.js"
import { formatSeconds } from "./time.js"

/** One point of a metric's time series. */
export interface Point {
  readonly timestamp: string
  readonly value: number
}

/** A metric of §4.7 (key order as the server's struct). */
export interface Metric {
  readonly metric: string
  readonly metric_type: string
  readonly value_type: string
  readonly resource_type: string
  readonly resource_name: string
  readonly timeseries: ReadonlyArray<Point>
  readonly description: string
}

const metric = (
  name: string,
  type: "counter" | "rate" | "percentage",
  resourceType: string,
  resourceName: string,
  timeseries: ReadonlyArray<Point>,
  description: string
): Metric => ({
  metric: name,
  metric_type: type,
  value_type: type === "counter" ? "int64" : "float64",
  resource_type: resourceType,
  resource_name: resourceName,
  timeseries,
  description
})

const zeroTime = "0001-01-01T00:00:00Z"
const at = (millis: number) => (millis === 0 ? zeroTime : formatSeconds(millis))

/** Daily counters as a series: `YYYY-MM-DD` points, newest first, at most the 30 latest days with data. */
export const dailySeries = (daily: ReadonlyMap<string, number>): ReadonlyArray<Point> =>
  [...daily].sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0)).slice(0, 30).map(([timestamp, value]) => ({
    timestamp,
    value
  }))

const sumDaily = (all: ReadonlyArray<TopicMetrics>): ReadonlyMap<string, number> => {
  const out = new Map<string, number>()
  for (const m of all) for (const [day, n] of m.daily) out.set(day, (out.get(day) ?? 0) + n)
  return out
}

/** `topics:metrics`: subscriptions, messages, bytes, daily messages, publishing rate. */
export const topicMetrics = (db: Db, topic: TopicRec, now: number): ReadonlyArray<Metric> => {
  const stamp = formatSeconds(now)
  const subscriptions =
    [...db.subscriptions.values()].filter((s) => s.projectUuid === topic.projectUuid && s.topic === topic.name).length
  const m = topic.metrics
  return [
    metric("topic.number_of_subscriptions", "counter", "topic", topic.name, [{
      timestamp: stamp,
      value: subscriptions
    }], "Counter that displays the number of subscriptions belonging to a specific topic"),
    metric(
      "topic.number_of_messages",
      "counter",
      "topic",
      topic.name,
      [{ timestamp: stamp, value: m.messages }],
      "Counter that displays the number of messages published to the specific topic"
    ),
    metric(
      "topic.number_of_bytes",
      "counter",
      "topic",
      topic.name,
      [{ timestamp: stamp, value: m.bytes }],
      "Counter that displays the total size of data (in bytes) published to the specific topic"
    ),
    metric(
      "topic.number_of_daily_messages",
      "counter",
      "topic",
      topic.name,
      dailySeries(m.daily),
      "A collection of counters that represents the total number of messages published each day to a specific topic"
    ),
    metric("topic.publishing_rate", "rate", "topic", topic.name, [{
      timestamp: at(m.latestPublish),
      value: m.publishRate
    }], "A rate that displays how many messages were published per second between the last two publish events")
  ]
}

/** `subscriptions:metrics`: consumed messages, bytes, consumption rate. */
export const subscriptionMetrics = (sub: SubscriptionRec, now: number): ReadonlyArray<Metric> => {
  const stamp = formatSeconds(now)
  const m = sub.metrics
  return [
    metric("subscription.number_of_messages", "counter", "subscription", sub.name, [{
      timestamp: stamp,
      value: m.messages
    }], "Counter that displays the number of messages consumed from the specific subscription"),
    metric(
      "subscription.number_of_bytes",
      "counter",
      "subscription",
      sub.name,
      [{ timestamp: stamp, value: m.bytes }],
      "Counter that displays the total size of data (in bytes) consumed from the specific subscription"
    ),
    metric("subscription.consumption_rate", "rate", "subscription", sub.name, [{
      timestamp: at(m.latestConsume),
      value: m.consumeRate
    }], "A rate that displays how many messages were consumed per second between the last two consume events")
  ]
}

/** `projects:metrics`: topics, subscriptions, per-user topic/subscription access (users with > 0), daily messages. */
export const projectMetrics = (db: Db, project: ProjectRec, now: number): ReadonlyArray<Metric> => {
  const stamp = formatSeconds(now)
  const topics = [...db.topics.values()].filter((t) => t.projectUuid === project.uuid)
  const subs = [...db.subscriptions.values()].filter((s) => s.projectUuid === project.uuid)
  const users = [...db.users.values()].sort((a, b) => a.seq - b.seq)
  const perUser = (name: string, items: ReadonlyArray<{ readonly acl: ReadonlyArray<string> }>, what: string) =>
    users.flatMap((u) => {
      const count = items.filter((i) => i.acl.includes(u.uuid)).length
      return count === 0 ? [] : [
        metric(
          name,
          "counter",
          "project.user",
          `${project.name}.${u.name}`,
          [{ timestamp: stamp, value: count }],
          `Counter that displays the number of ${what} that a user has access to the specific project`
        )
      ]
    })
  return [
    metric(
      "project.number_of_topics",
      "counter",
      "project",
      project.name,
      [{ timestamp: stamp, value: topics.length }],
      "Counter that displays the number of topics belonging to the specific project"
    ),
    metric("project.number_of_subscriptions", "counter", "project", project.name, [{
      timestamp: stamp,
      value: subs.length
    }], "Counter that displays the number of subscriptions belonging to the specific project"),
    ...perUser("project.user.number_of_topics", topics, "topics"),
    ...perUser("project.user.number_of_subscriptions", subs, "subscriptions"),
    metric(
      "project.number_of_daily_messages",
      "counter",
      "project",
      project.name,
      dailySeries(sumDaily(topics.map((t) => t.metrics))),
      "A collection of counters that represents the total number of messages published each day to all of the project's topics"
    )
  ]
}

/** `ams:metrics`: CPU and memory usage of this process, as one AMS node named `host`. */
export const operationalMetrics = (host: string): Effect.Effect<ReadonlyArray<Metric>> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const { cpu, memory } = yield* Effect.sync(() => {
      const usage = process.cpuUsage()
      const uptimeMicros = Math.max(process.uptime() * 1e6, 1)
      return {
        cpu: Math.round(((usage.user + usage.system) / uptimeMicros) * 1000) / 10,
        memory: Math.round((process.memoryUsage().rss / Os.totalmem()) * 1000) / 10
      }
    })
    const stamp = formatSeconds(now)
    return [
      metric(
        "ams_node.cpu_usage",
        "percentage",
        "ams_node",
        host,
        [{ timestamp: stamp, value: cpu }],
        "Percentage value that displays the CPU usage of ams service in the specific node"
      ),
      metric(
        "ams_node.memory_usage",
        "percentage",
        "ams_node",
        host,
        [{ timestamp: stamp, value: memory }],
        "Percentage value that displays the Memory usage of ams service in the specific node"
      )
    ]
  })

/** The query of a VA report, validated. Times are epoch milliseconds (end = 23:59:59 of its day). */
export interface Range {
  readonly start: number
  readonly end: number
}

const day = 24 * 60 * 60 * 1000

const parseDate = (text: string): number | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (match === null) return undefined
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const millis = Date.UTC(y, m - 1, d)
  const check = new Date(millis)
  return check.getUTCFullYear() === y && check.getUTCMonth() === m - 1 && check.getUTCDate() === d ? millis : undefined
}

/** Parses `start_date`/`end_date` (defaults 1970-01-01 and today) with the server's error texts. */
export const parseRange = (
  start: string | null,
  end: string | null,
  now: number
): Either.Either<Range, Errors.ApiError> => {
  const startMillis = start === null || start === "" ? 0 : parseDate(start)
  if (startMillis === undefined) return Either.left(Errors.invalidData("Start date is not in valid format"))
  const endDay = end === null || end === "" ? Math.floor(now / day) * day : parseDate(end)
  if (endDay === undefined) return Either.left(Errors.invalidData("End date is not in valid format"))
  const endMillis = endDay + day - 1000
  if (startMillis > endMillis) return Either.left(Errors.invalidData("Start date cannot be after the end date"))
  return Either.right({ start: startMillis, end: endMillis })
}

/** Resolves the comma-separated `projects` filter: all projects when empty; 404 "Project <P> doesn't exist". */
export const parseProjects = (
  db: Db,
  text: string | null
): Either.Either<ReadonlyArray<ProjectRec>, Errors.ApiError> => {
  const all = [...db.projects.values()].sort((a, b) => a.seq - b.seq)
  const names = (text ?? "").split(",").filter((n) => n !== "")
  if (names.length === 0) return Either.right(all)
  const out: Array<ProjectRec> = []
  for (const name of names) {
    const project = all.find((p) => p.name === name)
    if (project === undefined) return Either.left(Errors.notFound(`Project ${name}`))
    if (!out.includes(project)) out.push(project)
  }
  return Either.right(out)
}

/** The VA report of §4.8 over `projects` and `range`, with the §5.9 arithmetic. */
export const vaReport = (db: Db, projects: ReadonlyArray<ProjectRec>, range: Range) => {
  const inRange = (millis: number) => millis >= range.start && millis <= range.end
  const days = Math.floor((range.end - range.start) / day) + 1
  const rows = projects.flatMap((project) => {
    const topics = [...db.topics.values()].filter((t) => t.projectUuid === project.uuid)
    const counters = topics.flatMap((t) =>
      [...t.metrics.daily].filter(([d]) => inRange(parseDate(d) ?? -1)).map(([, n]) => n)
    )
    if (counters.length === 0) return []
    const messageCount = counters.reduce((a, b) => a + b, 0)
    return [{
      project: project.name,
      message_count: messageCount,
      average_daily_messages: Math.ceil((messageCount / days) * 100) / 100,
      topics_count: topics.filter((t) => inRange(t.createdOn)).length,
      subscriptions_count: [...db.subscriptions.values()].filter((s) =>
        s.projectUuid === project.uuid && inRange(s.createdOn)
      ).length,
      users_count: [...db.users.values()].filter((u) =>
        u.projects.some((m) => m.projectUuid === project.uuid) && inRange(u.createdOn)
      ).length
    }]
  })
  const sum = (f: (row: typeof rows[number]) => number) => rows.reduce((acc, row) => acc + f(row), 0)
  return {
    projects_metrics: {
      projects: rows,
      total_message_count: sum((r) => r.message_count),
      average_daily_messages: sum((r) => r.average_daily_messages)
    },
    total_users_count: sum((r) => r.users_count),
    total_topics_count: sum((r) => r.topics_count),
    total_subscriptions_count: sum((r) => r.subscriptions_count)
  }
}
