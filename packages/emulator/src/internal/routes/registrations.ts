// Registration routes (§5.6): new user registrations, accept (creates the user), decline, show, list, delete.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Errors from "../errors.js"
import * as Ids from "../ids.js"
import * as Json from "../json.js"
import * as Reply from "../reply.js"
import type { Context, Handler } from "../router.js"
import type { Db, RegistrationRec } from "../state.js"
import * as State from "../state.js"
import { formatSeconds, truncateToSeconds } from "../time.js"
import * as Users from "../users.js"
import * as Common from "./common.js"

/** The Registration JSON of §4.10. */
export const registrationJson = (db: Db, r: RegistrationRec) => {
  const modifiedBy = Users.userName(db, r.modifiedBy)
  return {
    uuid: r.uuid,
    name: r.name,
    first_name: r.firstName,
    last_name: r.lastName,
    organization: r.organization,
    description: r.description,
    email: r.email,
    status: r.status,
    ...(r.declineComment === "" ? {} : { decline_comment: r.declineComment }),
    ...(r.activationToken === "" ? {} : { activation_token: r.activationToken }),
    registered_at: formatSeconds(r.registeredAt),
    ...(modifiedBy === "" ? {} : { modified_by: modifiedBy }),
    ...(r.modifiedAt === 0 ? {} : { modified_at: formatSeconds(r.modifiedAt) })
  }
}

const registrationBody = Json.struct({
  name: Json.string,
  first_name: Json.string,
  last_name: Json.string,
  organization: Json.string,
  description: Json.string,
  email: Json.string
})

const notFound = () => Errors.notFound("User registration")

/** The path's registration (only a pending one for accept/decline), or 404 "User registration doesn't exist". */
const find = (context: Context, db: Db, pendingOnly: boolean): Either.Either<RegistrationRec, Errors.ApiError> => {
  const r = State.get(db.registrations, context.vars["uuid"]!)
  return r === undefined || (pendingOnly && r.status !== "pending") ? Either.left(notFound()) : Either.right(r)
}

/** Closes a pending registration: its new status, by the caller, now; the activation token is cleared. */
const settle = (
  context: Context,
  r: RegistrationRec,
  now: number,
  fields: Pick<RegistrationRec, "status"> & Partial<Pick<RegistrationRec, "declineComment">>
): RegistrationRec => ({
  ...r,
  ...fields,
  activationToken: "",
  modifiedBy: context.caller.userUuid,
  modifiedAt: truncateToSeconds(now)
})

/** `registrations:newUser` — POST /v1/registrations */
export const create: Handler = (context) =>
  Effect.gen(function*() {
    const body = yield* Common.decodeBody(context, registrationBody, () => Errors.invalidArgument("User"))
    const [uuid, token, now] = yield* Effect.all([Ids.uuid, Ids.token, Clock.currentTimeMillis])
    return yield* Common.update(context, (db) => {
      const name = body.name ?? ""
      if (State.userByName(db, name) !== undefined) return Either.left(Errors.conflict("User"))
      const registration: RegistrationRec = {
        uuid,
        name,
        firstName: body.first_name ?? "",
        lastName: body.last_name ?? "",
        organization: body.organization ?? "",
        description: body.description ?? "",
        email: body.email ?? "",
        status: "pending",
        declineComment: "",
        activationToken: token,
        registeredAt: truncateToSeconds(now),
        modifiedBy: "",
        modifiedAt: 0,
        seq: db.seq + 1
      }
      const next = State.putRegistration({ ...db, seq: registration.seq }, registration)
      return Either.right([Reply.json(registrationJson(next, registration)), next] as const)
    })
  })

/** `registrations:acceptNewUser` — POST /v1/registrations/{uuid}:accept: creates the user (no projects). */
export const accept: Handler = (context) =>
  Effect.gen(function*() {
    const identity = yield* Users.identity(context.caller.userUuid)
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const r = yield* find(context, db, true)
        const [user, withUser] = yield* Users.insert(db, r.name, identity, () =>
          Either.right({
            email: r.email,
            firstName: r.firstName,
            lastName: r.lastName,
            organization: r.organization,
            description: r.description
          }))
        const next = State.putRegistration(withUser, settle(context, r, identity.now, { status: "accepted" }))
        return [Reply.json(Users.fullJson(next, user)), next] as const
      }))
  })

/** `registrations:declineNewUser` — POST /v1/registrations/{uuid}:decline with `{"comment": "..."}`; answers `{}`. */
export const decline: Handler = (context) =>
  Effect.gen(function*() {
    yield* Common.fromEither(find(context, yield* Common.snapshot(context), true))
    const body = yield* Common.decodeBody(context, Json.stringMap, Errors.invalidRequestBody)
    const now = yield* Clock.currentTimeMillis
    return yield* Common.update(context, (db) =>
      Either.map(find(context, db, true), (r) =>
        [
          Reply.emptyObject,
          State.putRegistration(
            db,
            settle(context, r, now, { status: "declined", declineComment: body["comment"] ?? "" })
          )
        ] as const))
  })

/** `registrations:show` — GET /v1/registrations/{uuid} */
export const show: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const r = yield* Common.fromEither(find(context, db, false))
    return Reply.json(registrationJson(db, r))
  })

const filters = ["status", "activation_token", "name", "email", "organization"] as const

const fieldOf = (r: RegistrationRec, filter: typeof filters[number]): string => {
  switch (filter) {
    case "status":
      return r.status
    case "activation_token":
      return r.activationToken
    case "name":
      return r.name
    case "email":
      return r.email
    case "organization":
      return r.organization
  }
}

/** `registrations:list` — GET /v1/registrations?status&activation_token&name&email&organization */
export const list: Handler = (context) =>
  Effect.map(Common.snapshot(context), (db) => {
    const wanted = filters.flatMap((f) => {
      const value = context.query.get(f) ?? ""
      return value === "" ? [] : [[f, value] as const]
    })
    const registrations = State.valuesOf(db.registrations)
      .filter((r) => wanted.every(([f, value]) => fieldOf(r, f) === value))
      .sort(State.bySeq)
    return Reply.json({ user_registrations: registrations.map((r) => registrationJson(db, r)) })
  })

/** `registrations:delete` — DELETE /v1/registrations/{uuid} (service token only, per the role table). */
export const remove: Handler = (context) =>
  Common.update(
    context,
    (db) =>
      Either.map(find(context, db, false), (r) =>
        [Reply.empty, { ...db, registrations: HashMap.remove(db.registrations, r.uuid) }] as const)
  )
