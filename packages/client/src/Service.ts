/**
 * The service as a whole: health (`/v1/status`), version, operational metrics, and the VA and usage
 * reports.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AmsError } from "./AmsError.js"
import { AmsArgumentError } from "./AmsError.js"
import type * as AmsHttp from "./AmsHttp.js"
import * as Names from "./internal/names.js"
import * as Operation from "./internal/operation.js"
import type { Metric } from "./Metric.js"
import { MetricsFromWire } from "./Metric.js"

/**
 * One push server as `/v1/status` reports it.
 *
 * @since 0.1.0
 * @category models
 */
export class PushServer extends Schema.Class<PushServer>("PushServer")({
  endpoint: Schema.String,
  /** `SERVING`, or the reason it is not (`Push server is currently unavailable`, an error text). */
  status: Schema.String
}) {}

/**
 * The health of the service (ams-api.md §4.9).
 *
 * @since 0.1.0
 * @category models
 */
export class Health extends Schema.Class<Health>("Health")({
  /** `ok`, or `warning` when push is enabled but its worker user is missing. */
  status: Schema.String,
  /** The push servers, when push is enabled; empty otherwise. */
  pushServers: Schema.optionalWith(Schema.Array(PushServer), { nullable: true, default: () => [] }).pipe(
    Schema.fromKey("push_servers")
  ),
  /** `disabled` when push is disabled. */
  pushFunctionality: Schema.optional(Schema.String).pipe(Schema.fromKey("push_functionality"))
}) {}

/**
 * Options of `health`.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthOptions extends AmsHttp.RequestOptions {
  /**
   * Ask for the push servers' raw error texts (`details=true`). Needs a user token with `service_admin`
   * or `admin_viewer`: others get 403 (unknown token) or 401 (no such role). Default `false`.
   */
  readonly details?: boolean | undefined
}

/**
 * The health of the service (`GET /v1/status`); open to anyone unless `details` is asked for.
 *
 * @since 0.1.0
 * @category operations
 */
export const health = (options?: HealthOptions): Effect.Effect<Health, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("service.health", () =>
    Operation.run({
      operation: "service.health",
      method: "GET",
      projectScoped: false,
      path: () => "/status",
      query: options?.details === true ? { details: "true" } : undefined,
      response: Health,
      options
    }))

const BuildTime = Schema.transform(Schema.String, Schema.UndefinedOr(Schema.ValidDateFromSelf), {
  strict: true,
  decode: (text) => {
    const date = new Date(text)
    return Number.isNaN(date.getTime()) ? undefined : date
  },
  encode: (date) => date === undefined ? "Unknown" : date.toISOString().replace(/\.\d{3}Z$/, "Z")
})

/**
 * The server's build (ams-api.md §4.9).
 *
 * @since 0.1.0
 * @category models
 */
export class Version extends Schema.Class<Version>("Version")({
  /** When the server was built; absent when the server says `Unknown`. */
  buildTime: Schema.optionalWith(BuildTime, { default: () => undefined }).pipe(Schema.fromKey("build_time")),
  golang: Schema.optionalWith(Schema.String, { default: () => "" }),
  compiler: Schema.optionalWith(Schema.String, { default: () => "" }),
  os: Schema.optionalWith(Schema.String, { default: () => "" }),
  architecture: Schema.optionalWith(Schema.String, { default: () => "" }),
  /** The release, e.g. `1.7.0`: only shown to tokens with `service_admin` or `admin_viewer`. */
  release: Schema.optional(Schema.String),
  distro: Schema.optional(Schema.String),
  /** The server's configured proxy host name. */
  hostname: Schema.optional(Schema.String)
}) {}

/**
 * The server's version (`GET /v1/version`); open to anyone.
 *
 * @since 0.1.0
 * @category operations
 */
