// User routes (§5.5): byToken, byUUID, list, profile, show, refreshToken, create, update, delete.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Errors from "../errors.js"
import * as Ids from "../ids.js"
import * as Reply from "../reply.js"
import type { Context, Handler } from "../router.js"
import type { UserRec } from "../state.js"
import * as State from "../state.js"
import { truncateToSeconds } from "../time.js"
import * as Users from "../users.js"
import * as Bodies from "./bodies.js"
import * as Common from "./common.js"

/** A user found by `find` in a snapshot, in the privileged full view; 404 "User doesn't exist" otherwise. */
const showUser = (context: Context, find: (db: State.Db) => UserRec | undefined) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const user = find(db)
    if (user === undefined) return yield* Effect.fail(Errors.notFound("User"))
    return Reply.json(Users.fullJson(db, user))
  })

/** `users:byToken` — GET /v1/users:byToken/{token} */
export const byToken: Handler = (context) => showUser(context, (db) => State.userByToken(db, context.vars["token"]!))

/** `users:byUUID` — GET /v1/users:byUUID/{uuid} */
export const byUuid: Handler = (context) => showUser(context, (db) => State.get(db.users, context.vars["uuid"]!))

/** `users:show` — GET /v1/users/{user} */
export const show: Handler = (context) => showUser(context, (db) => State.userByName(db, context.vars["user"]!))

/** `users:list` — GET /v1/users?pageSize&pageToken&details&project */
export const list: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const { query } = context
    const projectName = query.get("project") ?? ""
    let users = State.valuesOf(db.users)
    if (projectName !== "") {
      const project = State.projectByName(db, projectName)
      if (project === undefined) return yield* Effect.fail(Errors.notFound("ProjectUUID"))
      users = users.filter((u) => State.isMember(u, project.uuid))
    }
    const page = yield* Common.paginate(context, users.sort(State.newestFirst))
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
    const user = Common.callerUser(context, db)
    if (user === undefined) return yield* Effect.fail(Errors.unauthorized())
    return Reply.json(Users.fullJson(db, user))
  })

/** `users:refreshToken` — POST /v1/users/{user}:refreshToken (body ignored) */
export const refreshToken: Handler = (context) =>
  Effect.gen(function*() {
    const token = yield* Ids.token
    return yield* Common.update(context, (db) =>
      Either.map(Users.findUser(db, context.vars["user"]!), (user) => {
        const updated = { ...user, token }
        const next = State.putUser(db, updated)
        return [Reply.json(Users.fullJson(next, updated)), next] as const
      }))
  })

const decode = (context: Context) => Common.decodeBody(context, Bodies.user, () => Errors.invalidArgument("User"))

/** `users:create` — POST /v1/users/{user}; without `service_roles` the user's are `null` (§10.1). */
export const create: Handler = (context) =>
  Effect.gen(function*() {
    const body = yield* decode(context)
    const identity = yield* Users.identity(context.caller.userUuid)
    const { roleTable } = context.env.config
    return yield* Common.update(context, (db) =>
      Either.map(
        Users.insert(db, context.vars["user"]!, identity, () =>
          Either.gen(function*() {
            const projects = yield* Users.resolveMemberships(db, roleTable, body.projects ?? [])
            const serviceRoles = body.service_roles ?? null
            if (serviceRoles !== null) yield* Users.checkRoles(roleTable, serviceRoles)
            return {
              email: body.email ?? "",
              firstName: body.first_name ?? "",
              lastName: body.last_name ?? "",
              organization: body.organization ?? "",
              description: body.description ?? "",
              serviceRoles,
              projects
            }
          })),
        ([user, next]) => [Reply.json(Users.fullJson(next, user)), next] as const
      ))
  })

/** A non-empty string of a body replaces the stored one. */
const pick = (value: string | undefined, previous: string) => (value === undefined || value === "" ? previous : value)

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
          modifiedOn: truncateToSeconds(now)
        }
        const next = State.putUser(db, updated)
        return [Reply.json(Users.fullJson(next, updated)), next] as const
      }))
  })

/** `users:delete` — DELETE /v1/users/{user}; the user's id silently disappears from ACLs (§6.9). */
export const remove: Handler = (context) =>
  Common.update(context, (db) =>
    Either.map(
      Users.findUser(db, context.vars["user"]!),
      (user) => [Reply.empty, { ...db, users: HashMap.remove(db.users, user.uuid) }] as const
    ))
