/**
 * The service-wide commands: `ams status`, `ams version`, `ams metrics`, `ams usage`.
 *
 * @since 0.1.0
 */
import * as Service from "@argo-ams/client/Service"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Leaf from "./internal/command.js"
import * as Input from "./internal/input.js"
import * as View from "./internal/view.js"
import * as Output from "./Output.js"

/**
 * `ams status`: the service's health (no token needed).
 *
 * @since 0.1.0
 * @category commands
 */
export const status = Leaf.make("status", {
  description: "Shows the service's health and its push servers. Needs no token; --details (raw push server " +
    "errors) needs a service_admin or admin_viewer token.",
  examples: ["ams status", "ams status --details -o json"],
  needs: "endpoint",
  args: { details: Options.boolean("details").pipe(Options.withDescription("the push servers' raw error texts")) },
  run: ({ details }) =>
    Effect.flatMap(Service.health({ details }), (health) =>
      Output.record({
        status: health.status,
        pushFunctionality: health.pushFunctionality,
        pushServers: health.pushServers.map((server) => ({ endpoint: server.endpoint, status: server.status }))
      }))
})

/**
 * `ams version`: the server's version, and this command line's.
 *
 * @since 0.1.0
 * @category commands
 */
export const version = (cliVersion: string) =>
  Leaf.make("version", {
    description: "Shows the server's build (its release needs a service_admin or admin_viewer token) and the " +
      "version of ams itself.",
    examples: ["ams version"],
    needs: "endpoint",
    args: {},
    run: () =>
      Effect.flatMap(Service.version(), (v) =>
        Output.record({
          cli: cliVersion,
          release: v.release,
          buildTime: v.buildTime?.toISOString(),
          golang: v.golang,
          compiler: v.compiler,
          os: v.os,
          architecture: v.architecture,
          distro: v.distro,
          hostname: v.hostname
        }))
  })

/**
 * `ams metrics`: the service's operational metrics.
 *
 * @since 0.1.0
 * @category commands
 */
export const metrics = Leaf.make("metrics", {
  description: "Shows the service's operational metrics (CPU and memory per AMS node); service admins and " +
    "metrics viewers.",
  examples: ["ams metrics", "ams metrics -o json"],
  needs: "token",
  args: {},
  run: () => Effect.flatMap(Service.metrics(), (ms) => Output.list(ms.map(View.metric), View.metricColumns))
})

const dateOption = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

/**
 * `ams usage`: the usage report (`--va`: the VA report).
 *
 * @since 0.1.0
 * @category commands
 */
export const usage = Leaf.make("usage", {
  description: "Shows the usage report: messages, topics, subscriptions and users per project, between two " +
    "dates (project admins see their projects). With --va, the VA report of all projects (service admins).",
  examples: ["ams usage --start 2026-01-01 --end 2026-01-31", "ams usage --va --projects demo,lab -o json"],
  needs: "token",
  args: {
    start: dateOption("start", "the first day, e.g. 2026-01-01 (default: the beginning)"),
    end: dateOption("end", "the last day (default: today)"),
    projects: Options.text("projects").pipe(
      Options.withDescription("only these projects, comma-separated"),
      Options.optional
    ),
    va: Options.boolean("va").pipe(Options.withDescription("the VA report instead"))
  },
  run: ({ end, projects, start, va }) =>
    Effect.gen(function*() {
      const options = {
        startDate: Option.isSome(start) ? yield* Input.date(start.value, "--start") : undefined,
        endDate: Option.isSome(end) ? yield* Input.date(end.value, "--end") : undefined,
        projects: Option.getOrUndefined(Option.map(projects, (list) => list.split(",").filter((p) => p !== "")))
      }
      const report = va ? yield* Service.vaMetrics(options) : (yield* Service.usageReport(options)).vaMetrics
      const rows = report.projects.map((p) => ({
        project: p.project,
        messages: p.messageCount,
        averageDailyMessages: p.averageDailyMessages,
        topics: p.topicsCount,
        subscriptions: p.subscriptionsCount,
        users: p.usersCount
      }))
      yield* Output.value(
        {
          projects: rows,
          totalMessages: report.totalMessageCount,
          averageDailyMessages: report.averageDailyMessages,
          totalUsers: report.totalUsersCount,
          totalTopics: report.totalTopicsCount,
          totalSubscriptions: report.totalSubscriptionsCount
        },
        () =>
          [
            rows.length === 0
              ? "(no project had messages in the range)"
              : Output.table(rows, ["project", "messages", "averageDailyMessages", "topics", "subscriptions", "users"]),
            "",
            `total: ${report.totalMessageCount} messages, ${report.totalTopicsCount} topics, ` +
            `${report.totalSubscriptionsCount} subscriptions, ${report.totalUsersCount} users`
          ].join("\n")
      )
    })
})
