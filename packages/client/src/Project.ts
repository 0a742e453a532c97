/**
 * Projects (`/v1/projects...`): the projects themselves, their members and their metrics.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { AmsError } from "./AmsError.js"
import type * as AmsHttp from "./AmsHttp.js"
import * as Names from "./internal/names.js"
import * as Operation from "./internal/operation.js"
import * as Paging from "./internal/paging.js"
import * as Wire from "./internal/wire.js"
import type { Metric } from "./Metric.js"
import { MetricsFromWire } from "./Metric.js"
import { User, UserPage } from "./User.js"

/**
 * A project (ams-api.md §4.6). The server omits empty fields: `description` is then `""`.
 *
 * @since 0.1.0
 * @category models
 */
export class Project extends Schema.Class<Project>("Project")({
  name: Schema.String,
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  createdOn: Schema.optional(Schema.Date).pipe(Schema.fromKey("created_on")),
  modifiedOn: Schema.optional(Schema.Date).pipe(Schema.fromKey("modified_on")),
  /** The creator's user name; absent when the project was created with the service token. */
  createdBy: Schema.optional(Schema.String).pipe(Schema.fromKey("created_by"))
}) {}

const ProjectList = Schema.transform(
  Schema.Struct({ projects: Paging.items(Project) }),
  Schema.Array(Schema.typeSchema(Project)),
  { strict: true, decode: ({ projects }) => projects, encode: (projects) => ({ projects }) }
)

/**
 * Lists every project (`GET /v1/projects`); needs `service_admin`.
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<Project>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.list", () =>
    Operation.run({
      operation: "project.list",
      method: "GET",
      projectScoped: false,
      path: () => "/projects",
      response: ProjectList,
      options
    }))

/**
 * Gets a project (`GET /v1/projects/{P}`); needs `service_admin` or `project_admin` of it.
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<Project, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.get", () =>
    Operation.run({
      operation: "project.get",
      method: "GET",
      projectScoped: false,
      names: [["project", name]],
      path: () => `/projects/${name}`,
      response: Project,
      options
    }))

/**
 * Creates a project (`POST /v1/projects/{P}`, body `{"description"}`); needs `service_admin`.
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (
  name: string,
  fields: { readonly description?: string | undefined } = {},
  options?: AmsHttp.RequestOptions
): Effect.Effect<Project, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.create", () =>
    Operation.run({
      operation: "project.create",
      method: "POST",
      projectScoped: false,
      names: [["project", name]],
      path: () => `/projects/${name}`,
      body: fields.description === undefined ? {} : { description: fields.description },
      response: Project,
      options
    }))

/**
 * Updates a project (`PUT /v1/projects/{P}`): a new `description`, and/or a new `name` (a rename). Only the
 * fields given are sent; the server leaves the others unchanged.
 *
 * @since 0.1.0
 * @category operations
 */
export const update = (
  name: string,
  fields: { readonly description?: string | undefined; readonly name?: string | undefined },
  options?: AmsHttp.RequestOptions
): Effect.Effect<Project, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.update", () => {
    const body: Record<string, string> = {}
    if (fields.name !== undefined) body.name = fields.name
    if (fields.description !== undefined) body.description = fields.description
    return Operation.run({
      operation: "project.update",
      method: "PUT",
      projectScoped: false,
      names: [["project", name]],
      path: () => `/projects/${name}`,
      // The new name must pass the same rule, or the project could never be addressed again.
      check: fields.name === undefined ? Effect.void : Names.check("project.update", [["project", fields.name]]),
      body,
      response: Project,
      options
    })
  })

/**
 * Deletes a project with its topics and subscriptions (`DELETE /v1/projects/{P}`).
 *
 * @since 0.1.0
 * @category operations
 */
export const remove = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.remove", () =>
    Operation.run({
      operation: "project.remove",
      method: "DELETE",
      projectScoped: false,
      names: [["project", name]],
      path: () => `/projects/${name}`,
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

/**
 * The project's metrics (`GET /v1/projects/{P}:metrics`): topic and subscription counts, per-user
 * counts and the daily message series.
 *
 * @since 0.1.0
 * @category operations
 */
export const metrics = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<Metric>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.metrics", () =>
    Operation.run({
      operation: "project.metrics",
      method: "GET",
      projectScoped: false,
      names: [["project", name]],
      path: () => `/projects/${name}:metrics`,
      response: MetricsFromWire,
      options
    }))

// ----------------------------------------------------------------------------------------------------
// Members: these routes are about the layer's default project unless `{ project }` is given.
// ----------------------------------------------------------------------------------------------------

/**
 * Options of `membersPage` and `membersStream`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MembersOptions extends AmsHttp.RequestOptions {
  /** Users per page; `0` (the server's default) means every member in one page. */
  readonly pageSize?: number | undefined
  /** The `nextPageToken` of the previous page. */
  readonly pageToken?: string | undefined
  /** Include each member's `projects` (sent as `details=true`). Default `false`. */
  readonly details?: boolean | undefined
}

/**
 * Lists one page of a project's members (`GET /v1/projects/{P}/members`), of the layer's project unless
 * `{ project }` is given. Service admins get the privileged user view (tokens included); project admins
 * see no tokens and only this project's membership.
 *
 * @since 0.1.0
 * @category operations
 */
