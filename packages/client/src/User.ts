/**
 * Users: the accounts of AMS (`/v1/users...`), their tokens, service roles and project memberships.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { AmsError } from "./AmsError.js"
import { AmsArgumentError } from "./AmsError.js"
import type * as AmsHttp from "./AmsHttp.js"
import * as Names from "./internal/names.js"
import * as Operation from "./internal/operation.js"
import * as Paging from "./internal/paging.js"
import * as Wire from "./internal/wire.js"

const strings = Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, default: () => [] })

// Free text the server omits when empty reads as `""` (as in `Project` and `Registration`); a field whose
// absence means something (no token shown, no creator, no date) is `undefined`.
const text = Schema.optionalWith(Schema.String, { default: () => "" })

/**
 * A user's membership of one project: its roles there, and the short names of the topics and
 * subscriptions whose ACL lists the user (computed by the server, read-only).
 *
 * @since 0.1.0
 * @category models
 */
export class UserProject extends Schema.Class<UserProject>("UserProject")({
  project: Schema.String,
  roles: strings,
  topics: strings,
  subscriptions: strings
}) {}

/**
 * A user as the server shows it (ams-api.md §4.5). The privileged view (callers with `service_admin`)
 * carries the `token` and `createdBy`; project admins see neither, `serviceRoles` empty and only their
 * project. `projects` is empty when the listing was made without `details`. `serviceRoles` is empty when
 * the server sends `null`. Names, organization, description and email the server leaves out are `""`.
 *
 * @since 0.1.0
 * @category models
 */
export class User extends Schema.Class<User>("User")({
  uuid: Schema.String,
  name: Schema.String,
  email: text,
  projects: Schema.optionalWith(Schema.Array(UserProject), { nullable: true, default: () => [] }),
  firstName: text.pipe(Schema.fromKey("first_name")),
  lastName: text.pipe(Schema.fromKey("last_name")),
  organization: text,
  description: text,
  /** The user's AMS token (privileged views only). */
  token: Schema.optional(Schema.Redacted(Schema.String)),
  serviceRoles: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, default: () => [] }).pipe(
    Schema.fromKey("service_roles")
  ),
  createdOn: Schema.optional(Schema.Date).pipe(Schema.fromKey("created_on")),
  modifiedOn: Schema.optional(Schema.Date).pipe(Schema.fromKey("modified_on")),
  /** The creator's user name (privileged views only; absent when created with the service token). */
  createdBy: Schema.optional(Schema.String).pipe(Schema.fromKey("created_by"))
}) {}

/**
 * One page of users.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserPage extends Paging.PageInfo {
  readonly users: ReadonlyArray<User>
}

/**
 * The wire shape of a page of users (`{"users", "nextPageToken", "totalSize"}`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserPage: Schema.Schema<UserPage, {
  readonly users?: ReadonlyArray<Schema.Schema.Encoded<typeof User>> | null | undefined
  readonly nextPageToken?: string | null | undefined
  readonly totalSize: number
}> = Paging.page({ users: Paging.items(User) })

/**
 * A project membership to give a user: the project and the roles there (`project_admin`, `publisher`,
 * `consumer`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Membership {
  readonly project: string
  readonly roles: ReadonlyArray<string>
}

/**
 * The fields of a new user. Only the fields given are sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fields {
  readonly email?: string | undefined
  readonly firstName?: string | undefined
  readonly lastName?: string | undefined
  readonly organization?: string | undefined
  readonly description?: string | undefined
  /** Project memberships. On `update`, the list given (even `[]`) replaces all memberships. */
  readonly projects?: ReadonlyArray<Membership> | undefined
  /** Service roles (`service_admin`, `admin_viewer`, `metrics_viewer`, ...). On `update`, replaces them. */
  readonly serviceRoles?: ReadonlyArray<string> | undefined
}

