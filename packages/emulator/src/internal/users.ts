// User JSON views (§4.5: privileged vs project-scoped) and the validation of user bodies (roles, projects).
import * as Either from "effect/Either"
import * as Errors from "./errors.js"
import * as Json from "./json.js"
import type { RoleTable } from "./roles.js"
import type { Db, Membership, UserRec } from "./state.js"
import * as State from "./state.js"
import { formatSeconds } from "./time.js"

/** One `projects` entry of a user body. */
const projectEntry = Json.struct({ project: Json.string, roles: Json.array(Json.string) })

const userFields = {
  name: Json.string,
  first_name: Json.string,
  last_name: Json.string,
  organization: Json.string,
  description: Json.string,
  email: Json.string,
  projects: Json.array(projectEntry),
  service_roles: Json.array(Json.string)
}

/** The user body of users:create / users:update / projects:createUser / projects:updateUser. */
export const userBody = Json.struct(userFields)

/** A decoded user body. */
export type UserBody = Json.StructOf<typeof userFields>

/** Decodes a user body (`None` → "Invalid User Arguments"). */
export const decodeUser = (text: string) => Json.decodeBody(text, userBody)

/** The valid role names: the distinct union of the role table's roles (§2.2). */
export const validRoles = (table: RoleTable): ReadonlySet<string> => new Set(Object.values(table).flat())

/** Fails with `invalid role: <r>` on the first role not in the table. */
export const checkRoles = (
  table: RoleTable,
  roles: ReadonlyArray<string>
): Either.Either<ReadonlyArray<string>, Errors.ApiError> => {
  const valid = validRoles(table)
  const bad = roles.find((role) => !valid.has(role))
  return bad === undefined ? Either.right(roles) : Either.left(Errors.invalidData(`invalid role: ${bad}`))
}

/**
 * Resolves the `projects` list of a user body like `auth.CreateUser`/`UpdateUser`: entries with an empty
 * project are skipped; per entry, duplicate, unknown project, then roles are checked.
 */
export const resolveMemberships = (
  db: Db,
  table: RoleTable,
  entries: ReadonlyArray<
    { readonly project?: string | undefined; readonly roles?: ReadonlyArray<string> | null | undefined }
  >
): Either.Either<ReadonlyArray<Membership>, Errors.ApiError> =>
  Either.gen(function*() {
    const seen: Array<string> = []
    const out: Array<Membership> = []
    for (const entry of entries) {
      const name = entry.project ?? ""
      if (name === "") continue
      if (seen.includes(name)) return yield* Either.left(Errors.invalidData(`duplicate reference of project ${name}`))
      seen.push(name)
      const project = State.projectByName(db, name)
      if (project === undefined) return yield* Either.left(Errors.invalidData(`invalid project: ${name}`))
      const roles = yield* checkRoles(table, entry.roles ?? [])
      out.push({ projectUuid: project.uuid, roles: [...roles] })
    }
    return out
  })

const nonEmpty = (key: string, value: string) => (value === "" ? {} : { [key]: value })

const membershipJson = (db: Db, user: UserRec, membership: Membership) => {
  const project = db.projects.get(membership.projectUuid)
  const named = <
    A extends {
      readonly projectUuid: string
      readonly acl: ReadonlyArray<string>
      readonly seq: number
      readonly name: string
    }
  >(
    items: Iterable<A>
  ) =>
    [...items].filter((item) => item.projectUuid === membership.projectUuid && item.acl.includes(user.uuid))
      .sort((a, b) => a.seq - b.seq).map((item) => item.name)
  return {
    project: project?.name ?? "",
    roles: membership.roles,
    topics: named(db.topics.values()),
    subscriptions: named(db.subscriptions.values())
  }
}

/** How much of a user to show. */
export interface ViewOptions {
  /** Include `projects` (false for `users:list` without `details=true`). */
  readonly details: boolean
  /** Privileged (service_admin) view: token, real service roles, created_by, every project. */
  readonly privileged: boolean
  /** Project-scoped view: only this project's entry. */
  readonly projectUuid?: string
}

/** The User JSON of §4.5, keys in the server's struct order. */
export const userJson = (db: Db, user: UserRec, options: ViewOptions) => {
  const memberships = options.privileged || options.projectUuid === undefined
    ? user.projects
    : user.projects.filter((m) => m.projectUuid === options.projectUuid)
  const projects = options.details ? memberships.map((m) => membershipJson(db, user, m)) : []
  const createdBy = options.privileged && user.createdBy !== "" ? db.users.get(user.createdBy)?.name ?? "" : ""
  return {
    uuid: user.uuid,
    ...(projects.length === 0 ? {} : { projects }),
    name: user.name,
    ...nonEmpty("first_name", user.firstName),
    ...nonEmpty("last_name", user.lastName),
    ...nonEmpty("organization", user.organization),
    ...nonEmpty("description", user.description),
    ...(options.privileged ? nonEmpty("token", user.token) : {}),
    email: user.email,
    service_roles: options.privileged ? user.serviceRoles : [],
    created_on: formatSeconds(user.createdOn),
    modified_on: formatSeconds(user.modifiedOn),
    ...nonEmpty("created_by", createdBy)
  }
}

/** The privileged full view with projects. */
export const fullJson = (db: Db, user: UserRec) => userJson(db, user, { details: true, privileged: true })

/** Finds a user by name or fails with 404 "User doesn't exist". */
export const findUser = (db: Db, name: string): Either.Either<UserRec, Errors.ApiError> => {
  const user = State.userByName(db, name)
  return user === undefined ? Either.left(Errors.notFound("User")) : Either.right(user)
}
