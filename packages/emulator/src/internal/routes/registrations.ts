// Registration routes (§5.6): new user registrations, accept (creates the user), decline, show, list, delete.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Errors from "../errors.js"
import * as Ids from "../ids.js"
import * as Json from "../json.js"
import * as Reply from "../reply.js"
import type { Handler } from "../router.js"
import type { Db, RegistrationRec, UserRec } from "../state.js"
import * as State from "../state.js"
import { formatSeconds } from "../time.js"
import * as Users from "../users.js"
import * as Common from "./common.js"

const seconds = (millis: number) => Math.floor(millis / 1000) * 1000

/** The Registration JSON of §4.10. */
export const registrationJson = (db: Db, r: RegistrationRec) => {
  const modifiedBy = r.modifiedBy === "" ? "" : db.users.get(r.modifiedBy)?.name ?? ""
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

const find = (db: Db, uuid: string, pendingOnly: boolean): Either.Either<RegistrationRec, Errors.ApiError> => {
  const r = db.registrations.get(uuid)
  return r === undefined || (pendingOnly && r.status !== "pending") ? Either.left(notFound()) : Either.right(r)
}

const put = (db: Db, r: RegistrationRec): Db => ({ ...db, registrations: State.setIn(db.registrations, r.uuid, r) })

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
        registeredAt: seconds(now),
        modifiedBy: "",
        modifiedAt: 0,
        seq: db.seq + 1
      }
      const next = put({ ...db, seq: db.seq + 1 }, registration)
      return Either.right([Reply.json(registrationJson(next, registration)), next] as const)
    })
  })

/** `registrations:acceptNewUser` — POST /v1/registrations/{uuid}:accept: creates the user (no projects). */
export const accept: Handler = (context) =>
  Effect.gen(function*() {
    const [uuid, token, now] = yield* Effect.all([Ids.uuid, Ids.token, Clock.currentTimeMillis])
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const r = yield* find(db, context.vars["uuid"]!, true)
        if (State.userByName(db, r.name) !== undefined) return yield* Either.left(Errors.conflict("User"))
        const user: UserRec = {
          uuid,
          name: r.name,
          token,
          email: r.email,
          firstName: r.firstName,
          lastName: r.lastName,
          organization: r.organization,
          description: r.description,
          serviceRoles: [],
          projects: [],
          createdOn: seconds(now),
          modifiedOn: seconds(now),
          createdBy: context.caller.userUuid,
          seq: db.seq + 1
        }
        const withUser: Db = { ...db, seq: db.seq + 1, users: State.setIn(db.users, uuid, user) }
        const next = put(withUser, {
          ...r,
          status: "accepted",
          activationToken: "",
          modifiedBy: context.caller.userUuid,
          modifiedAt: seconds(now)
        })
        return [Reply.json(Users.fullJson(next, user)), next] as const
      }))
  })

const declineBody = Json.stringMap

/** `registrations:declineNewUser` — POST /v1/registrations/{uuid}:decline with `{"comment": "..."}`; answers `{}`. */
export const decline: Handler = (context) =>
  Effect.gen(function*() {
    const db0 = yield* Common.snapshot(context)
    yield* Common.fromEither(find(db0, context.vars["uuid"]!, true))
    const body = yield* Common.decodeBody(context, declineBody, Errors.invalidRequestBody)
    const now = yield* Clock.currentTimeMillis
    return yield* Common.update(context, (db) =>
      Either.map(find(db, context.vars["uuid"]!, true), (r) =>
        [
          Reply.emptyObject,
          put(db, {
            ...r,
            status: "declined",
            declineComment: body["comment"] ?? "",
            activationToken: "",
            modifiedBy: context.caller.userUuid,
            modifiedAt: seconds(now)
          })
        ] as const))
  })

/** `registrations:show` — GET /v1/registrations/{uuid} */
export const show: Handler = (context) =>
  Effect.gen(function*() {
    const db = yield* Common.snapshot(context)
    const r = yield* Common.fromEither(find(db, context.vars["uuid"]!, false))
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
    const registrations = [...db.registrations.values()]
      .filter((r) => wanted.every(([f, value]) => fieldOf(r, f) === value))
      .sort((a, b) => a.seq - b.seq)
    return Reply.json({ user_registrations: registrations.map((r) => registrationJson(db, r)) })
  })

/** `registrations:delete` — DELETE /v1/registrations/{uuid} (service token only, per the role table). */
export const remove: Handler = (context) =>
  Common.update(
    context,
    (db) =>
      Either.map(find(db, context.vars["uuid"]!, false), (r) =>
        [Reply.empty, { ...db, registrations: State.removeFrom(db.registrations, r.uuid) }] as const)
  )
