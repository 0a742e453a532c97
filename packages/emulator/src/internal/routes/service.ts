// Service routes (§5.8): the health status `/v1/status` and `/v1/version`.
import * as Effect from "effect/Effect"
import * as Errors from "../errors.js"
import * as Push from "../push.js"
import * as Reply from "../reply.js"
import type { Caller, Context, Handler } from "../router.js"
import * as Common from "./common.js"

/** The emulator's version document; `release` follows the server revision the spec describes (§0). */
export const versionInfo = {
  build_time: "Unknown",
  golang: "go1.21",
  compiler: "gc",
  os: "linux",
  architecture: "amd64",
  release: "1.7.0",
  distro: "argo-ams emulator"
} as const

/** The service roles of the calling real user (the service token is no user on open routes, §10.1). */
const callerServiceRoles = (context: Context) =>
  Effect.map(Common.snapshot(context), (db) => {
    const user = Common.callerUser(context, db)
    return user === undefined ? undefined : user.serviceRoles ?? []
  })

const canSeeDetails = (roles: ReadonlyArray<string>) =>
  roles.includes("service_admin") || roles.includes("admin_viewer")

/**
 * `ams:healthStatus` — GET /v1/status (open). With `details=true`: unknown or missing token → 403, a user
 * without service_admin/admin_viewer → 401 (the server's inverted codes, §5.8).
 */
export const health: Handler = (context) =>
  Effect.gen(function*() {
    const { config } = context.env
    if (context.query.get("details") === "true") {
      const roles = yield* callerServiceRoles(context)
      if (roles === undefined) return yield* Effect.fail(Errors.forbidden())
      if (!canSeeDetails(roles)) return yield* Effect.fail(Errors.unauthorized())
    }
    if (!config.pushEnabled) return Reply.oneSpaceJson({ status: "ok", push_functionality: "disabled" })
    const db = yield* Common.snapshot(context)
    const worker = Push.pushWorker(db, config)
    return Reply.oneSpaceJson({
      status: worker === undefined ? "warning" : "ok",
      push_servers: [{ endpoint: "localhost:5555", status: "SERVING" }]
    })
  })

const withRelease = (caller: Caller, roles: ReadonlyArray<string> | undefined) =>
  caller.token !== "" && roles !== undefined && canSeeDetails(roles)

/** `version:list` — GET /v1/version (open); `release` only for real service_admin/admin_viewer users. */
export const version: Handler = (context) =>
  Effect.map(callerServiceRoles(context), (roles) => {
    const { architecture, build_time, compiler, distro, golang, os, release } = versionInfo
    const hostname = context.env.config.proxyHostname
    return Reply.oneSpaceJson({
      build_time,
      golang,
      compiler,
      os,
      architecture,
      ...(withRelease(context.caller, roles) ? { release } : {}),
      distro,
      ...(hostname === "" ? {} : { hostname })
    })
  })
