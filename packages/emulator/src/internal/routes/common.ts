// Helpers shared by the route handlers: caller roles, path lookups, body decoding, ACLs, listings, transactions.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as STM from "effect/STM"
import * as TRef from "effect/TRef"
import * as Errors from "../errors.js"
import * as Json from "../json.js"
import * as Paging from "../paging.js"
import * as Reply from "../reply.js"
import type { Caller, Context } from "../router.js"
import type { Db, ProjectRec, SubscriptionRec, TopicRec, UserRec } from "../state.js"
import * as State from "../state.js"

/** The caller holds `role`. */
export const has = (caller: Caller, role: string): boolean => caller.roles.includes(role)

/** Neither project nor service admin, but `role` (publisher/consumer): listings are filtered by ACL (§2.4). */
export const isPureRole = (caller: Caller, role: string): boolean =>
  !has(caller, "project_admin") && !has(caller, "service_admin") && has(caller, role)

/**
 * The real user holding the request's token, for the open routes that do their own token handling (the
 * service token is no user there, §10.1).
 */
export const callerUser = (context: Context, db: Db): UserRec | undefined =>
  context.caller.token === "" ? undefined : State.userByToken(db, context.caller.token)

/** The path's project (the pipeline guarantees it on authenticated project routes). */
export const project = (context: Context): Effect.Effect<ProjectRec, Errors.ApiError> =>
  context.project === undefined ? Effect.fail(Errors.notFound("project")) : Effect.succeed(context.project)

/** The path's topic, or 404 "Topic doesn't exist". */
export const findTopic = (db: Db, project: ProjectRec, name: string): Either.Either<TopicRec, Errors.ApiError> =>
  Either.fromNullable(State.topic(db, project.uuid, name), () => Errors.notFound("Topic"))

/** The path's subscription, or 404 "Subscription doesn't exist". */
export const findSubscription = (
  db: Db,
  project: ProjectRec,
  name: string
): Either.Either<SubscriptionRec, Errors.ApiError> =>
  Either.fromNullable(State.subscription(db, project.uuid, name), () => Errors.notFound("Subscription"))

/**
 * The topics or subscriptions of a project a listing shows, newest first: a caller who is neither project nor
 * service admin but holds `role` (publisher/consumer) sees only those whose ACL names them (§2.4).
 */
export const visible = <
  A extends { readonly projectUuid: string; readonly seq: number; readonly acl: ReadonlyArray<string> }
>(
  context: Context,
  items: HashMap.HashMap<string, A>,
  project: ProjectRec,
  role: "publisher" | "consumer"
): Array<A> => {
  const { caller } = context
  const onlyAcl = isPureRole(caller, role)
  return State.inProject(items, project.uuid).filter((item) => !onlyAcl || item.acl.includes(caller.userUuid))
    .reverse()
}

/** Pages a newest-first listing by the request's `pageSize` and `pageToken` (§8.3). */
export const paginate = <A extends { readonly seq: number }>(
  context: Context,
  items: ReadonlyArray<A>
): Effect.Effect<Paging.Page<A>, Errors.ApiError> =>
  fromEither(Paging.paginate(items, (item) => item.seq, context.query.get("pageSize"), context.query.get("pageToken")))

/** Decodes the request body or fails with `error`. */
export const decodeBody = <A>(context: Context, decode: Json.Decode<A>, error: () => Errors.ApiError) =>
  Option.match(Json.decodeBody(context.body, decode), {
    onNone: () => Effect.fail(error()),
    onSome: (value) => Effect.succeed(value)
  })

/** An `Either` as an Effect. */
export const fromEither = <A>(either: Either.Either<A, Errors.ApiError>): Effect.Effect<A, Errors.ApiError> =>
  Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

const aclBody = Json.struct({ authorized_users: Json.array(Json.string) })

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
    if (user === undefined || !State.isMember(user, projectUuid)) missing.push(name)
    else uuids.push(user.uuid)
  }
  return missing.length > 0 ? Either.left(Errors.usersNotFound(missing)) : Either.right(uuids)
}

/** The ACL document `{"authorized_users": [...]}`. */
export const aclDocument = (db: Db, acl: ReadonlyArray<string>) => ({ authorized_users: State.aclNames(db, acl) })

/**
 * `topics:modifyAcl` and `subscriptions:modifyAcl`: `{"authorized_users": [...]}` replaces the ACL of the
 * path's resource (a missing or null list is "Invalid <resource> ACL Arguments"). Like the real (Mongo)
 * store, a missing resource still answers 200.
 */
export const modifyAcl = (
  context: Context,
  resource: "Topic" | "Subscription",
  setAcl: (db: Db, project: ProjectRec, acl: ReadonlyArray<string>) => Db
): Effect.Effect<Reply.Reply, Errors.ApiError> =>
  Effect.gen(function*() {
    const path = yield* project(context)
    const invalid = () => Errors.invalidArgument(`${resource} ACL`)
    const body = yield* decodeBody(context, aclBody, invalid)
    const names = body.authorized_users
    if (names === undefined || names === null) return yield* Effect.fail(invalid())
    return yield* update(context, (db) =>
      Either.map(
        resolveAclUsers(db, path.uuid, names),
        (uuids) => [Reply.empty, setAcl(db, path, uuids)] as const
      ))
  })

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
