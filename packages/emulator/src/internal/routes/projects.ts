// Project routes (§5.4): list, show, create, update, delete (with the §6.9 cascade) and the member routes.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Errors from "../errors.js"
import * as Ids from "../ids.js"
import * as Json from "../json.js"
import * as Reply from "../reply.js"
import type { Context, Handler } from "../router.js"
import type { Db, Membership, ProjectRec, UserRec } from "../state.js"
import * as State from "../state.js"
import { formatSeconds, truncateToSeconds } from "../time.js"
import * as Users from "../users.js"
import * as Bodies from "./bodies.js"
import * as Common from "./common.js"

/** The Project JSON of §4.6 (creator and description omitted when empty). */
export const projectJson = (db: Db, project: ProjectRec) => {
  const createdBy = Users.userName(db, project.createdBy)
  return {
    ...(project.name === "" ? {} : { name: project.name }),
    created_on: formatSeconds(project.createdOn),
    modified_on: formatSeconds(project.modifiedOn),
    ...(createdBy === "" ? {} : { created_by: createdBy }),
    ...(project.description === "" ? {} : { description: project.description })
  }
}

/** `projects:list` — GET /v1/projects; `{}` when there is no project. */
export const list: Handler = (context) =>
  Effect.map(Common.snapshot(context), (db) => {
    const projects = State.valuesOf(db.projects).sort(State.bySeq).map((p) => projectJson(db, p))
    return Reply.json(projects.length === 0 ? {} : { projects })
  })

/** `projects:show` — GET /v1/projects/{project} */
export const show: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    return Reply.json(projectJson(db, State.get(db.projects, project.uuid) ?? project))
  })

const projectBody = Json.struct({ name: Json.string, description: Json.string })

/** `projects:create` — POST /v1/projects/{project} with `{"description": "..."}` */
export const create: Handler = (context) =>
  Effect.gen(function*() {
    const body = yield* Common.decodeBody(context, projectBody, () => Errors.invalidArgument("Project"))
    const [uuid, now] = yield* Effect.all([Ids.uuid, Clock.currentTimeMillis])
    const name = context.vars["project"]!
    return yield* Common.update(context, (db) => {
      if (State.projectByName(db, name) !== undefined) return Either.left(Errors.conflict("Project"))
      const project: ProjectRec = {
        uuid,
        name,
        description: body.description ?? "",
        createdOn: truncateToSeconds(now),
        modifiedOn: truncateToSeconds(now),
        createdBy: context.caller.userUuid,
        seq: db.seq + 1
      }
      const next = State.putProject({ ...db, seq: project.seq }, project)
      return Either.right([Reply.json(projectJson(next, project)), next] as const)
    })
  })

/** `projects:update` — PUT /v1/projects/{project} with `{"name", "description"}` (empty fields unchanged). */
export const update: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const body = yield* Common.decodeBody(context, projectBody, Errors.invalidRequestBody)
    const now = yield* Clock.currentTimeMillis
    return yield* Common.update(context, (db) => {
      const current = State.get(db.projects, project.uuid)
      if (current === undefined) return Either.left(Errors.notFound("ProjectUUID"))
      const name = body.name ?? ""
      if (name !== "" && name !== current.name && State.projectByName(db, name) !== undefined) {
        return Either.left(Errors.invalidData("invalid project name change, name already exists"))
      }
      const updated: ProjectRec = {
        ...current,
        name: name === "" ? current.name : name,
        description: (body.description ?? "") === "" ? current.description : body.description!,
        modifiedOn: truncateToSeconds(now)
      }
      const next = State.putProject(db, updated)
      return Either.right([Reply.json(projectJson(next, updated)), next] as const)
    })
  })

/**
 * `projects:delete` — DELETE /v1/projects/{project}: removes its topics (with their daily counters),
 * subscriptions and schemas; user memberships are left dangling (§6.9).
 */
export const remove: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const elsewhere = (resource: { readonly projectUuid: string }) => resource.projectUuid !== project.uuid
    return yield* Common.update(context, (db) =>
      HashMap.has(db.projects, project.uuid)
        ? Either.right(
          [Reply.empty, {
            ...db,
            projects: HashMap.remove(db.projects, project.uuid),
            topics: HashMap.filter(db.topics, elsewhere),
            subscriptions: HashMap.filter(db.subscriptions, elsewhere),
            schemas: HashMap.filter(db.schemas, elsewhere)
          }] as const
        )
        : Either.left(Errors.notFound("ProjectUUID")))
  })

/** The member view: privileged for service_admin callers, otherwise scoped to the project. */
const memberJson = (context: Context, db: Db, user: UserRec, projectUuid: string, details = true) =>
  Users.userJson(db, user, { details, privileged: Common.has(context.caller, "service_admin"), projectUuid })

