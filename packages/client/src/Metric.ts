/**
 * Metrics: the `{"metrics": [...]}` documents of the topic, subscription, project and service metric
 * routes (ams-api.md §4.7), decoded into `Metric` values with `Date` timestamps.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * One point of a metric's time series. `timestamp` is the server's `YYYY-MM-DDTHH:MM:SSZ` (or, for the
 * daily series, `YYYY-MM-DD`, read as midnight UTC) as a `Date`; `rawTimestamp` keeps the text the
 * server sent, so a daily point can be told from an instant. A rate that never had an event carries
 * `0001-01-01T00:00:00Z`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Point {
  readonly timestamp: Date
  readonly rawTimestamp: string
  readonly value: number
}

/**
 * One metric, e.g. `topic.number_of_messages`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Metric {
  /** The metric's name, e.g. `topic.number_of_messages`, `project.number_of_daily_messages`. */
  readonly metric: string
  /** `counter`, `rate` or `percentage`. */
  readonly metricType: string
  /** `int64` or `float64`. */
  readonly valueType: string
  /** `topic`, `subscription`, `project`, `project.user` or `ams_node`. */
  readonly resourceType: string
  /** The short name of the resource (`P.U` for `project.user`, the host name for `ams_node`). */
  readonly resourceName: string
  /** The points; daily series are newest first, as the server sends them. */
  readonly timeseries: ReadonlyArray<Point>
  readonly description: string
}

const PointFromWire = Schema.transform(
  Schema.Struct({
    timestamp: Schema.String,
    value: Schema.Number
  }),
  Schema.Struct({
    timestamp: Schema.ValidDateFromSelf,
    rawTimestamp: Schema.String,
    value: Schema.Number
  }),
  {
    strict: true,
    decode: ({ timestamp, value }) => ({ timestamp: new Date(timestamp), rawTimestamp: timestamp, value }),
    encode: ({ rawTimestamp, value }) => ({ timestamp: rawTimestamp, value })
  }
).annotations({ identifier: "MetricPoint" })

/**
 * The wire shape of one metric (snake_case keys), decoded into `Metric`. A `null` time series (a Go nil
 * slice) is read as empty, a missing description as `""`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MetricFromWire: Schema.Schema<Metric, {
  readonly metric: string
  readonly metric_type: string
  readonly value_type: string
  readonly resource_type: string
  readonly resource_name: string
  readonly timeseries?: ReadonlyArray<{ readonly timestamp: string; readonly value: number }> | null | undefined
  readonly description?: string | undefined
}> = Schema.transform(
  Schema.Struct({
    metric: Schema.String,
    metric_type: Schema.String,
    value_type: Schema.String,
    resource_type: Schema.String,
    resource_name: Schema.String,
    timeseries: Schema.optionalWith(Schema.Array(PointFromWire), { nullable: true, default: () => [] }),
    description: Schema.optionalWith(Schema.String, { default: () => "" })
  }),
  Schema.Struct({
    metric: Schema.String,
    metricType: Schema.String,
    valueType: Schema.String,
    resourceType: Schema.String,
    resourceName: Schema.String,
    timeseries: Schema.Array(Schema.typeSchema(PointFromWire)),
    description: Schema.String
  }),
  {
    strict: true,
    decode: (wire) => ({
      metric: wire.metric,
      metricType: wire.metric_type,
      valueType: wire.value_type,
      resourceType: wire.resource_type,
      resourceName: wire.resource_name,
      timeseries: wire.timeseries,
      description: wire.description
    }),
    encode: (metric) => ({
      metric: metric.metric,
      metric_type: metric.metricType,
      value_type: metric.valueType,
      resource_type: metric.resourceType,
      resource_name: metric.resourceName,
      timeseries: metric.timeseries,
      description: metric.description
    })
  }
).annotations({ identifier: "Metric" })

/**
 * The `{"metrics": [...]}` answer of a metrics route, decoded into the list of metrics. A missing or
 * `null` list is read as empty.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MetricsFromWire: Schema.Schema<ReadonlyArray<Metric>, {
  readonly metrics?: ReadonlyArray<Schema.Schema.Encoded<typeof MetricFromWire>> | null | undefined
}> = Schema.transform(
  Schema.Struct({
    metrics: Schema.optionalWith(Schema.Array(MetricFromWire), { nullable: true, default: () => [] })
  }),
  Schema.Array(Schema.typeSchema(MetricFromWire)),
  {
    strict: true,
    decode: ({ metrics }) => metrics,
    encode: (metrics) => ({ metrics })
  }
).annotations({ identifier: "Metrics" })

/**
 * Finds a metric by name in a list of metrics.
 *
 * @example
 * import { Metric, Topic } from "@argo-ams/client"
 * import { Effect, Option } from "effect"
 *
 * const published = Topic.metrics("alerts").pipe(
 *   Effect.map((metrics) => Metric.find(metrics, "topic.number_of_messages").pipe(Option.flatMap(Metric.latest)))
 * )
 *
 * @since 0.1.0
 * @category getters
 */
export const find = (metrics: ReadonlyArray<Metric>, name: string): Option.Option<Metric> =>
  Option.fromNullable(metrics.find((metric) => metric.metric === name))

/**
 * The value of a metric's first point: the current value of a counter, rate or percentage, or the most
 * recent day of a daily series (the server sends those newest first). `None` when the series is empty.
 *
 * @since 0.1.0
 * @category getters
 */
export const latest = (metric: Metric): Option.Option<number> =>
  Option.map(Option.fromNullable(metric.timeseries[0]), (point) => point.value)
