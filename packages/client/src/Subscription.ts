/**
 * Subscriptions: create, inspect, list and delete them, pull and acknowledge messages, move offsets,
 * and manage push, ACL and metrics (`/v1/projects/{P}/subscriptions/...`, ams-api.md §5.3, §6).
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { AmsError } from "./AmsError.js"
import { AmsArgumentError, isRetryable } from "./AmsError.js"
import type * as AmsHttp from "./AmsHttp.js"
import * as Answers from "./internal/answers.js"
import * as Operation from "./internal/operation.js"
import * as Paging from "./internal/paging.js"
import * as Wire from "./internal/wire.js"
import type * as Message from "./Message.js"
import type * as Metric from "./Metric.js"
import { MetricsFromWire } from "./Metric.js"
import * as PushConfig from "./PushConfig.js"

/**
 * A subscription as the server describes it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subscription {
  /** The short name, e.g. `alerts-sub`. */
  readonly name: string
  /** The server's full name, e.g. `/projects/ARGO/subscriptions/alerts-sub`. */
  readonly fullName: string
  readonly project: string
  /** The topic's short name. */
  readonly topic: string
  /** The topic's full name, e.g. `/projects/ARGO/topics/alerts`. */
  readonly topicFullName: string
  /** The topic's project (normally the subscription's). */
  readonly topicProject: string
  /** Seconds allowed between a pull and its acknowledgement. */
  readonly ackDeadlineSeconds: number
  /** The push configuration, or `undefined` for a pull subscription (push off). */
  readonly pushConfig: PushConfig.PushConfig | undefined
  /** The push server's status line, sent only for a verified push subscription. */
  readonly pushStatus: string | undefined
  /** When it was created (`createdOn`, second precision); `undefined` if the server omits it. */
  readonly createdOn: Date | undefined
}

const SubscriptionWire = Schema.Struct({
  name: Wire.resourceName("subscriptions", "required"),
  topic: Wire.resourceName("topics"),
  pushConfig: Schema.optionalWith(PushConfig.PushConfigFromWire, { nullable: true, default: () => undefined }),
  ackDeadlineSeconds: Schema.Number,
  pushStatus: Schema.optional(Schema.String),
  createdOn: Schema.optional(Schema.Date)
})

const SubscriptionType = Schema.Struct({
  name: Schema.String,
  fullName: Schema.String,
  project: Schema.String,
  topic: Schema.String,
  topicFullName: Schema.String,
  topicProject: Schema.String,
  ackDeadlineSeconds: Schema.Number,
  pushConfig: Schema.UndefinedOr(Schema.typeSchema(PushConfig.PushConfigFromWire)),
  pushStatus: Schema.UndefinedOr(Schema.String),
  createdOn: Schema.UndefinedOr(Schema.ValidDateFromSelf)
})

/**
 * The wire shape of a subscription, decoded into `Subscription`. `name`, `topic` and
 * `ackDeadlineSeconds` are required (a broken answer otherwise); `pushConfig` is read leniently.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SubscriptionFromWire: Schema.Schema<Subscription, Schema.Schema.Encoded<typeof SubscriptionWire>> = Schema
  .transform(SubscriptionWire, SubscriptionType, {
    strict: true,
    decode: (wire) => ({
      name: wire.name.name,
      fullName: wire.name.fullName,
      project: wire.name.project,
      topic: wire.topic.name,
      topicFullName: `/projects/${wire.topic.project}/topics/${wire.topic.name}`,
      topicProject: wire.topic.project,
      ackDeadlineSeconds: wire.ackDeadlineSeconds,
      pushConfig: wire.pushConfig,
      pushStatus: wire.pushStatus === "" ? undefined : wire.pushStatus,
      createdOn: wire.createdOn
    }),
    encode: (sub) => ({
      name: { name: sub.name, fullName: sub.fullName, project: sub.project },
      topic: { name: sub.topic, fullName: sub.topicFullName, project: sub.topicProject },
      pushConfig: sub.pushConfig,
      ackDeadlineSeconds: sub.ackDeadlineSeconds,
      ...(sub.pushStatus === undefined ? {} : { pushStatus: sub.pushStatus }),
      ...(sub.createdOn === undefined ? {} : { createdOn: sub.createdOn })
    })
  }).annotations({ identifier: "Subscription" })

/**
 * One page of subscriptions. `nextPageToken` is `undefined` on the last page (the server's `""`);
 * pass it back as `{ pageToken }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page {
  /** Newest first, as the server orders them. */
  readonly subscriptions: ReadonlyArray<Subscription>
  readonly nextPageToken: string | undefined
  /** How many subscriptions the caller can see in the project, whatever the page size. */
  readonly totalSize: number
}

