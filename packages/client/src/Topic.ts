/**
 * Topics: create, inspect, list and delete them, publish messages, and manage their ACL, schema and
 * metrics (`/v1/projects/{P}/topics/...`, ams-api.md §5.2).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { AmsError } from "./AmsError.js"
import type * as AmsHttp from "./AmsHttp.js"
import * as Fast from "./internal/fast.js"
import * as Operation from "./internal/operation.js"
import * as Paging from "./internal/paging.js"
import * as Publish from "./internal/publish.js"
import * as Wire from "./internal/wire.js"
import * as Message from "./Message.js"
import type * as Metric from "./Metric.js"
import { MetricsFromWire } from "./Metric.js"

/**
 * A topic as the server describes it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Topic {
  /** The short name, e.g. `alerts`. */
  readonly name: string
  /** The server's full name, e.g. `/projects/ARGO/topics/alerts`. */
  readonly fullName: string
  /** The project the topic belongs to. */
  readonly project: string
  /** The attached schema as the server names it (`projects/P/schemas/S`), or `undefined`. */
  readonly schema: string | undefined
  /** When the topic was created (`created_on`, second precision); `undefined` if the server omits it. */
  readonly createdOn: Date | undefined
}

const TopicWire = Schema.Struct({
  name: Wire.resourceName("topics", "required"),
  schema: Schema.optional(Schema.String),
  created_on: Schema.optional(Schema.Date)
})

const TopicType = Schema.Struct({
  name: Schema.String,
  fullName: Schema.String,
  project: Schema.String,
  schema: Schema.UndefinedOr(Schema.String),
  createdOn: Schema.UndefinedOr(Schema.ValidDateFromSelf)
})

/**
 * The wire shape of a topic (`{"name": "/projects/P/topics/T", "schema"?, "created_on"?}`), decoded
 * into `Topic`. A name that is not `/projects/P/topics/T` is a broken answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TopicFromWire: Schema.Schema<Topic, Schema.Schema.Encoded<typeof TopicWire>> = Schema.transform(
  TopicWire,
  TopicType,
  {
    strict: true,
    decode: (wire) => ({
      name: wire.name.name,
      fullName: wire.name.fullName,
      project: wire.name.project,
      schema: wire.schema === undefined || wire.schema === "" ? undefined : wire.schema,
      createdOn: wire.created_on
    }),
    encode: (topic) => ({
      name: { name: topic.name, fullName: topic.fullName, project: topic.project },
      ...(topic.schema === undefined ? {} : { schema: topic.schema }),
      ...(topic.createdOn === undefined ? {} : { created_on: topic.createdOn })
    })
  }
).annotations({ identifier: "Topic" })

// What get and create answer: `TopicFromWire`, read by hand where the answer is plainly valid.
const TopicAnswer = Fast.withFastPath(TopicFromWire, Fast.topic)

/**
 * One page of topics. `nextPageToken` is `undefined` on the last page (the server's `""`), so
 * `page.nextPageToken !== undefined` means there is more; pass it back as `{ pageToken }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page {
  /** Newest first, as the server orders them. */
  readonly topics: ReadonlyArray<Topic>
  readonly nextPageToken: string | undefined
  /** How many topics the caller can see in the project, whatever the page size. */
  readonly totalSize: number
}

const PageFromWire = Paging.page({ topics: Paging.items(TopicFromWire) })

/**
 * A subscription named by a topic's subscription listing.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscriptionName {
  /** The short name, e.g. `alerts-sub`. */
  readonly name: string
  /** The server's full name, e.g. `/projects/ARGO/subscriptions/alerts-sub`. */
  readonly fullName: string
  readonly project: string
}

const SubscriptionNames = Schema.Struct({ subscriptions: Paging.items(Wire.resourceName("subscriptions")) })

const path = (project: string, name: string, suffix = "") => `/projects/${project}/topics/${name}${suffix}`

/**
 * Lists every topic of the project the caller can see, newest first, in one request (no `pageSize`:
 * the server then answers with everything) (`GET /v1/projects/{P}/topics`).
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<Topic>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.list", () =>
    Operation.run({
      operation: "topic.list",
      method: "GET",
      projectScoped: true,
      path: (project) => `/projects/${project}/topics`,
      response: PageFromWire,
      options
    }).pipe(Effect.map((page) => page.topics)))

/**
 * Lists one page of topics (`GET /v1/projects/{P}/topics?pageSize=&pageToken=`). Without `pageSize`
 * (or with `0`) the page holds everything. `pageSize` must be a whole number ≥ 0 (checked before any
 * request).
 *
 * @example
 * import { Topic } from "@argo-ams/client"
 * import { Effect } from "effect"
 *
 * const firstTwo = Topic.listPage({ pageSize: 2 }).pipe(
 *   Effect.flatMap((page) =>
 *     page.nextPageToken === undefined
 *       ? Effect.succeed(page.topics)
 *       : Topic.listPage({ pageSize: 2, pageToken: page.nextPageToken }).pipe(
 *         Effect.map((next) => [...page.topics, ...next.topics])
 *       )
 *   )
 * )
 *
 * @since 0.1.0
 * @category operations
 */