/**
 * The fields of `update`: those of `Fields` plus `name`, a new name for the user.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpdateFields extends Fields {
  readonly name?: string | undefined
}

/** The wire body of a user create/update: only the fields given, in snake_case. */
const userBody = (fields: UpdateFields): Record<string, unknown> => {
  const body: Record<string, unknown> = {}
  if (fields.name !== undefined) body.name = fields.name
  if (fields.email !== undefined) body.email = fields.email
  if (fields.firstName !== undefined) body.first_name = fields.firstName
  if (fields.lastName !== undefined) body.last_name = fields.lastName
  if (fields.organization !== undefined) body.organization = fields.organization
  if (fields.description !== undefined) body.description = fields.description
  if (fields.projects !== undefined) {
    body.projects = fields.projects.map((membership) => ({ project: membership.project, roles: [...membership.roles] }))
  }
  if (fields.serviceRoles !== undefined) body.service_roles = [...fields.serviceRoles]
  return body
}

/**
 * Options of `listPage` and `stream`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions extends AmsHttp.RequestOptions {
  /** Users per page; `0` (the server's default) means everyone in one page. */
  readonly pageSize?: number | undefined
  /** The `nextPageToken` of the previous page. */
  readonly pageToken?: string | undefined
  /**
   * Include each user's `projects`: `true` (the default, as in the Python client) sends `details=true`;
   * `false` sends nothing, and the server then leaves `projects` out.
   */
  readonly details?: boolean | undefined
  /**
   * Only the members of this project (sent as `project=`). Unlike project-scoped operations, no
   * project means every user: the layer's default project is not used here.
   */
  readonly project?: string | undefined
}

const page = (
  operation: string,
  options: ListOptions | undefined
): Effect.Effect<UserPage, AmsError, AmsHttp.AmsHttp> => {
  const query: Record<string, string> = Paging.query(options)
  if (options?.details !== false) query.details = "true"
  if (options?.project !== undefined) query.project = options.project
  return Operation.run({
    operation,
    method: "GET",
    projectScoped: false,
    names: options?.project === undefined ? [] : [["project", options.project]],
    path: () => "/users",
    check: Paging.checkPageSize(operation, options?.pageSize),
    query,
    response: UserPage,
    options
  })
}

/**
 * Lists one page of users (`GET /v1/users?details=true&pageSize=&pageToken=&project=`), newest first;
 * needs `service_admin`. Unlike the Python client, this sends the parameters the server reads:
 * `pageToken` and `details=true` (not `nextPageToken` and `details=True`).
 *
 * @since 0.1.0
 * @category operations
 */
export const listPage = (options?: ListOptions): Effect.Effect<UserPage, AmsError, AmsHttp.AmsHttp> =>
  page("user.listPage", options)

/**
 * Every user, page after page (`GET /v1/users`); a page is fetched only when the previous one is
 * consumed. `pageSize` defaults to 100 here.
 *
 * @since 0.1.0
 * @category streams
 */
export const stream = (
  options?: Omit<ListOptions, "pageToken">
): Stream.Stream<User, AmsError, AmsHttp.AmsHttp> =>
  Paging.stream(
    (pageToken) => listPage({ ...options, pageSize: options?.pageSize ?? Paging.defaultStreamPageSize, pageToken }),
    (page) => page.users
  )

/**
 * Every user in one request (`GET /v1/users?details=true`, with no page size: the server then answers
 * everything).
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (
  options?: Omit<ListOptions, "pageToken" | "pageSize">
): Effect.Effect<ReadonlyArray<User>, AmsError, AmsHttp.AmsHttp> =>
  Effect.map(page("user.list", { ...options, pageSize: undefined, pageToken: undefined }), (page) => page.users)

// `GET /v1/users/profile` and `/v1/users/usageReport` are routed before `/v1/users/{user}`.
const shadowed: ReadonlySet<string> = new Set(["profile", "usageReport"])

/**
 * Gets a user by name (`GET /v1/users/{U}`); needs `service_admin`. Users called `profile` or
 * `usageReport` cannot be shown by name (the server routes those paths elsewhere): this fails with
 * `AmsArgumentError` instead of returning the caller's own profile.
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (name: string, options?: AmsHttp.RequestOptions): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.run({
    operation: "user.get",
    method: "GET",
    projectScoped: false,
    names: [["user", name]],
    path: () => `/users/${name}`,
    check: shadowed.has(name)
      ? Effect.fail(
        new AmsArgumentError({
          operation: "user.get",
          argument: "user",
          message: `A user called "${name}" cannot be shown: GET /v1/users/${name} is another route`
        })
      )
      : Effect.void,
    response: User,
    options
  })

/**
 * Gets the user holding a token (`GET /v1/users:byToken/{token}`); needs `service_admin` or
 * `push_worker`. The token is neither written into errors nor recorded on spans.
 *
 * @since 0.1.0
 * @category operations
 */