const PageFromWire = Paging.page({ subscriptions: Paging.items(SubscriptionFromWire) })

/**
 * A subscription's offsets: `min` (oldest retained message), `max` (the next offset the topic will
 * assign) and `current` (the next message this subscription will deliver).
 *
 * @since 0.1.0
 * @category models
 */
export interface Offsets {
  readonly min: number
  readonly max: number
  readonly current: number
}

const OffsetsFromWire = Schema.Struct({ max: Schema.Number, min: Schema.Number, current: Schema.Number })
const OffsetFromWire = Schema.Struct({ offset: Schema.Number })

const path = (project: string, name: string, suffix = "") => `/projects/${project}/subscriptions/${name}${suffix}`

const argumentError = (operation: string, argument: string, message: string) =>
  Effect.fail(new AmsArgumentError({ operation, argument, message }))

const checkPushConfig = (
  operation: string,
  config: PushConfig.Input | null
): Effect.Effect<void, AmsArgumentError> => {
  const problem = PushConfig.validate(config)
  return problem === undefined ? Effect.void : argumentError(operation, "pushConfig", problem)
}

const checkInteger = (
  operation: string,
  argument: string,
  value: number,
  min: number,
  max: number
): Effect.Effect<void, AmsArgumentError> =>
  Number.isSafeInteger(value) && value >= min && value <= max
    ? Effect.void
    : argumentError(
      operation,
      argument,
      max === Number.MAX_SAFE_INTEGER
        ? `Invalid ${argument} ${value}: it must be a whole number, ${min} or more`
        : `Invalid ${argument} ${value}: it must be a whole number between ${min} and ${max}`
    )

/**
 * Lists every subscription of the project the caller can see, newest first, in one request (no
 * `pageSize`: the server then answers with everything) (`GET /v1/projects/{P}/subscriptions`).
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<Subscription>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.list", () =>
    Operation.run({
      operation: "subscription.list",
      method: "GET",
      projectScoped: true,
      path: (project) => `/projects/${project}/subscriptions`,
      response: PageFromWire,
      options
    }).pipe(Effect.map((page) => page.subscriptions)))

/**
 * Lists one page of subscriptions (`GET /v1/projects/{P}/subscriptions?pageSize=&pageToken=`). Without
 * `pageSize` (or with `0`) the page holds everything; `pageSize` must be a whole number ≥ 0.
 *
 * @since 0.1.0
 * @category operations
 */
export const listPage = (
  options?: AmsHttp.RequestOptions & Paging.PageOptions
): Effect.Effect<Page, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.listPage", () =>
    Operation.run({
      operation: "subscription.listPage",
      method: "GET",
      projectScoped: true,
      path: (project) => `/projects/${project}/subscriptions`,
      check: Paging.checkPageSize("subscription.listPage", options?.pageSize),
      query: Paging.query(options),
      response: PageFromWire,
      options
    }))

/**
 * Every subscription, fetched page by page (`pageSize`, default 100) as the stream is consumed
 * (`GET /v1/projects/{P}/subscriptions?pageSize=&pageToken=`).
 *
 * @since 0.1.0
 * @category streams
 */
