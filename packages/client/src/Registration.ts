/**
 * User registrations (`/v1/registrations...`): sign-up requests that an administrator accepts (creating
 * the user) or declines.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { AmsError } from "./AmsError.js"
import type * as AmsHttp from "./AmsHttp.js"
import * as Operation from "./internal/operation.js"
import * as Wire from "./internal/wire.js"
import { User } from "./User.js"

/**
 * The state of a registration.
 *
 * @since 0.1.0
 * @category models
 */
export type Status = "pending" | "accepted" | "declined"

/**
 * A registration as the server shows it (ams-api.md §4.10).
 *
 * @since 0.1.0
 * @category models
 */
export class Registration extends Schema.Class<Registration>("Registration")({
  uuid: Schema.String,
  /** The user name asked for. */
  name: Schema.String,
  firstName: Schema.optionalWith(Schema.String, { default: () => "" }).pipe(Schema.fromKey("first_name")),
  lastName: Schema.optionalWith(Schema.String, { default: () => "" }).pipe(Schema.fromKey("last_name")),
  organization: Schema.optionalWith(Schema.String, { default: () => "" }),
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  email: Schema.optionalWith(Schema.String, { default: () => "" }),
  status: Schema.Literal("pending", "accepted", "declined"),
  declineComment: Schema.optional(Schema.String).pipe(Schema.fromKey("decline_comment")),
  /** Present while the registration is pending; cleared on accept/decline. */
  activationToken: Schema.optional(Schema.Redacted(Schema.String)).pipe(Schema.fromKey("activation_token")),
  registeredAt: Schema.optional(Schema.Date).pipe(Schema.fromKey("registered_at")),
  /** The user name of the administrator who accepted or declined it. */
  modifiedBy: Schema.optional(Schema.String).pipe(Schema.fromKey("modified_by")),
  modifiedAt: Schema.optional(Schema.Date).pipe(Schema.fromKey("modified_at"))
}) {}

const RegistrationList = Schema.transform(
  Schema.Struct({
    user_registrations: Schema.optionalWith(Schema.Array(Registration), { nullable: true, default: () => [] })
  }),
  Schema.Array(Schema.typeSchema(Registration)),
  {
    strict: true,
    decode: ({ user_registrations }) => user_registrations,
    encode: (registrations) => ({ user_registrations: registrations })
  }
)

/**
 * What a new registration asks for.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fields {
  readonly name: string
  readonly email: string
  readonly firstName?: string | undefined
  readonly lastName?: string | undefined
  readonly organization?: string | undefined
  readonly description?: string | undefined
}

/**
 * Registers a new user, pending approval (`POST /v1/registrations`); needs `service_admin` or
 * `register_admin`. `409 User already exists` when a user of that name exists.
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (
  fields: Fields,
  options?: AmsHttp.RequestOptions
): Effect.Effect<Registration, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("registration.create", () => {
    const body: Record<string, string> = { name: fields.name }
    if (fields.firstName !== undefined) body.first_name = fields.firstName
    if (fields.lastName !== undefined) body.last_name = fields.lastName
    body.email = fields.email
    if (fields.organization !== undefined) body.organization = fields.organization
    if (fields.description !== undefined) body.description = fields.description
    return Operation.run({
      operation: "registration.create",
      method: "POST",
      projectScoped: false,
      names: [["user", fields.name]],
      path: () => "/registrations",
      body,
      response: Registration,
      options
    })
  })

/**
 * Accepts a pending registration, creating the user (`POST /v1/registrations/{uuid}:accept`); needs
 * `service_admin`. Answers with the new user (token included).
 *
 * @since 0.1.0
 * @category operations
 */
export const accept = (
  uuid: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("registration.accept", () =>
    Operation.run({
      operation: "registration.accept",
      method: "POST",
      projectScoped: false,
      names: [["uuid", uuid]],
      path: () => `/registrations/${uuid}:accept`,
      response: User,
      options
    }))

/**
 * Options of `decline`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeclineOptions extends AmsHttp.RequestOptions {
  /** Why the registration was declined, kept as `declineComment`. */
  readonly comment?: string | undefined
}

/**
 * Declines a pending registration (`POST /v1/registrations/{uuid}:decline`, body `{"comment"}` or `{}`:
 * the server refuses an empty body); needs `service_admin`.
 *
 * @since 0.1.0
 * @category operations
 */
export const decline = (uuid: string, options?: DeclineOptions): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("registration.decline", () =>
    Operation.run({
      operation: "registration.decline",
      method: "POST",
      projectScoped: false,
      names: [["uuid", uuid]],
      path: () => `/registrations/${uuid}:decline`,
      body: options?.comment === undefined ? {} : { comment: options.comment },
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

/**
 * Gets a registration (`GET /v1/registrations/{uuid}`); needs `service_admin`.
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (
  uuid: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<Registration, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("registration.get", () =>
    Operation.run({
      operation: "registration.get",
      method: "GET",
      projectScoped: false,
      names: [["uuid", uuid]],
      path: () => `/registrations/${uuid}`,
      response: Registration,
      options
    }))

/**
 * Filters of `list`: every filter given must match exactly.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions extends AmsHttp.RequestOptions {
  readonly status?: Status | undefined
  readonly name?: string | undefined
  readonly email?: string | undefined
  readonly organization?: string | undefined
  readonly activationToken?: Redacted.Redacted<string> | undefined
}

/**
 * Lists registrations (`GET /v1/registrations`), optionally filtered by `status`, `name`, `email`,
 * `organization` or `activationToken`; needs `service_admin`.
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (
  options?: ListOptions
): Effect.Effect<ReadonlyArray<Registration>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("registration.list", () => {
    const query: Record<string, string> = {}
    if (options?.status !== undefined) query.status = options.status
    if (options?.name !== undefined) query.name = options.name
    if (options?.email !== undefined) query.email = options.email
    if (options?.organization !== undefined) query.organization = options.organization
    if (options?.activationToken !== undefined) query.activation_token = Redacted.value(options.activationToken)
    return Operation.run({
      operation: "registration.list",
      method: "GET",
      projectScoped: false,
      path: () => "/registrations",
      query,
      // An activation token in the query must not be recorded with the URL on the HTTP client's span.
      secretInUrl: options?.activationToken !== undefined,
      response: RegistrationList,
      options
    })
  })

/**
 * Deletes a registration (`DELETE /v1/registrations/{uuid}`). The reference deployment allows this only
 * to the service token.
 *
 * @since 0.1.0
 * @category operations
 */
export const remove = (
  uuid: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("registration.remove", () =>
    Operation.run({
      operation: "registration.remove",
      method: "DELETE",
      projectScoped: false,
      names: [["uuid", uuid]],
      path: () => `/registrations/${uuid}`,
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))
