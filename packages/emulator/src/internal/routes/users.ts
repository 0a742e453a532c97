// User routes (§5.5): byToken, byUUID, list, profile, show, refreshToken, create, update, delete.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Errors from "../errors.js"
import * as Ids from "../ids.js"
import { paginate } from "../paging.js"
import * as Reply from "../reply.js"
import type { Context, Handler } from "../router.js"
import type { Db, UserRec } from "../state.js"
import * as State from "../state.js"
import * as Users from "../users.js"
import * as Common from "./common.js"

const decode = (context: Context) =>
  Option.match(Users.decodeUser(context.body), {
    onNone: () => Effect.fail(Errors.invalidArgument("User")),
    onSome: Effect.succeed
  })

const putUser = (db: Db, user: UserRec): Db => ({ ...db, users: State.setIn(db.users, user.uuid, user) })

const seconds = (millis: number) => Math.floor(millis / 1000) * 1000

/** `users:byToken` — GET /v1/users:byToken/{token} */
export const byToken: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const user = State.userByToken(db, context.vars["token"]!)
    if (user === undefined) return yield* Effect.fail(Errors.notFound("User"))
    return Reply.json(Users.fullJson(db, user))
  })

/** `users:byUUID` — GET /v1/users:byUUID/{uuid} */
export const byUuid: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const user = db.users.get(context.vars["uuid"]!)
    if (user === undefined) return yield* Effect.fail(Errors.notFound("User"))
    return Reply.json(Users.fullJson(db, user))
  })

/** `users:list` — GET /v1/users?pageSize&pageToken&details&project */
export const list: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const { query } = context
    const projectName = query.get("project") ?? ""
    let projectUuid: string | undefined = undefined
    if (projectName !== "") {
      const project = State.projectByName(db, projectName)
      if (project === undefined) return yield* Effect.fail(Errors.notFound("ProjectUUID"))
      projectUuid = project.uuid
    }
    const users = [...db.users.values()]
      .filter((u) => projectUuid === undefined || u.projects.some((m) => m.projectUuid === projectUuid))
      .sort((a, b) => b.seq - a.seq)
    const page = yield* Common.fromEither(paginate(users, (u) => u.seq, query.get("pageSize"), query.get("pageToken")))
    const details = query.get("details") === "true"
    return Reply.json({
      users: page.items.map((u) => Users.userJson(db, u, { details, privileged: true })),
      nextPageToken: page.nextPageToken,
      totalSize: page.totalSize
    })
  })

/** `users:profile` — GET /v1/users/profile (open: only a real user's token works, not the service token). */
export const profile: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const token = context.caller.token
    const user = token === "" ? undefined : State.userByToken(db, token)
    if (user === undefined) return yield* Effect.fail(Errors.unauthorized())
    return Reply.json(Users.fullJson(db, user))
  })

/** `users:show` — GET /v1/users/{user} */
export const show: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const user = yield* Common.fromEither(Users.findUser(db, context.vars["user"]!))
    return Reply.json(Users.fullJson(db, user))
  })

/** `users:refreshToken` — POST /v1/users/{user}:refreshToken (body ignored) */
export const refreshToken: Handler = (context) =>
  Effect.gen(function*() {
    const token = yield* Ids.token
    return yield* Common.update(context, (db) =>
      Either.map(Users.findUser(db, context.vars["user"]!), (user) => {
        const next = putUser(db, { ...user, token })
        return [Reply.json(Users.fullJson(next, next.users.get(user.uuid)!)), next] as const
      }))
  })

/** `users:create` — POST /v1/users/{user} */
export const create: Handler = (context) =>
  Effect.gen(function*() {
    const body = yield* decode(context)
    const [uuid, token, now] = yield* Effect.all([Ids.uuid, Ids.token, Clock.currentTimeMillis])
    const { roleTable } = context.env.config
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const name = context.vars["user"]!
        if (State.userByName(db, name) !== undefined) return yield* Either.left(Errors.conflict("User"))
        const projects = yield* Users.resolveMemberships(db, roleTable, body.projects ?? [])
        const serviceRoles = body.service_roles ?? null
        if (serviceRoles !== null) yield* Users.checkRoles(roleTable, serviceRoles)
        const user: UserRec = {
          uuid,
          name,
          token,
          email: body.email ?? "",
          firstName: body.first_name ?? "",
          lastName: body.last_name ?? "",
          organization: body.organization ?? "",
          description: body.description ?? "",
          serviceRoles,
          projects,
          createdOn: seconds(now),
          modifiedOn: seconds(now),
          createdBy: context.caller.userUuid,
          seq: db.seq + 1
        }
        const next = putUser({ ...db, seq: db.seq + 1 }, user)
        return [Reply.json(Users.fullJson(next, user)), next] as const
      }))
  })

/**
 * `users:update` — PUT /v1/users/{user}. Like `auth.UpdateUser`, the projects and roles are validated
 * before the user is looked up; the rename conflict comes last.
 */
export const update: Handler = (context) =>
  Effect.gen(function*() {
    const body = yield* decode(context)
    const now = yield* Clock.currentTimeMillis
    const { roleTable } = context.env.config
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const projects = body.projects === undefined || body.projects === null
          ? undefined
          : yield* Users.resolveMemberships(db, roleTable, body.projects)
        const serviceRoles = body.service_roles ?? null
        if (serviceRoles !== null) yield* Users.checkRoles(roleTable, serviceRoles)
        const user = yield* Users.findUser(db, context.vars["user"]!)
        const rename = body.name ?? ""
        if (rename !== "" && rename !== user.name && State.userByName(db, rename) !== undefined) {
          return yield* Either.left(Errors.invalidData("invalid user name change, name already exists"))
        }
        const pick = (
          value: string | undefined,
          previous: string
        ) => (value === undefined || value === "" ? previous : value)
        const updated: UserRec = {
          ...user,
          name: pick(body.name, user.name),
          firstName: pick(body.first_name, user.firstName),
          lastName: pick(body.last_name, user.lastName),
          organization: pick(body.organization, user.organization),
          description: pick(body.description, user.description),
          email: pick(body.email, user.email),
          projects: projects ?? user.projects,
          serviceRoles: serviceRoles ?? user.serviceRoles,
          modifiedOn: seconds(now)
        }
        const next = putUser(db, updated)
        return [Reply.json(Users.fullJson(next, updated)), next] as const
      }))
  })

/** `users:delete` — DELETE /v1/users/{user}; the user's id silently disappears from ACLs (§6.9). */
export const remove: Handler = (context) =>
  Common.update(
    context,
    (db) =>
      Either.map(Users.findUser(db, context.vars["user"]!), (user) =>
        [Reply.empty, { ...db, users: State.removeFrom(db.users, user.uuid) }] as const)
  )