export const stream = (
  options?: AmsHttp.RequestOptions & { readonly pageSize?: number | undefined }
): Stream.Stream<Subscription, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazyStream("subscription.stream", () => {
    // Read once, here: a getter that throws fails the stream before its first page.
    const paging = { ...options, pageSize: options?.pageSize ?? Paging.defaultStreamPageSize }
    return Paging.stream(
      (pageToken) => listPage({ ...paging, pageToken }),
      (page) => page.subscriptions
    )
  })

/**
 * Gets a subscription (`GET /v1/projects/{P}/subscriptions/{S}`). Fails with `AmsServiceError` 404
 * `Subscription doesn't exist` when there is none.
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<Subscription, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.get", () =>
    Operation.run({
      operation: "subscription.get",
      method: "GET",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name),
      response: SubscriptionFromWire,
      options
    }))

/**
 * Options of `create` and `getOrCreate`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateOptions extends AmsHttp.RequestOptions {
  /** The topic: its short name (in the call's project) or `projects/P/topics/T` (a leading `/` is dropped). */
  readonly topic: string
  /**
   * Seconds allowed between a pull and its acknowledgement, 0..600 (default 10, as the server's). The
   * server reads `0` at creation as its default, 10: use `modifyAckDeadline` for a deadline of 0.
   */
  readonly ackDeadlineSeconds?: number | undefined
  /** Push configuration; omitted means a pull subscription. */
  readonly pushConfig?: PushConfig.Input | undefined
}

/**
 * Creates a subscription on a topic (`PUT /v1/projects/{P}/subscriptions/{S}`, body
 * `{"topic": "projects/P/topics/T", "ackDeadlineSeconds": n, "pushConfig"?: {...}}`: the topic without
 * a leading slash, as the server requires). It starts at the topic's end: messages published before
 * it are not delivered. Fails with 404 `Topic doesn't exist`, 409 `Subscription already exists`, or
 * (push) 409 `Push functionality is currently disabled`. The topic reference, the deadline and the
 * push config are checked before any request (`AmsArgumentError`).
 *
 * @example
 * import { Subscription } from "@argo-ams/client"
 *
 * const sub = Subscription.create("alerts-sub", { topic: "alerts", ackDeadlineSeconds: 30 })
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (
  name: string,
  options: CreateOptions
): Effect.Effect<Subscription, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.create", () => {
    const operation = "subscription.create"
    const ackDeadlineSeconds = options.ackDeadlineSeconds ?? 10
    return Operation.run({
      operation,
      method: "PUT",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name),
      check: Effect.zipRight(
        checkInteger(operation, "ackDeadlineSeconds", ackDeadlineSeconds, 0, 600),
        checkPushConfig(operation, options.pushConfig ?? null)
      ),
      body: () =>
        Effect.map(Wire.reference(operation, "topics", options.topic, options), (topic) => ({
          topic,
          ackDeadlineSeconds,
          ...(options.pushConfig === undefined ? {} : { pushConfig: PushConfig.encode(options.pushConfig) })
        })),
      response: SubscriptionFromWire,
      options
    })
  })

/**
 * Deletes a subscription (`DELETE /v1/projects/{P}/subscriptions/{S}`).
 *
 * @since 0.1.0
 * @category operations
 */
export const remove = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.remove", () =>
    Operation.run({
      operation: "subscription.remove",
      method: "DELETE",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name),
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

/**
 * Whether a subscription exists (`GET /v1/projects/{P}/subscriptions/{S}`): `false` on 404
 * `Subscription doesn't exist`; every other error fails, including 404 `project doesn't exist`.
 *
 * @since 0.1.0
 * @category operations
 */
export const exists = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<boolean, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.exists", () =>
    Operation.exists(
      { operation: "subscription.exists", projectScoped: true, names: [["subscription", name]], options },
      get(name, options)
    ))