export const membersPage = (options?: MembersOptions): Effect.Effect<UserPage, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.membersPage", () => membersOf("project.membersPage", options))

const membersOf = (
  operation: string,
  options: MembersOptions | undefined
): Effect.Effect<UserPage, AmsError, AmsHttp.AmsHttp> => {
  const query: Record<string, string> = Paging.query(options)
  if (options?.details === true) query.details = "true"
  return Operation.run({
    operation,
    method: "GET",
    projectScoped: true,
    path: (project) => `/projects/${project}/members`,
    check: Paging.checkPageSize(operation, options?.pageSize),
    query,
    response: UserPage,
    options
  })
}

/**
 * Every member of a project, page after page (`GET /v1/projects/{P}/members`); `pageSize` defaults to 100.
 *
 * @since 0.1.0
 * @category streams
 */
export const membersStream = (
  options?: Omit<MembersOptions, "pageToken">
): Stream.Stream<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazyStream("project.membersStream", () => {
    // Read once, here: a getter that throws fails the stream before its first page.
    const paging = { ...options, pageSize: options?.pageSize ?? Paging.defaultStreamPageSize }
    return Paging.stream(
      (pageToken) => membersPage({ ...paging, pageToken }),
      (page) => page.users
    )
  })

/**
 * Every member of a project in one request (`GET /v1/projects/{P}/members`), of the layer's project
 * unless `{ project }` is given.
 *
 * @since 0.1.0
 * @category operations
 */
export const members = (
  options?: Omit<MembersOptions, "pageToken" | "pageSize">
): Effect.Effect<ReadonlyArray<User>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.members", () =>
    Effect.map(
      membersOf("project.members", { ...options, pageSize: undefined, pageToken: undefined }),
      (page) => page.users
    ))

/**
 * Gets a member (`GET /v1/projects/{P}/members/{U}`), of the layer's project unless `{ project }` is
 * given. A user who is not a member is `404 User doesn't exist`.
 *
 * @since 0.1.0
 * @category operations
 */
export const getMember = (
  user: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.getMember", () =>
    Operation.run({
      operation: "project.getMember",
      method: "GET",
      projectScoped: true,
      names: [["user", user]],
      path: (project) => `/projects/${project}/members/${user}`,
      response: User,
      options
    }))

/**
 * Options of `createMember`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateMemberOptions extends AmsHttp.RequestOptions {
  readonly email?: string | undefined
  /** The new user's roles in the project. Default: none. */
  readonly roles?: ReadonlyArray<string> | undefined
}

/**
 * Creates a user that is a member of the project (`POST /v1/projects/{P}/members/{U}`), of the layer's
 * project unless `{ project }` is given. The answer carries the generated token.
 *
 * @since 0.1.0
 * @category operations
 */
export const createMember = (
  user: string,
  options?: CreateMemberOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.createMember", () =>
    Operation.run({
      operation: "project.createMember",
      method: "POST",
      projectScoped: true,
      names: [["user", user]],
      path: (project) => `/projects/${project}/members/${user}`,
      body: (project: string) => ({
        projects: [{ project, roles: [...(options?.roles ?? [])] }],
        ...(options?.email === undefined ? {} : { email: options.email })
      }),
      response: User,
      options
    }))

/**
 * Replaces a member's roles in the project (`PUT /v1/projects/{P}/members/{U}`), of the layer's project
 * unless `{ project }` is given. A user who is not a member is
 * `403 Access to this resource is forbidden. User is not a member of the project`.
 *
 * @since 0.1.0
 * @category operations
 */
export const updateMember = (
  user: string,
  fields: { readonly roles: ReadonlyArray<string> },
  options?: AmsHttp.RequestOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.updateMember", () =>
    Operation.run({
      operation: "project.updateMember",
      method: "PUT",
      projectScoped: true,
      names: [["user", user]],
      path: (project) => `/projects/${project}/members/${user}`,
      body: (project: string) => ({ projects: [{ project, roles: [...fields.roles] }] }),
      response: User,
      options
    }))

/**
 * Adds an existing user to the project with roles (`POST /v1/projects/{P}/members/{U}:add`), the layer's
 * project unless `{ project }` is given. Already a member: `409 User is already a member of the project`.
 *
 * @since 0.1.0
 * @category operations
 */
export const addMember = (
  user: string,
  fields: { readonly roles: ReadonlyArray<string> },
  options?: AmsHttp.RequestOptions
): Effect.Effect<User, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.addMember", () =>
    Operation.run({
      operation: "project.addMember",
      method: "POST",
      projectScoped: true,
      names: [["user", user]],
      path: (project) => `/projects/${project}/members/${user}:add`,
      body: { roles: [...fields.roles] },
      response: User,
      options
    }))

/**
 * Removes a user from the project (`POST /v1/projects/{P}/members/{U}:remove`), the layer's project
 * unless `{ project }` is given. The user itself is kept.
 *
 * @since 0.1.0
 * @category operations
 */
export const removeMember = (
  user: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("project.removeMember", () =>
    Operation.run({
      operation: "project.removeMember",
      method: "POST",
      projectScoped: true,
      names: [["user", user]],
      path: (project) => `/projects/${project}/members/${user}:remove`,
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))