/** `projects:listUsers` — GET /v1/projects/{project}/members?pageSize&pageToken&details */
export const listUsers: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const { query } = context
    const members = State.valuesOf(db.users).filter((u) => State.isMember(u, project.uuid))
    const page = yield* Common.paginate(context, members.sort(State.newestFirst))
    const details = query.get("details") === "true"
    return Reply.json({
      users: page.items.map((u) => memberJson(context, db, u, project.uuid, details)),
      nextPageToken: page.nextPageToken,
      totalSize: page.totalSize
    })
  })

/** `projects:showUser` — GET /v1/projects/{project}/members/{user}; 404 for non-members too. */
export const showUser: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const user = State.userByName(db, context.vars["user"]!)
    if (user === undefined || !State.isMember(user, project.uuid)) return yield* Effect.fail(Errors.notFound("User"))
    return Reply.json(memberJson(context, db, user, project.uuid))
  })

const rolesFor = (body: Bodies.User, projectName: string): ReadonlyArray<string> | undefined => {
  const entry = (body.projects ?? []).find((p) => p.project === projectName)
  return entry === undefined ? undefined : entry.roles ?? []
}

const decodeUser = (context: Context) => Common.decodeBody(context, Bodies.user, () => Errors.invalidArgument("User"))

/** `projects:createUser` — POST /v1/projects/{project}/members/{user}: a new user member of the project. */
export const createUser: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const body = yield* decodeUser(context)
    const identity = yield* Users.identity(context.caller.userUuid)
    return yield* Common.update(context, (db) =>
      Either.map(
        Users.insert(db, context.vars["user"]!, identity, () =>
          Either.map(
            Users.checkRoles(context.env.config.roleTable, rolesFor(body, project.name) ?? []),
            (roles) => ({ email: body.email ?? "", projects: [{ projectUuid: project.uuid, roles: [...roles] }] })
          )),
        ([user, next]) => [Reply.json(Users.fullJson(next, user)), next] as const
      ))
  })

const notMember = () => Errors.forbiddenWithMessage("User is not a member of the project")

const replaceRoles = (user: UserRec, projectUuid: string, roles: ReadonlyArray<string>): UserRec => ({
  ...user,
  projects: user.projects.map((
    m
  ): Membership => (m.projectUuid === projectUuid ? { projectUuid, roles: [...roles] } : m))
})

/** `projects:updateUser` — PUT /v1/projects/{project}/members/{user}: replaces the user's roles in the project. */
export const updateUser: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const body = yield* decodeUser(context)
    const now = yield* Clock.currentTimeMillis
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const user = yield* Users.findUser(db, context.vars["user"]!)
        const wanted = rolesFor(body, project.name)
        if (!State.isMember(user, project.uuid) || wanted === undefined) return yield* Either.left(notMember())
        const roles = yield* Users.checkRoles(context.env.config.roleTable, wanted)
        const updated = { ...replaceRoles(user, project.uuid, roles), modifiedOn: truncateToSeconds(now) }
        const next = State.putUser(db, updated)
        return [Reply.json(memberJson(context, next, updated, project.uuid)), next] as const
      }))
  })

const addBody = Json.struct({ roles: Json.array(Json.string) })

/** `projects:addUser` — POST /v1/projects/{project}/members/{user}:add with `{"roles": [...]}` */
export const addUser: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db0 = yield* Common.snapshot(context)
    yield* Common.fromEither(Users.findUser(db0, context.vars["user"]!))
    const body = yield* Common.decodeBody(context, addBody, Errors.invalidRequestBody)
    const now = yield* Clock.currentTimeMillis
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const user = yield* Users.findUser(db, context.vars["user"]!)
        if (State.isMember(user, project.uuid)) {
          return yield* Either.left(Errors.genericConflict("User is already a member of the project"))
        }
        const roles = yield* Users.checkRoles(context.env.config.roleTable, body.roles ?? [])
        const updated: UserRec = {
          ...user,
          projects: [...user.projects, { projectUuid: project.uuid, roles: [...roles] }],
          modifiedOn: truncateToSeconds(now)
        }
        const next = State.putUser(db, updated)
        return [Reply.json(memberJson(context, next, updated, project.uuid)), next] as const
      }))
  })

/** `projects:removeUser` — POST /v1/projects/{project}/members/{user}:remove (body ignored); answers `{}`. */
export const removeUser: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const user = yield* Users.findUser(db, context.vars["user"]!)
        if (!State.isMember(user, project.uuid)) return yield* Either.left(notMember())
        const updated: UserRec = { ...user, projects: user.projects.filter((m) => m.projectUuid !== project.uuid) }
        return [Reply.emptyObject, State.putUser(db, updated)] as const
      }))
  })