/**
 * Gets a subscription, creating it first if needed: `create`, and on 409 `already exists` `get`, so
 * racing callers both succeed. An existing subscription is returned as it is, even if it is on
 * another topic or has another deadline (as Python's `AmsTopic.subscription`).
 *
 * @since 0.1.0
 * @category operations
 */
export const getOrCreate = (
  name: string,
  options: CreateOptions
): Effect.Effect<Subscription, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.getOrCreate", () =>
    Operation.getOrCreate(
      { operation: "subscription.getOrCreate", projectScoped: true, names: [["subscription", name]], options },
      create(name, options),
      get(name, options)
    ))

/**
 * Options of `pull`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PullOptions extends AmsHttp.RequestOptions {
  /** The most messages to return, 1 or more (default 1). */
  readonly maxMessages?: number | undefined
  /**
   * Answer at once with what is available (default `true`, the server's own default). With `false`
   * the server holds the request until `maxMessages` are available or 300 seconds pass, longer than
   * the load balancers in front of AMS wait (they answer 504, an `AmsTimeoutError`). An empty
   * subscription answers at once either way. Python's default is `false`.
   */
  readonly returnImmediately?: boolean | undefined
}

/**
 * Pulls messages (`POST /v1/projects/{P}/subscriptions/{S}:pull`, body
 * `{"maxMessages": "<n>", "returnImmediately": "true"|"false"}`: both strings, as the server
 * requires). A pull does not lease: until they are acknowledged, the next pull returns the same
 * messages again, and each pull restarts the ack deadline. `[]` when nothing is new. Not retried
 * unless `retry` is given; a 504 from the balancer is an `AmsTimeoutError`.
 *
 * @example
 * import { Message, Subscription } from "@argo-ams/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const received = yield* Subscription.pull("alerts-sub", { maxMessages: 10 })
 *   for (const { message } of received) console.log(Message.text(message))
 *   if (received.length > 0) yield* Subscription.acknowledge("alerts-sub", received.map((r) => r.ackId))
 * })
 *
 * @since 0.1.0
 * @category operations
 */
export const pull = (
  name: string,
  options?: PullOptions
): Effect.Effect<ReadonlyArray<Message.Received>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.pull", () => {
    const maxMessages = options?.maxMessages ?? 1
    return Operation.run({
      operation: "subscription.pull",
      method: "POST",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name, ":pull"),
      check: checkInteger("subscription.pull", "maxMessages", maxMessages, 1, Number.MAX_SAFE_INTEGER),
      body: {
        maxMessages: String(maxMessages),
        returnImmediately: (options?.returnImmediately ?? true) ? "true" : "false"
      },
      response: Answers.Pulled,
      balancerTimeouts: true,
      options,
      messaging: "receive",
      messageCount: (answer) => answer.receivedMessages?.length ?? 0
    }).pipe(Effect.map((answer) => answer.receivedMessages ?? []))
  })

const ackIdPattern = /^projects\/([^/]+)\/subscriptions\/([^/:]+):(\d+)$/

/**
 * Acknowledges messages (`POST /v1/projects/{P}/subscriptions/{S}:acknowledge`,
 * `{"ackIds": [...]}`). Acks are cumulative and one per pull: the highest id acknowledges everything
 * below it, and only the latest pull can be acknowledged, once. The ids must be non-empty and of the
 * form `projects/<P>/subscriptions/<S>:<offset>` for this project and subscription (checked before
 * any request, `AmsArgumentError`). Server answers: 500 `no ack pending` / `wrong ack` (an
 * `AmsServiceError`, never retried), 408 `ack timeout` (`AmsTimeoutError` from the service, not
 * retried: pull again). A 504 from the balancer is a retryable `AmsTimeoutError`.
 *
 * @since 0.1.0
 * @category operations
 */