export const listPage = (
  options?: AmsHttp.RequestOptions & Paging.PageOptions
): Effect.Effect<Page, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.listPage", () =>
    Operation.run({
      operation: "topic.listPage",
      method: "GET",
      projectScoped: true,
      path: (project) => `/projects/${project}/topics`,
      check: Paging.checkPageSize("topic.listPage", options?.pageSize),
      query: Paging.query(options),
      response: PageFromWire,
      options
    }))

/**
 * Every topic, fetched page by page (`pageSize`, default 100) as the stream is consumed
 * (`GET /v1/projects/{P}/topics?pageSize=&pageToken=`). `retry` applies to each page request.
 *
 * @since 0.1.0
 * @category streams
 */
export const stream = (
  options?: AmsHttp.RequestOptions & { readonly pageSize?: number | undefined }
): Stream.Stream<Topic, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazyStream("topic.stream", () => {
    // Read once, here: a getter that throws fails the stream before its first page.
    const paging = { ...options, pageSize: options?.pageSize ?? Paging.defaultStreamPageSize }
    return Paging.stream(
      (pageToken) => listPage({ ...paging, pageToken }),
      (page) => page.topics
    )
  })

/**
 * Gets a topic (`GET /v1/projects/{P}/topics/{T}`). Fails with `AmsServiceError` 404
 * `Topic doesn't exist` when there is none.
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (name: string, options?: AmsHttp.RequestOptions): Effect.Effect<Topic, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.get", () =>
    Operation.run({
      operation: "topic.get",
      method: "GET",
      projectScoped: true,
      names: [["topic", name]],
      path: (project) => path(project, name),
      response: TopicAnswer,
      options
    }))

/**
 * Options of `create` and `getOrCreate`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateOptions extends AmsHttp.RequestOptions {
  /** A schema to attach: its short name (in the call's project) or `projects/P/schemas/S`. */
  readonly schema?: string | undefined
}

/**
 * Creates a topic (`PUT /v1/projects/{P}/topics/{T}`), with no body, or with
 * `{"schema": "projects/P/schemas/S"}` when `schema` is given. Fails with `AmsServiceError` 409
 * `Topic already exists` if it exists.
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (name: string, options?: CreateOptions): Effect.Effect<Topic, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.create", () =>
    Operation.run({
      operation: "topic.create",
      method: "PUT",
      projectScoped: true,
      names: [["topic", name]],
      path: (project) => path(project, name),
      body: () =>
        options?.schema === undefined
          ? Effect.succeed(undefined)
          : Effect.map(Wire.reference("topic.create", "schemas", options.schema, options), (schema) => ({ schema })),
      response: TopicAnswer,
      options
    }))

/**
 * Deletes a topic (`DELETE /v1/projects/{P}/topics/{T}`). Its subscriptions stay, and pulling them
 * then fails with 409 `Subscription's topic doesn't exist`.
 *
 * @since 0.1.0
 * @category operations
 */
export const remove = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.remove", () =>
    Operation.run({
      operation: "topic.remove",
      method: "DELETE",
      projectScoped: true,
      names: [["topic", name]],
      path: (project) => path(project, name),
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

/**
 * Whether a topic exists (`GET /v1/projects/{P}/topics/{T}`): `false` on 404 `Topic doesn't exist`.
 * Every other error fails, including 404 `project doesn't exist` (unlike Python's `has_topic`, a
 * missing project is not reported as a missing topic).
 *
 * @since 0.1.0
 * @category operations
 */
export const exists = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<boolean, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.exists", () =>
    Operation.exists(
      { operation: "topic.exists", projectScoped: true, names: [["topic", name]], options },
      get(name, options)
    ))

/**
 * Gets a topic, creating it first if needed: it tries `create`, and on 409 `already exists` gets the
 * existing one, so two callers racing both succeed (`PUT`, then `GET` on 409). An existing topic is
 * returned as it is, whatever `schema` says.
 *
 * @since 0.1.0
 * @category operations
 */
export const getOrCreate = (name: string, options?: CreateOptions): Effect.Effect<Topic, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.getOrCreate", () =>
    Operation.getOrCreate(
      { operation: "topic.getOrCreate", projectScoped: true, names: [["topic", name]], options },
      create(name, options),
      get(name, options)
    ))

