// Metrics routes (§5.9, §4.7): operational, VA report, usage report, project/topic/subscription metrics.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Errors from "../errors.js"
import * as Metrics from "../metrics.js"
import * as Reply from "../reply.js"
import type { Context, Handler } from "../router.js"
import * as State from "../state.js"
import * as Common from "./common.js"
import { oneSpace } from "./service.js"

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
    return oneSpace(Metrics.vaReport(db, projects, range))
  })

/**
 * `users:usageReport` — GET /v1/users/usageReport (open; a real user's token required): the VA report over
 * the projects where the caller is project_admin, plus the operational metrics.
 */
export const usageReport: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const token = context.caller.token
    const user = token === "" ? undefined : State.userByToken(db, token)
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
    return Reply.json({ metrics: Metrics.projectMetrics(db, db.projects.get(p.uuid) ?? p, now) })
  })

/** `topics:metrics` — GET /v1/projects/{project}/topics/{topic}:metrics; publishers must be in the ACL (§2.4). */
export const topic: Handler = (context) =>
  Effect.gen(function*() {
    const p = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const t = db.topics.get(State.key(p.uuid, context.vars["topic"]!))
    const { caller, env } = context
    if (env.config.perResourceAuth && Common.has(caller, "publisher") && !(t?.acl.includes(caller.userUuid) ?? false)) {
      return yield* Effect.fail(Errors.forbidden())
    }
    if (t === undefined) return yield* Effect.fail(Errors.notFound("Topic"))
    const now = yield* Clock.currentTimeMillis
    return Reply.json({ metrics: Metrics.topicMetrics(db, t, now) })
  })

/** `subscriptions:metrics` — GET .../subscriptions/{subscription}:metrics; consumers must be in the ACL. */
export const subscription: Handler = (context) =>
  Effect.gen(function*() {
    const p = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const s = db.subscriptions.get(State.key(p.uuid, context.vars["subscription"]!))
    const { caller, env } = context
    if (env.config.perResourceAuth && Common.has(caller, "consumer") && !(s?.acl.includes(caller.userUuid) ?? false)) {
      return yield* Effect.fail(Errors.forbidden())
    }
    if (s === undefined) return yield* Effect.fail(Errors.notFound("Subscription"))
    const now = yield* Clock.currentTimeMillis
    return Reply.json({ metrics: Metrics.subscriptionMetrics(s, now) })
  })
