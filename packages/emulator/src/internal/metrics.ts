// Metrics computed from the engine's state: resource metrics (§4.7), operational metrics, VA report (§4.8, §5.9).
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Os from "node:os"
import * as Errors from "./errors.js"
import type { Db, ProjectRec, SubscriptionRec, TopicMetrics, TopicRec } from "./state.js"
import * as State from "./state.js"
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

type MetricType = "counter" | "rate" | "percentage"

/** Each metric's type and description, as the server's `metrics/models.go` declares them (§4.7). */
const catalog = {
  "project.number_of_topics": [
    "counter",
    "Counter that displays the number of topics belonging to the specific project"
  ],
  "project.number_of_subscriptions": [
    "counter",
    "Counter that displays the number of subscriptions belonging to the specific project"
  ],
  "project.user.number_of_topics": [
    "counter",
    "Counter that displays the number of topics that a user has access to the specific project"
  ],
  "project.user.number_of_subscriptions": [
    "counter",
    "Counter that displays the number of subscriptions that a user has access to the specific project"
  ],
  "project.number_of_daily_messages": [
    "counter",
    "A collection of counters that represents the total number of messages published each day to all of the project's topics"
  ],
  "topic.number_of_subscriptions": [
    "counter",
    "Counter that displays the number of subscriptions belonging to a specific topic"
  ],
  "topic.number_of_messages": [
    "counter",
    "Counter that displays the number of messages published to the specific topic"
  ],
  "topic.number_of_bytes": [
    "counter",
    "Counter that displays the total size of data (in bytes) published to the specific topic"
  ],
  "topic.number_of_daily_messages": [
    "counter",
    "A collection of counters that represents the total number of messages published each day to a specific topic"
  ],
  "topic.publishing_rate": [
    "rate",
    "A rate that displays how many messages were published per second between the last two publish events"
  ],
  "subscription.number_of_messages": [
    "counter",
    "Counter that displays the number of messages consumed from the specific subscription"
  ],
  "subscription.number_of_bytes": [
    "counter",
    "Counter that displays the total size of data (in bytes) consumed from the specific subscription"
  ],
  "subscription.consumption_rate": [
    "rate",
    "A rate that displays how many messages were consumed per second between the last two consume events"
  ],
  "ams_node.cpu_usage": [
    "percentage",
    "Percentage value that displays the CPU usage of ams service in the specific node"
  ],
  "ams_node.memory_usage": [
    "percentage",
    "Percentage value that displays the Memory usage of ams service in the specific node"
  ]
} as const satisfies Record<string, readonly [MetricType, string]>

type MetricName = keyof typeof catalog

/** A metric named `name` of a resource (`resource_type` is the name's prefix), over `timeseries`. */
const metric = (name: MetricName, resourceName: string, timeseries: ReadonlyArray<Point>): Metric => {
  const [type, description] = catalog[name]
  return {
    metric: name,
    metric_type: type,
    value_type: type === "counter" ? "int64" : "float64",
    resource_type: name.slice(0, name.lastIndexOf(".")),
    resource_name: resourceName,
    timeseries,
    description
  }
}

/** A metric with one point. */
const single = (name: MetricName, resourceName: string, timestamp: string, value: number): Metric =>
  metric(name, resourceName, [{ timestamp, value }])

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
  const subscriptions = State.inProject(db.subscriptions, topic.projectUuid).filter((s) => s.topic === topic.name)
  const m = topic.metrics
  return [
    single("topic.number_of_subscriptions", topic.name, stamp, subscriptions.length),
    single("topic.number_of_messages", topic.name, stamp, m.messages),
    single("topic.number_of_bytes", topic.name, stamp, m.bytes),
    metric("topic.number_of_daily_messages", topic.name, dailySeries(m.daily)),
    single("topic.publishing_rate", topic.name, at(m.latestPublish), m.publishRate)
  ]
}

/** `subscriptions:metrics`: consumed messages, bytes, consumption rate. */
export const subscriptionMetrics = (sub: SubscriptionRec, now: number): ReadonlyArray<Metric> => {
  const stamp = formatSeconds(now)
  const m = sub.metrics
  return [
    single("subscription.number_of_messages", sub.name, stamp, m.messages),
    single("subscription.number_of_bytes", sub.name, stamp, m.bytes),
    single("subscription.consumption_rate", sub.name, at(m.latestConsume), m.consumeRate)
  ]
}

/** `projects:metrics`: topics, subscriptions, per-user topic/subscription access (users with > 0), daily messages. */
export const projectMetrics = (db: Db, project: ProjectRec, now: number): ReadonlyArray<Metric> => {
  const stamp = formatSeconds(now)
  const topics = State.inProject(db.topics, project.uuid)
  const subs = State.inProject(db.subscriptions, project.uuid)
  const users = State.valuesOf(db.users).sort(State.bySeq)
  const perUser = (name: MetricName, items: ReadonlyArray<{ readonly acl: ReadonlyArray<string> }>) =>
    users.flatMap((u) => {
      const count = items.filter((i) => i.acl.includes(u.uuid)).length
      return count === 0 ? [] : [single(name, `${project.name}.${u.name}`, stamp, count)]
    })
  return [
    single("project.number_of_topics", project.name, stamp, topics.length),
    single("project.number_of_subscriptions", project.name, stamp, subs.length),
    ...perUser("project.user.number_of_topics", topics),
    ...perUser("project.user.number_of_subscriptions", subs),
    metric("project.number_of_daily_messages", project.name, dailySeries(sumDaily(topics.map((t) => t.metrics))))
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
    return [single("ams_node.cpu_usage", host, stamp, cpu), single("ams_node.memory_usage", host, stamp, memory)]
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
  const all = State.valuesOf(db.projects).sort(State.bySeq)
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
    const topics = State.inProject(db.topics, project.uuid)
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
      subscriptions_count: State.inProject(db.subscriptions, project.uuid).filter((s) => inRange(s.createdOn)).length,
      users_count: State.valuesOf(db.users).filter((u) =>
        State.isMember(u, project.uuid) && inRange(u.createdOn)
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