/**
 * Publishes messages (`POST /v1/projects/{P}/topics/{T}:publish`) and returns their ids (decimal
 * offsets, in the order given). Give one message or several: `Message.make(...)` values or plain
 * `{ data, attributes }` objects. Every message is checked before the request (`AmsMessageError`
 * for the first bad one, and nothing is sent). Not retried unless `retry` is given; a 504 from the
 * balancer is an `AmsTimeoutError`. Note that a retried publish may publish twice.
 *
 * @example
 * import { Message, Retry, Topic } from "@argo-ams/client"
 *
 * const ids = Topic.publish("alerts", [
 *   Message.make({ data: "disk full", attributes: { host: "a" } }),
 *   { data: new Uint8Array([1, 2, 3]) }
 * ], { retry: Retry.backoff({ retries: 3, factor: "2 seconds" }) })
 *
 * @since 0.1.0
 * @category operations
 */
export const publish = (
  name: string,
  messages: Message.Outgoing | Iterable<Message.Outgoing>,
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<string>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.publish", () =>
    Publish.publish(
      name,
      () => Message.encodeAll(Predicate.isIterable(messages) ? messages : [messages], "topic.publish"),
      options
    ))

/**
 * The names of the users in a topic's ACL (`GET /v1/projects/{P}/topics/{T}:acl`).
 *
 * @since 0.1.0
 * @category operations
 */
export const acl = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<string>, AmsError, AmsHttp.AmsHttp> => Wire.acl("topics", name, options)

/**
 * Replaces a topic's ACL with these users (`POST /v1/projects/{P}/topics/{T}:modifyAcl`,
 * `{"authorized_users": [...]}`); `[]` clears it. Every user must be a member of the project (else 404
 * `User(s): ... do not exist`).
 *
 * @since 0.1.0
 * @category operations
 */
export const modifyAcl = (
  name: string,
  users: ReadonlyArray<string>,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> => Wire.modifyAcl("topics", name, users, options)

/**
 * The subscriptions attached to a topic (`GET /v1/projects/{P}/topics/{T}/subscriptions`).
 *
 * @since 0.1.0
 * @category operations
 */
export const subscriptions = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<SubscriptionName>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.subscriptions", () =>
    Operation.run({
      operation: "topic.subscriptions",
      method: "GET",
      projectScoped: true,
      names: [["topic", name]],
      path: (project) => path(project, name, "/subscriptions"),
      response: SubscriptionNames,
      options
    }).pipe(Effect.map((answer) => answer.subscriptions)))

/**
 * A topic's metrics (`GET /v1/projects/{P}/topics/{T}:metrics`): `topic.number_of_subscriptions`,
 * `topic.number_of_messages`, `topic.number_of_bytes`, `topic.number_of_daily_messages`,
 * `topic.publishing_rate`. Find one with `Metric.find`.
 *
 * @since 0.1.0
 * @category operations
 */
export const metrics = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<Metric.Metric>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.metrics", () =>
    Operation.run({
      operation: "topic.metrics",
      method: "GET",
      projectScoped: true,
      names: [["topic", name]],
      path: (project) => path(project, name, ":metrics"),
      response: MetricsFromWire,
      options
    }))

/**
 * Attaches a schema to a topic (`POST /v1/projects/{P}/topics/{T}:attachSchema`,
 * `{"schema": "projects/P/schemas/S"}`); give the schema's short name (in the call's project) or
 * `projects/P/schemas/S`.
 *
 * @since 0.1.0
 * @category operations
 */
export const attachSchema = (
  name: string,
  schema: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.attachSchema", () =>
    Operation.run({
      operation: "topic.attachSchema",
      method: "POST",
      projectScoped: true,
      names: [["topic", name]],
      path: (project) => path(project, name, ":attachSchema"),
      body: () =>
        Effect.map(Wire.reference("topic.attachSchema", "schemas", schema, options), (ref) => ({ schema: ref })),
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

/**
 * Detaches a topic's schema (`POST /v1/projects/{P}/topics/{T}:detachSchema`, no body).
 *
 * @since 0.1.0
 * @category operations
 */
export const detachSchema = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("topic.detachSchema", () =>
    Operation.run({
      operation: "topic.detachSchema",
      method: "POST",
      projectScoped: true,
      names: [["topic", name]],
      path: (project) => path(project, name, ":detachSchema"),
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))
