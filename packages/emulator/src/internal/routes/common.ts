// Helpers shared by the route handlers: caller roles, the path project, body decoding, ACL updates.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as STM from "effect/STM"
import * as TRef from "effect/TRef"
import * as Errors from "../errors.js"
import * as Json from "../json.js"
import type { Caller, Context } from "../router.js"
import type { Db, ProjectRec } from "../state.js"
import * as State from "../state.js"

/** The caller holds `role`. */
export const has = (caller: Caller, role: string): boolean => caller.roles.includes(role)

/** Neither project nor service admin, but `role` (publisher/consumer): listings are filtered by ACL (§2.4). */
export const isPureRole = (caller: Caller, role: string): boolean =>
  !has(caller, "project_admin") && !has(caller, "service_admin") && has(caller, role)

/** The path's project (the pipeline guarantees it on authenticated project routes). */
export const project = (context: Context): Effect.Effect<ProjectRec, Errors.ApiError> =>
  context.project === undefined ? Effect.fail(Errors.notFound("project")) : Effect.succeed(context.project)

/** Decodes the request body or fails with `error`. */
export const decodeBody = <A>(context: Context, decode: Json.Decode<A>, error: () => Errors.ApiError) =>
  Option.match(Json.decodeBody(context.body, decode), {
    onNone: () => Effect.fail(error()),
    onSome: (value) => Effect.succeed(value)
  })

/** An `Either` as an Effect. */
export const fromEither = <A>(either: Either.Either<A, Errors.ApiError>): Effect.Effect<A, Errors.ApiError> =>
  Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

/** The ACL update body `{"authorized_users": [...]}`; a missing or null list is an error. */
export const aclBody = Json.struct({ authorized_users: Json.array(Json.string) })

/**
 * Resolves ACL user names to uuids: every name must be a user that is a member of the project, else
 * 404 "User(s): a, b do not exist".
 */
export const resolveAclUsers = (
  db: Db,
  projectUuid: string,
  names: ReadonlyArray<string>
): Either.Either<ReadonlyArray<string>, Errors.ApiError> => {
  const missing: Array<string> = []
  const uuids: Array<string> = []
  for (const name of names) {
    const user = State.userByName(db, name)
    if (user === undefined || !user.projects.some((m) => m.projectUuid === projectUuid)) missing.push(name)
    else uuids.push(user.uuid)
  }
  return missing.length > 0 ? Either.left(Errors.usersNotFound(missing)) : Either.right(uuids)
}

/** The ACL document `{"authorized_users": [...]}`. */
export const aclDocument = (db: Db, acl: ReadonlyArray<string>) => ({ authorized_users: State.aclNames(db, acl) })

/** Runs `f` atomically: its new state is stored whatever the outcome (for the server's write-then-fail bugs). */
export const transact = <A>(
  context: Context,
  f: (db: Db) => readonly [Either.Either<A, Errors.ApiError>, Db]
): Effect.Effect<A, Errors.ApiError> => Effect.flatMap(STM.commit(TRef.modify(context.env.store, f)), fromEither)

/** Runs `f` atomically: the new state is stored only on success. */
export const update = <A>(
  context: Context,
  f: (db: Db) => Either.Either<readonly [A, Db], Errors.ApiError>
): Effect.Effect<A, Errors.ApiError> =>
  transact(context, (db) =>
    Either.match(f(db), {
      onLeft: (error) => [Either.left(error), db] as const,
      onRight: ([value, next]) => [Either.right(value), next] as const
    }))

/** A consistent snapshot of the state. */
export const snapshot = (context: Context): Effect.Effect<Db> => STM.commit(State.read(context.env.store))