export const acknowledge = (
  name: string,
  ackIds: ReadonlyArray<string>,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.acknowledge", () => {
    const operation = "subscription.acknowledge"
    // Not a list (a JavaScript caller past the types): no ids, which the check refuses.
    const ids = Predicate.isIterable(ackIds) && typeof ackIds !== "string" ? [...ackIds] : []
    return Operation.run({
      operation,
      method: "POST",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name, ":acknowledge"),
      check: (project) => checkAckIds(operation, project, name, ids),
      body: { ackIds: ids },
      response: Wire.Ignored,
      balancerTimeouts: true,
      options,
      messaging: "settle",
      messageCount: ids.length
    }).pipe(Effect.asVoid)
  })

const checkAckIds = (
  operation: string,
  project: string,
  name: string,
  ids: ReadonlyArray<string>
): Effect.Effect<void, AmsArgumentError> => {
  if (ids.length === 0) return argumentError(operation, "ackIds", "Invalid ack id: no ack ids given")
  for (const id of ids) {
    const match = typeof id === "string" ? ackIdPattern.exec(id) : null
    if (match === null || match[1] !== project || match[2] !== name) {
      return argumentError(
        operation,
        "ackIds",
        `Invalid ack id ${JSON.stringify(id)}: expected projects/${project}/subscriptions/${name}:<offset>`
      )
    }
  }
  return Effect.void
}

/**
 * Options of `pullAndAck`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PullAndAckOptions extends PullOptions {
  /**
   * When an acknowledgement fails, how many more pull-and-ack cycles to run (each cycle pulls again,
   * which redelivers the same messages and restarts the ack deadline, then acks that delivery). The
   * default, `Schedule.recurs(3)`, runs at most 3 more cycles with no pause; Python's `pullack_sub`
   * loops forever. A failing pull is not a cycle: the call ends at once (after the pull's own `retry`),
   * with the messages of an earlier cycle whose ack may have been applied, else with the pull's error.
   */
  readonly cycles?: Schedule.Schedule<unknown, AmsError> | undefined
}

/**
 * Pulls and acknowledges everything that pull returned, giving back the messages (Python's
 * `pullack_sub`): `POST ...:pull`, then `POST ...:acknowledge` with all the ack ids. If the ack fails
 * the cycle starts again with a fresh pull, as bounded by `cycles`. `retry` applies to each pull only.
 * `[]` (and no ack) when nothing is new.
 *
 * It never loses a message: it is at-least-once. An ack that failed in transit (a dropped connection,
 * a balancer page, a body that does not parse) may still have been applied by the server, its answer
 * lost on the way back. The next cycle's pull tells: if it does not deliver the last message of the
 * earlier batch again, that batch was acknowledged, and it is the one returned (whatever this pull
 * brought stays unacknowledged and comes again with the next pull). When the outcome cannot be known
 * (that pull fails too, or the last cycle's ack fails in transit), the messages that may be
 * acknowledged are returned rather than the error: if the ack was not applied after all, the next pull
 * delivers them again. It fails only when no pulled message can have been acknowledged: a failing
 * first pull, or AMS's own refusal of the ack (`wrong ack`, `ack timeout`, ...), which changes nothing.
 *
 * @since 0.1.0
 * @category operations
 */
