// Metrics routes (§5.9, §4.7): operational, VA report, usage report, project/topic/subscription metrics.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Errors from "../errors.js"
import * as Metrics from "../metrics.js"
import * as Reply from "../reply.js"
import type { Context, Handler } from "../router.js"
import * as State from "../state.js"
import * as Common from "./common.js"

const nodeName = (context: Context) =>
  context.env.config.proxyHostname === "" ? "localhost" : context.env.config.proxyHostname

/** `ams:metrics` — GET /v1/metrics: CPU and memory of the emulator's process as one node. */
export const operational: Handler = (context) =>
  Effect.map(Metrics.operationalMetrics(nodeName(context)), (metrics) => Reply.json({ metrics }))

/** `ams:vaMetrics` — GET /v1/metrics/va_metrics?start_date&end_date&projects */
export const va: Handler = (context) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const { query } = context
    const range = yield* Common.fromEither(Metrics.parseRange(query.get("start_date"), query.get("end_date"), now))
    const db = yield* Common.snapshot(context)
    const projects = yield* Common.fromEither(Metrics.parseProjects(db, query.get("projects")))
    return Reply.oneSpaceJson(Metrics.vaReport(db, projects, range))
  })

/**
 * `users:usageReport` — GET /v1/users/usageReport (open; a real user's token required): the VA report over
 * the projects where the caller is project_admin, plus the operational metrics.
 */
export const usageReport: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const user = Common.callerUser(context, db)
    if (user === undefined) return yield* Effect.fail(Errors.unauthorized())
    const now = yield* Clock.currentTimeMillis
    const { query } = context
    const range = yield* Common.fromEither(Metrics.parseRange(query.get("start_date"), query.get("end_date"), now))
    const requested = yield* Common.fromEither(Metrics.parseProjects(db, query.get("projects")))
    const administered = requested.filter((p) =>
      user.projects.some((m) => m.projectUuid === p.uuid && m.roles.includes("project_admin"))
    )
    const operational = administered.length === 0 ? [] : yield* Metrics.operationalMetrics(nodeName(context))
    return Reply.json({
      va_metrics: Metrics.vaReport(db, administered, range),
      operational_metrics: { metrics: operational }
    })
  })

/** `projects:metrics` — GET /v1/projects/{project}:metrics */
export const project: Handler = (context) =>
  Effect.gen(function*() {
    const p = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const now = yield* Clock.currentTimeMillis
    return Reply.json({ metrics: Metrics.projectMetrics(db, State.get(db.projects, p.uuid) ?? p, now) })
  })

/**
 * The path's topic or subscription for its metrics route: a caller holding `role` must be in its ACL (§2.4),
 * checked before existence (so a missing resource is a 403 for them, a 404 for the others).
 */
const metricsOf = <A extends { readonly acl: ReadonlyArray<string> }>(
  context: Context,
  role: "publisher" | "consumer",
  resource: "Topic" | "Subscription",
  find: (db: State.Db, projectUuid: string, name: string) => A | undefined,
  name: string,
  render: (db: State.Db, found: A, now: number) => ReadonlyArray<Metrics.Metric>
) =>
  Effect.gen(function*() {
    const p = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const found = find(db, p.uuid, name)
    const { caller, env } = context
    if (env.config.perResourceAuth && Common.has(caller, role) && !(found?.acl.includes(caller.userUuid) ?? false)) {
      return yield* Effect.fail(Errors.forbidden())
    }
    if (found === undefined) return yield* Effect.fail(Errors.notFound(resource))
    const now = yield* Clock.currentTimeMillis
    return Reply.json({ metrics: render(db, found, now) })
  })

/** `topics:metrics` — GET /v1/projects/{project}/topics/{topic}:metrics; publishers must be in the ACL (§2.4). */
export const topic: Handler = (context) =>
  metricsOf(context, "publisher", "Topic", State.topic, context.vars["topic"]!, Metrics.topicMetrics)

/** `subscriptions:metrics` — GET .../subscriptions/{subscription}:metrics; consumers must be in the ACL. */
export const subscription: Handler = (context) =>
  metricsOf(
    context,
    "consumer",
    "Subscription",
    State.subscription,
    context.vars["subscription"]!,
    (_, sub, now) => Metrics.subscriptionMetrics(sub, now)
  )