export const version = (options?: AmsHttp.RequestOptions): Effect.Effect<Version, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("service.version", () =>
    Operation.run({
      operation: "service.version",
      method: "GET",
      projectScoped: false,
      path: () => "/version",
      response: Version,
      options
    }))

/**
 * The operational metrics (`GET /v1/metrics`): CPU and memory usage of each AMS node; needs
 * `service_admin` or `metrics_viewer`.
 *
 * @since 0.1.0
 * @category operations
 */
export const metrics = (
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<Metric>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("service.metrics", () =>
    Operation.run({
      operation: "service.metrics",
      method: "GET",
      projectScoped: false,
      path: () => "/metrics",
      response: MetricsFromWire,
      options
    }))

/**
 * One project's line of the VA report.
 *
 * @since 0.1.0
 * @category models
 */
export class ProjectReport extends Schema.Class<ProjectReport>("ProjectReport")({
  project: Schema.String,
  messageCount: Schema.Number.pipe(Schema.propertySignature, Schema.fromKey("message_count")),
  averageDailyMessages: Schema.Number.pipe(Schema.propertySignature, Schema.fromKey("average_daily_messages")),
  topicsCount: Schema.Number.pipe(Schema.propertySignature, Schema.fromKey("topics_count")),
  subscriptionsCount: Schema.Number.pipe(Schema.propertySignature, Schema.fromKey("subscriptions_count")),
  usersCount: Schema.Number.pipe(Schema.propertySignature, Schema.fromKey("users_count"))
}) {}

/**
 * The VA report (ams-api.md §4.8, §5.9), flattened: the server's `projects_metrics` object contributes
 * `projects`, `totalMessageCount` and `averageDailyMessages`.
 *
 * @since 0.1.0
 * @category models
 */
export interface VaReport {
  /** Only the projects with messages in the range. */
  readonly projects: ReadonlyArray<ProjectReport>
  readonly totalMessageCount: number
  readonly averageDailyMessages: number
  readonly totalUsersCount: number
  readonly totalTopicsCount: number
  readonly totalSubscriptionsCount: number
}

const count = Schema.optionalWith(Schema.Number, { default: () => 0 })

/**
 * The wire shape of the VA report, decoded into `VaReport`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VaReportFromWire = Schema.transform(
  Schema.Struct({
    projects_metrics: Schema.Struct({
      projects: Schema.optionalWith(Schema.Array(ProjectReport), { nullable: true, default: () => [] }),
      total_message_count: count,
      average_daily_messages: count
    }),
    total_users_count: count,
    total_topics_count: count,
    total_subscriptions_count: count
  }),
  Schema.Struct({
    projects: Schema.Array(Schema.typeSchema(ProjectReport)),
    totalMessageCount: Schema.Number,
    averageDailyMessages: Schema.Number,
    totalUsersCount: Schema.Number,
    totalTopicsCount: Schema.Number,
    totalSubscriptionsCount: Schema.Number
  }),
  {
    strict: true,
    decode: (wire): VaReport => ({
      projects: wire.projects_metrics.projects,
      totalMessageCount: wire.projects_metrics.total_message_count,
      averageDailyMessages: wire.projects_metrics.average_daily_messages,
      totalUsersCount: wire.total_users_count,
      totalTopicsCount: wire.total_topics_count,
      totalSubscriptionsCount: wire.total_subscriptions_count
    }),
    encode: (report) => ({
      projects_metrics: {
        projects: report.projects,
        total_message_count: report.totalMessageCount,
        average_daily_messages: report.averageDailyMessages
      },
      total_users_count: report.totalUsersCount,
      total_topics_count: report.totalTopicsCount,
      total_subscriptions_count: report.totalSubscriptionsCount
    })
  }
)

/**
 * The usage report: the VA report of the projects the caller administers, and the operational metrics.
 *
 * @since 0.1.0
 * @category models
 */
export interface UsageReport {
  readonly vaMetrics: VaReport
  readonly operationalMetrics: ReadonlyArray<Metric>
}

const UsageReportFromWire = Schema.transform(
  Schema.Struct({ va_metrics: VaReportFromWire, operational_metrics: MetricsFromWire }),
  Schema.Struct({
    vaMetrics: Schema.typeSchema(VaReportFromWire),
    operationalMetrics: Schema.typeSchema(MetricsFromWire)
  }),
  {
    strict: true,
    decode: (wire) => ({ vaMetrics: wire.va_metrics, operationalMetrics: wire.operational_metrics }),
    encode: (report) => ({ va_metrics: report.vaMetrics, operational_metrics: report.operationalMetrics })
  }
)

/**
 * The range and projects of a report. Dates are sent as their UTC day, `YYYY-MM-DD`; the server counts
 * the end day in full.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReportOptions extends AmsHttp.RequestOptions {
  /** Only these projects (sent comma-separated). Default: all (VA) or all those the caller administers (usage). */
  readonly projects?: ReadonlyArray<string> | undefined
  /** Default (server side): 1970-01-01. */
  readonly startDate?: Date | undefined
  /** Default (server side): today. */
  readonly endDate?: Date | undefined
}