export const pullAndAck = (
  name: string,
  options?: PullAndAckOptions
): Effect.Effect<ReadonlyArray<Message.Message>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.pullAndAck", () => {
    const ackOptions = options?.project === undefined ? undefined : { project: options.project }
    const spec = {
      operation: "subscription.pullAndAck",
      projectScoped: true,
      names: [["subscription", name]] as const,
      messaging: "receive" as const
    }
    return Operation.traced(
      { ...spec, options },
      () =>
        Effect.flatMap(Ref.make<ReadonlyArray<Message.Received>>([]), (unconfirmed) => {
          const cycle = Effect.flatMap(
            Effect.zip(pull(name, options), Ref.get(unconfirmed)),
            ([received, earlier]): Effect.Effect<ReadonlyArray<Message.Message>, AmsError, AmsHttp.AmsHttp> => {
              const last = earlier[earlier.length - 1]
              if (last !== undefined && !received.some((r) => r.ackId === last.ackId)) {
                return Effect.succeed(earlier.map((r) => r.message))
              }
              if (received.length === 0) return Effect.succeed([])
              return acknowledge(name, received.map((r) => r.ackId), ackOptions).pipe(
                // Only an ack that may have reached the server leaves its outcome open; AMS's own refusal is final.
                Effect.tapError((error) =>
                  Ref.set(unconfirmed, isRetryable(error) || error._tag === "AmsDecodeError" ? received : [])
                ),
                Effect.as(received.map((r) => r.message))
              )
            }
          )
          const cycles = Effect.retry(cycle, {
            schedule: options?.cycles ?? Schedule.recurs(3),
            while: (error) => error.operation === "subscription.acknowledge" && error._tag !== "AmsArgumentError"
          })
          // Failing now would drop messages the server may already count as acknowledged: hand them over.
          return Effect.catchAll(cycles, (error) =>
            Effect.flatMap(
              Ref.get(unconfirmed),
              (pending) => pending.length === 0 ? Effect.fail(error) : Effect.succeed(pending.map((r) => r.message))
            ))
        })
    )
  })

/**
 * Changes the ack deadline (`POST /v1/projects/{P}/subscriptions/{S}:modifyAckDeadline`,
 * `{"ackDeadlineSeconds": n}`), 0..600 seconds (checked before any request). It applies to the next
 * acknowledgement, including of messages already pulled.
 *
 * @since 0.1.0
 * @category operations
 */
