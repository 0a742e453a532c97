// Users in the engine: creation, role and membership validation, and the User JSON views (§4.5).
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as HashMap from "effect/HashMap"
import * as Errors from "./errors.js"
import * as Ids from "./ids.js"
import type { RoleTable } from "./roles.js"
import type { Db, Membership, UserRec } from "./state.js"
import * as State from "./state.js"
import { formatSeconds, truncateToSeconds } from "./time.js"

/** What every new user gets: generated uuid and token, the creation time and the creator's uuid. */
export interface Identity {
  readonly uuid: string
  readonly token: string
  /** Epoch milliseconds. */
  readonly now: number
  /** The creator's user uuid ("" = the service token). */
  readonly createdBy: string
}

/** The optional fields of a new user (empty, no service roles, no projects when absent). */
export type Profile = Partial<
  Pick<UserRec, "email" | "firstName" | "lastName" | "organization" | "description" | "serviceRoles" | "projects">
>

/** Draws a new user's uuid and token (from `Random`) and the time (from `Clock`), before the transaction. */
export const identity = (createdBy: string): Effect.Effect<Identity> =>
  Effect.map(
    Effect.all([Ids.uuid, Ids.token, Clock.currentTimeMillis]),
    ([uuid, token, now]) => ({ uuid, token, now, createdBy })
  )

/**
 * Adds a new user named `name` (every creation route: users:create, projects:createUser, registration
 * accept): 409 "User already exists" when the name is taken, then `profile`'s own validation.
 */
export const insert = (
  db: Db,
  name: string,
  identity: Identity,
  profile: () => Either.Either<Profile, Errors.ApiError>
): Either.Either<readonly [UserRec, Db], Errors.ApiError> =>
  Either.gen(function*() {
    if (State.userByName(db, name) !== undefined) return yield* Either.left(Errors.conflict("User"))
    const fields = yield* profile()
    const created = truncateToSeconds(identity.now)
    const user: UserRec = {
      uuid: identity.uuid,
      name,
      token: identity.token,
      email: "",
      firstName: "",
      lastName: "",
      organization: "",
      description: "",
      serviceRoles: [],
      projects: [],
      ...fields,
      createdOn: created,
      modifiedOn: created,
      createdBy: identity.createdBy,
      seq: db.seq + 1
    }
    return [user, State.putUser({ ...db, seq: user.seq }, user)] as const
  })

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

/** A `projects` entry; a dangling membership (its project deleted) shows an empty project name (§6.9). */
const membershipJson = (db: Db, user: UserRec, membership: Membership) => {
  const named = (
    items: HashMap.HashMap<
      string,
      { readonly projectUuid: string; readonly acl: ReadonlyArray<string>; readonly seq: number; readonly name: string }
    >
  ) =>
    State.inProject(items, membership.projectUuid).filter((item) => item.acl.includes(user.uuid)).map((item) =>
      item.name
    )
  return {
    project: State.get(db.projects, membership.projectUuid)?.name ?? "",
    roles: membership.roles,
    topics: named(db.topics),
    subscriptions: named(db.subscriptions)
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
  const createdBy = options.privileged ? userName(db, user.createdBy) : ""
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

/** The name of the user with this uuid; "" for "" (the service token, the seed) and for a deleted user. */
export const userName = (db: Db, uuid: string): string => uuid === "" ? "" : State.get(db.users, uuid)?.name ?? ""

/** Finds a user by name or fails with 404 "User doesn't exist". */
export const findUser = (db: Db, name: string): Either.Either<UserRec, Errors.ApiError> =>
  Either.fromNullable(State.userByName(db, name), () => Errors.notFound("User"))