/** Checks the dates and project names of a report before any request. */
const checkReport = (operation: string, options: ReportOptions | undefined): Effect.Effect<void, AmsArgumentError> => {
  for (const argument of ["startDate", "endDate"] as const) {
    const date = options?.[argument]
    if (date !== undefined && Number.isNaN(date.getTime())) {
      return Effect.fail(new AmsArgumentError({ operation, argument, message: `${argument} is an invalid Date` }))
    }
  }
  return Names.check(operation, (options?.projects ?? []).map((project) => ["project", project] as const))
}

/** The query of a report (only once `checkReport` passed: `toISOString` throws on an invalid date). */
const reportQuery = (options: ReportOptions | undefined): Record<string, string> => {
  const query: Record<string, string> = {}
  const day = (date: Date | undefined) => date === undefined || Number.isNaN(date.getTime()) ? undefined : date
  const start = day(options?.startDate)
  const end = day(options?.endDate)
  if (start !== undefined) query.start_date = start.toISOString().slice(0, 10)
  if (end !== undefined) query.end_date = end.toISOString().slice(0, 10)
  if (options?.projects !== undefined && options.projects.length > 0) query.projects = options.projects.join(",")
  return query
}

/**
 * The VA report (`GET /v1/metrics/va_metrics`): messages, average daily messages, and the topics,
 * subscriptions and users created per project in a range of days; needs `service_admin` or
 * `metrics_viewer`.
 *
 * @example
 * import { Service } from "@argo-ams/client"
 *
 * const june = Service.vaMetrics({
 *   projects: ["ARGO"],
 *   startDate: new Date("2022-06-01"),
 *   endDate: new Date("2022-06-30")
 * })
 *
 * @since 0.1.0
 * @category operations
 */
export const vaMetrics = (options?: ReportOptions): Effect.Effect<VaReport, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("service.vaMetrics", () =>
    Operation.run({
      operation: "service.vaMetrics",
      method: "GET",
      projectScoped: false,
      path: () => "/metrics/va_metrics",
      check: checkReport("service.vaMetrics", options),
      query: reportQuery(options),
      response: VaReportFromWire,
      options
    }))

/**
 * The usage report (`GET /v1/users/usageReport`): the VA report restricted to the projects where the
 * caller is `project_admin` (and to `projects`, if given), plus the operational metrics. Open to any
 * user token.
 *
 * @since 0.1.0
 * @category operations
 */
export const usageReport = (options?: ReportOptions): Effect.Effect<UsageReport, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("service.usageReport", () =>
    Operation.run({
      operation: "service.usageReport",
      method: "GET",
      projectScoped: false,
      path: () => "/users/usageReport",
      check: checkReport("service.usageReport", options),
      query: reportQuery(options),
      response: UsageReportFromWire,
      options
    }))