export const modifyAckDeadline = (
  name: string,
  seconds: number,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.modifyAckDeadline", () =>
    Operation.run({
      operation: "subscription.modifyAckDeadline",
      method: "POST",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name, ":modifyAckDeadline"),
      check: checkInteger("subscription.modifyAckDeadline", "ackDeadlineSeconds", seconds, 0, 600),
      body: { ackDeadlineSeconds: seconds },
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

/**
 * Turns push on or changes it, or (`null`) turns it off
 * (`POST /v1/projects/{P}/subscriptions/{S}:modifyPushConfig`, `{"pushConfig": {...}}`). Unlike the
 * Python client it always sends `type` (`http_endpoint` unless `mattermost`), which the server needs;
 * `null` sends `{"pushConfig": {}}`. A new endpoint must be verified again (`verifyPushEndpoint`).
 * Fails with 409 `Push functionality is currently disabled` when the server has push off.
 *
 * @example
 * import { Subscription } from "@argo-ams/client"
 *
 * const on = Subscription.modifyPushConfig("alerts-sub", {
 *   pushEndpoint: "https://hooks.example.org/ams",
 *   retryPolicy: { type: "linear", period: "5 seconds" }
 * })
 * const off = Subscription.modifyPushConfig("alerts-sub", null)
 *
 * @since 0.1.0
 * @category operations
 */
export const modifyPushConfig = (
  name: string,
  config: PushConfig.Input | null,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.modifyPushConfig", () =>
    Operation.run({
      operation: "subscription.modifyPushConfig",
      method: "POST",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name, ":modifyPushConfig"),
      check: checkPushConfig("subscription.modifyPushConfig", config),
      body: { pushConfig: PushConfig.encode(config) },
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

/**
 * A subscription's offsets (`GET /v1/projects/{P}/subscriptions/{S}:offsets`). If retention removed
 * messages below `current`, the server first raises `current` to `min`.
 *
 * @since 0.1.0
 * @category operations
 */
export const offsets = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<Offsets, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.offsets", () =>
    Operation.run({
      operation: "subscription.offsets",
      method: "GET",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name, ":offsets"),
      response: OffsetsFromWire,
      options
    }).pipe(Effect.map(({ current, max, min }): Offsets => ({ min, max, current }))))

/**
 * Moves the subscription's cursor (`POST /v1/projects/{P}/subscriptions/{S}:modifyOffset`,
 * `{"offset": n}`): the next pull delivers from `offset` (replay, or skip). It must lie in
 * `[min, max]` of `offsets`, else 400 `Offset out of bounds` (beware: the real server stores the
 * offset anyway). A whole number ≥ 0, checked before any request.
 *
 * @since 0.1.0
 * @category operations
 */
export const modifyOffset = (
  name: string,
  offset: number,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.modifyOffset", () =>
    Operation.run({
      operation: "subscription.modifyOffset",
      method: "POST",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name, ":modifyOffset"),
      check: checkInteger("subscription.modifyOffset", "offset", offset, 0, Number.MAX_SAFE_INTEGER),
      body: { offset },
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

/**
 * The offset of the first message published at or after `time`
 * (`GET /v1/projects/{P}/subscriptions/{S}:timeToOffset?time=YYYY-MM-DDTHH:MM:SS.mmmZ`, always UTC with
 * milliseconds); feed it to `modifyOffset` to replay from then. Fails with 409 `Timestamp is out of
 * bounds...` when no message is that recent.
 *
 * @since 0.1.0
 * @category operations
 */
export const timeToOffset = (
  name: string,
  time: Date | DateTime.DateTime,
  options?: AmsHttp.RequestOptions
): Effect.Effect<number, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.timeToOffset", () => {
    // `DateTime.toDate` of a zoned value gives its wall-clock time; the instant is what the server wants.
    const date = DateTime.isDateTime(time)
      ? new Date(DateTime.toEpochMillis(time))
      : time instanceof Date
      ? time
      : new Date(Number.NaN)
    const millis = date.getTime()
    const year = date.getUTCFullYear()
    return Operation.run({
      operation: "subscription.timeToOffset",
      method: "GET",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name, ":timeToOffset"),
      check: Number.isFinite(millis) && year >= 0 && year <= 9999
        ? Effect.void
        : argumentError("subscription.timeToOffset", "time", "Invalid time: not a date between years 0 and 9999"),
      // Only read once the check passed: `toISOString` throws on an invalid date.
      query: Number.isFinite(millis) ? { time: date.toISOString() } : undefined,
      response: OffsetFromWire,
      options
    }).pipe(Effect.map((answer) => answer.offset))
  })

/**
 * The names of the users in a subscription's ACL (`GET /v1/projects/{P}/subscriptions/{S}:acl`).
 *
 * @since 0.1.0
 * @category operations
 */
export const acl = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<string>, AmsError, AmsHttp.AmsHttp> => Wire.acl("subscriptions", name, options)

/**
 * Replaces a subscription's ACL with these users
 * (`POST /v1/projects/{P}/subscriptions/{S}:modifyAcl`, `{"authorized_users": [...]}`); `[]` clears
 * it. Every user must be a member of the project (else 404 `User(s): ... do not exist`).
 *
 * @since 0.1.0
 * @category operations
 */
export const modifyAcl = (
  name: string,
  users: ReadonlyArray<string>,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> => Wire.modifyAcl("subscriptions", name, users, options)

/**
 * Asks the server to verify the push endpoint
 * (`POST /v1/projects/{P}/subscriptions/{S}:verifyPushEndpoint`, no body): it fetches
 * `<endpoint host>/ams_verification_hash` and expects `pushConfig.verificationHash`. Fails with 401
 * `Endpoint verification failed...`, 409 `Subscription is not in http push mode` or
 * `Push endpoint is already verified`.
 *
 * @since 0.1.0
 * @category operations
 */
export const verifyPushEndpoint = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.verifyPushEndpoint", () =>
    Operation.run({
      operation: "subscription.verifyPushEndpoint",
      method: "POST",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name, ":verifyPushEndpoint"),
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

/**
 * A subscription's metrics (`GET /v1/projects/{P}/subscriptions/{S}:metrics`):
 * `subscription.number_of_messages`, `subscription.number_of_bytes`, `subscription.consumption_rate`.
 *
 * @since 0.1.0
 * @category operations
 */
export const metrics = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<Metric.Metric>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.metrics", () =>
    Operation.run({
      operation: "subscription.metrics",
      method: "GET",
      projectScoped: true,
      names: [["subscription", name]],
      path: (project) => path(project, name, ":metrics"),
      response: MetricsFromWire,
      options
    }))

// Parity with the Python client: its `iter_subs(topic)` and `getoffsets_sub(sub, "max")`.

const ofTopic = (reference: string) => (sub: Subscription): boolean => sub.topicFullName === `/${reference}`

/**
 * The subscriptions of the project attached to `topic` (its short name in the call's project, or
 * `projects/P/topics/T`), newest first: `list`, filtered on the client, as the Python client's
 * `iter_subs(topic)` does. Unlike `Topic.subscriptions` (project admins only, names only), it
 * gives whole subscriptions and works for a consumer, who sees those whose ACL holds them. A topic
 * that does not exist has no subscriptions: the answer is empty, not a 404.
 *
 * @example
 * import { Subscription } from "@argo-ams/client"
 * import { Effect } from "effect"
 *
 * const names = Subscription.listByTopic("alerts").pipe(Effect.map((subs) => subs.map((sub) => sub.name)))
 *
 * @since 0.1.0
 * @category operations
 */
export const listByTopic = (
  topic: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<Subscription>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.listByTopic", () =>
    Operation.traced(
      { operation: "subscription.listByTopic", projectScoped: true, options },
      () =>
        Effect.flatMap(
          Wire.reference("subscription.listByTopic", "topics", topic, options),
          (reference) => Effect.map(list(options), (subs) => subs.filter(ofTopic(reference)))
        )
    ))

/**
 * The subscriptions attached to `topic`, like `listByTopic`, fetched page by page (`pageSize`,
 * default 100) as the stream is consumed: `stream`, filtered on the client.
 *
 * @since 0.1.0
 * @category streams
 */
export const streamByTopic = (
  topic: string,
  options?: AmsHttp.RequestOptions & { readonly pageSize?: number | undefined }
): Stream.Stream<Subscription, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazyStream("subscription.streamByTopic", () => {
    // Read once, here: a getter that throws fails the stream before its first page.
    const paging = { ...options, pageSize: options?.pageSize ?? Paging.defaultStreamPageSize }
    return Paging.stream(
      (pageToken) =>
        Effect.flatMap(Wire.reference("subscription.streamByTopic", "topics", topic, options), (reference) =>
          Effect.map(
            listPage({ ...paging, pageToken }),
            (page): Page => ({ ...page, subscriptions: page.subscriptions.filter(ofTopic(reference)) })
          )),
      (page) => page.subscriptions
    )
  })

/**
 * Which of a subscription's offsets `offset` reads.
 *
 * @since 0.1.0
 * @category models
 */
export type OffsetPosition = keyof Offsets

/**
 * One of a subscription's offsets, `min`, `max` or `current` (`GET .../subscriptions/{S}:offsets`, as
 * `offsets`), as the Python client's `getoffsets_sub(sub, "max")`. Any other position fails with
 * `AmsArgumentError` before any request.
 *
 * @example
 * import { Subscription } from "@argo-ams/client"
 * import { Effect } from "effect"
 *
 * // Replay everything still retained.
 * const rewind = Subscription.offset("alerts-sub", "min").pipe(
 *   Effect.flatMap((min) => Subscription.modifyOffset("alerts-sub", min))
 * )
 *
 * @since 0.1.0
 * @category operations
 */
export const offset = (
  name: string,
  position: OffsetPosition,
  options?: AmsHttp.RequestOptions
): Effect.Effect<number, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("subscription.offset", () =>
    position === "min" || position === "max" || position === "current"
      ? Effect.map(offsets(name, options), (all) => all[position])
      : argumentError(
        "subscription.offset",
        "position",
        `Invalid offset position ${JSON.stringify(position)}: it must be "min", "max" or "current"`
      ))