export const getByToken = (
  token: Redacted.Redacted<string>,
  options?: AmsHttp.RequestOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> => {
  const value = Redacted.value(token)
  return Operation.run({
    operation: "user.getByToken",
    method: "GET",
    projectScoped: false,
    path: () => `/users:byToken/${value}`,
    // Not in `names`, which would record the token on the span.
    check: Names.isValid(value)
      ? Effect.void
      : Effect.fail(
        new AmsArgumentError({
          operation: "user.getByToken",
          argument: "token",
          message: `Invalid token name: AMS tokens may contain only letters, digits, "_" and "-"`
        })
      ),
    // The token is part of the path: keep the HTTP client from recording the URL on its span.
    secretInUrl: true,
    response: User,
    options
  })
}

/**
 * Gets a user by UUID (`GET /v1/users:byUUID/{uuid}`); needs `service_admin` or `argo_api_authn`.
 *
 * @since 0.1.0
 * @category operations
 */
export const getByUuid = (
  uuid: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.run({
    operation: "user.getByUuid",
    method: "GET",
    projectScoped: false,
    names: [["uuid", uuid]],
    path: () => `/users:byUUID/${uuid}`,
    response: User,
    options
  })

/**
 * The caller's own user, token included (`GET /v1/users/profile`). Any valid user token works; the
 * service token is not a user and gets 401.
 *
 * @since 0.1.0
 * @category operations
 */
export const profile = (options?: AmsHttp.RequestOptions): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.run({
    operation: "user.profile",
    method: "GET",
    projectScoped: false,
    path: () => "/users/profile",
    response: User,
    options
  })

/**
 * Creates a user (`POST /v1/users/{U}`); needs `service_admin`. The answer carries the generated token.
 *
 * @example
 * import { User } from "@argo-ams/client"
 *
 * const alice = User.create("alice", {
 *   email: "alice@example.org",
 *   projects: [{ project: "ARGO", roles: ["consumer"] }]
 * })
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (
  name: string,
  fields: Fields = {},
  options?: AmsHttp.RequestOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.run({
    operation: "user.create",
    method: "POST",
    projectScoped: false,
    names: [["user", name]],
    path: () => `/users/${name}`,
    body: userBody({ ...fields, name: undefined }),
    response: User,
    options
  })

/**
 * Updates a user (`PUT /v1/users/{U}`); needs `service_admin`. Only the fields given are sent; the server
 * ignores empty strings, replaces all memberships when `projects` is given and the service roles when
 * `serviceRoles` is given; `name` renames the user (checked against the name rule before any request).
 *
 * @since 0.1.0
 * @category operations
 */
export const update = (
  name: string,
  fields: UpdateFields,
  options?: AmsHttp.RequestOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.run({
    operation: "user.update",
    method: "PUT",
    projectScoped: false,
    names: [["user", name]],
    path: () => `/users/${name}`,
    // The new name must pass the server's rule too, or the user could never be addressed again.
    check: fields.name === undefined ? Effect.void : Names.check("user.update", [["user", fields.name]]),
    body: userBody(fields),
    response: User,
    options
  })

/**
 * Deletes a user (`DELETE /v1/users/{U}`); needs `service_admin`.
 *
 * @since 0.1.0
 * @category operations
 */
export const remove = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.run({
    operation: "user.remove",
    method: "DELETE",
    projectScoped: false,
    names: [["user", name]],
    path: () => `/users/${name}`,
    response: Wire.Ignored,
    options
  }).pipe(Effect.asVoid)

/**
 * Gives a user a new token (`POST /v1/users/{U}:refreshToken`); needs `service_admin`. The old token
 * stops working at once; the answer carries the new one. An `AmsHttp` built on the old token is not
 * updated.
 *
 * @since 0.1.0
 * @category operations
 */
export const refreshToken = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.run({
    operation: "user.refreshToken",
    method: "POST",
    projectScoped: false,
    names: [["user", name]],
    path: () => `/users/${name}:refreshToken`,
    response: User,
    options
  })
