// Subscription routes (§5.3) except pull/acknowledge: CRUD, ACLs, push config, offsets, ack deadline.
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Errors from "../errors.js"
import * as Ids from "../ids.js"
import * as Json from "../json.js"
import * as Push from "../push.js"
import * as Reply from "../reply.js"
import type { Context, Handler } from "../router.js"
import type { Db, ProjectRec, SubscriptionRec } from "../state.js"
import * as State from "../state.js"
import { formatSeconds, parseZulu, truncateToSeconds } from "../time.js"
import * as Bodies from "./bodies.js"
import * as Common from "./common.js"

/** The Subscription JSON of §4.2 (`pushStatus` only on show of a verified push subscription). */
export const subscriptionJson = (project: ProjectRec, sub: SubscriptionRec, withStatus = false) => ({
  name: `/projects/${project.name}/subscriptions/${sub.name}`,
  topic: `/projects/${project.name}/topics/${sub.topic}`,
  pushConfig: Push.pushConfigJson(sub.pushConfig),
  ackDeadlineSeconds: sub.ackDeadlineSeconds,
  ...(withStatus && sub.pushConfig.type !== "" && sub.pushConfig.verified
    ? { pushStatus: `Subscription /projects/${project.name}/subscriptions/${sub.name} is currently active` }
    : {}),
  createdOn: formatSeconds(sub.createdOn)
})

/** The path's subscription in a snapshot, or 404. */
const pathSubscription = (context: Context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const sub = yield* Common.fromEither(Common.findSubscription(db, project, context.vars["subscription"]!))
    return { db, project, sub }
  })

/** Runs `f` on the path's subscription atomically (404 when it does not exist); stores only on success. */
const updateSubscription = <A>(
  context: Context,
  f: (db: Db, sub: SubscriptionRec, project: ProjectRec) => Either.Either<readonly [A, Db], Errors.ApiError>
) =>
  Effect.flatMap(Common.project(context), (project) =>
    Common.update(
      context,
      (db) =>
        Either.flatMap(
          Common.findSubscription(db, project, context.vars["subscription"]!),
          (sub) => f(db, sub, project)
        )
    ))

const freshTokens = Effect.map(
  Effect.all([Ids.token, Ids.token]),
  ([authorization, verification]): Push.FreshTokens => ({ authorization, verification })
)

const withoutUser = (acl: ReadonlyArray<string>, uuid: string) => acl.filter((u) => u !== uuid)
const withUser = (acl: ReadonlyArray<string>, uuid: string) => (acl.includes(uuid) ? acl : [...acl, uuid])

/** `subscriptions:list` — GET /v1/projects/{project}/subscriptions */
export const list: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const page = yield* Common.paginate(context, Common.visible(context, db.subscriptions, project, "consumer"))
    return Reply.json({
      subscriptions: page.items.map((s) => subscriptionJson(project, s)),
      nextPageToken: page.nextPageToken,
      totalSize: page.totalSize
    })
  })

/** `subscriptions:show` — GET /v1/projects/{project}/subscriptions/{subscription} */
export const show: Handler = (context) =>
  Effect.map(pathSubscription(context), ({ project, sub }) => Reply.json(subscriptionJson(project, sub, true)))

const createBody = Json.struct({ topic: Json.string, ackDeadlineSeconds: Json.int, pushConfig: Bodies.pushConfig })

/** `subscriptions:create` — PUT /v1/projects/{project}/subscriptions/{subscription} (algorithm of §8.3). */
export const create: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const body = yield* Common.decodeBody(context, createBody, () => Errors.invalidArgument("Subscription"))
    const parts = (body.topic ?? "").split("/")
    if (parts.length !== 4 || (parts[0] !== "projects" && parts[2] !== "topics")) {
      return yield* Effect.fail(Errors.invalidName("Topic"))
    }
    const topicName = parts[3]!
    const tokens = yield* freshTokens
    const now = yield* Clock.currentTimeMillis
    const { config } = context.env
    const name = context.vars["subscription"]!
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const topic = yield* Common.findTopic(db, project, topicName)
        let pushConfig = State.zeroPushConfig
        let acl: ReadonlyArray<string> = []
        if (!Push.isZero(body.pushConfig ?? undefined)) {
          const worker = yield* Push.checkAvailable(db, config)
          pushConfig = yield* Push.forCreate(body.pushConfig!, tokens)
          if (pushConfig.type === "mattermost") acl = [worker.uuid]
        }
        if (State.subscription(db, project.uuid, name) !== undefined) {
          return yield* Either.left(Errors.conflict("Subscription"))
        }
        const sub: SubscriptionRec = {
          projectUuid: project.uuid,
          name,
          topic: topicName,
          seq: db.seq + 1,
          createdOn: truncateToSeconds(now),
          ackDeadlineSeconds: (body.ackDeadlineSeconds ?? 0) === 0 ? 10 : body.ackDeadlineSeconds!,
          pushConfig,
          acl,
          current: topic.max,
          nextOffset: 0,
          pendingSince: 0,
          metrics: State.zeroSubscriptionMetrics
        }
        return [
          Reply.json(subscriptionJson(project, sub)),
          State.putSubscription({ ...db, seq: sub.seq }, sub)
        ] as const
      }))
  })

/** `subscriptions:delete` — DELETE /v1/projects/{project}/subscriptions/{subscription} */
export const remove: Handler = (context) =>
  updateSubscription(context, (db, sub, project) => {
    const next = { ...db, subscriptions: HashMap.remove(db.subscriptions, State.key(project.uuid, sub.name)) }
    const reply = sub.pushConfig.type !== "" && sub.pushConfig.verified
      ? Reply.compactJson({ message: `Subscription /projects/${project.name}/subscriptions/${sub.name} deactivated` })
      : Reply.empty
    return Either.right([reply, next] as const)
  })

/** `subscriptions:acl` — GET /v1/projects/{project}/subscriptions/{subscription}:acl */
export const acl: Handler = (context) =>
  Effect.map(pathSubscription(context), ({ db, sub }) => Reply.json(Common.aclDocument(db, sub.acl)))

/** `subscriptions:modifyAcl` — POST ...:modifyAcl (a missing subscription answers 200). */
export const modifyAcl: Handler = (context) =>
  Common.modifyAcl(context, "Subscription", (db, project, acl) => {
    const sub = State.subscription(db, project.uuid, context.vars["subscription"]!)
    return sub === undefined ? db : State.putSubscription(db, { ...sub, acl })
  })

const pushBody = Json.struct({ pushConfig: Bodies.pushConfig })

/** `subscriptions:modifyPushConfig` — POST ...:modifyPushConfig (§6.8); `{"pushConfig": {}}` turns push off. */
export const modifyPushConfig: Handler = (context) =>
  Effect.gen(function*() {
    const body = yield* Common.decodeBody(context, pushBody, () => Errors.invalidArgument("Subscription"))
    const tokens = yield* freshTokens
    const { config } = context.env
    return yield* updateSubscription(context, (db, sub) =>
      Either.gen(function*() {
        const previous = sub.pushConfig
        const wasActive = previous.type !== "" && previous.verified
        const worker = Push.pushWorker(db, config)
        let acl = wasActive && worker !== undefined ? withoutUser(sub.acl, worker.uuid) : sub.acl
        let pushConfig = State.zeroPushConfig
        const input = body.pushConfig ?? undefined
        if (!Push.isZero(input)) {
          const available = yield* Push.checkAvailable(db, config)
          pushConfig = yield* Push.forModify(input!, previous, tokens)
          if (pushConfig.type === "mattermost" || (wasActive && pushConfig.verified)) {
            acl = withUser(acl, available.uuid)
          }
        }
        return [Reply.empty, State.putSubscription(db, { ...sub, pushConfig, acl })] as const
      }))
  })

/**
 * `subscriptions:verifyPushEndpoint` — POST ...:verifyPushEndpoint. The GET of
 * `<scheme>://<host>/ams_verification_hash` goes through the configured `verifyPushEndpoint` function.
 */
export const verifyPushEndpoint: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const { config } = context.env
    const db = yield* Common.snapshot(context)
    yield* Common.fromEither(Push.checkAvailable(db, config))
    const sub = yield* Common.fromEither(Common.findSubscription(db, project, context.vars["subscription"]!))
    if (sub.pushConfig.type !== "http_endpoint") {
      return yield* Effect.fail(Errors.genericConflict("Subscription is not in http push mode"))
    }
    if (sub.pushConfig.verified) return yield* Effect.fail(Errors.genericConflict("Push endpoint is already verified"))
    let target: string
    try {
      const url = new URL(sub.pushConfig.pushEndpoint)
      target = `${url.protocol}//${url.host}/ams_verification_hash`
    } catch {
      return yield* Effect.fail(Errors.pushVerification("Could not retrieve push endpoint host"))
    }
    const answer = yield* config.verifyPushEndpoint(target).pipe(Effect.mapError(Errors.pushVerification))
    if (answer.status !== 200) return yield* Effect.fail(Errors.pushVerification("Wrong response status code"))
    if (answer.body !== sub.pushConfig.verificationHash) {
      return yield* Effect.fail(Errors.pushVerification("Wrong verification hash"))
    }
    return yield* updateSubscription(context, (current, latest) => {
      const worker = Push.pushWorker(current, config)
      const acl = worker === undefined ? latest.acl : withUser(latest.acl, worker.uuid)
      const verified = { ...latest, pushConfig: { ...latest.pushConfig, verified: true }, acl }
      return Either.right([Reply.empty, State.putSubscription(current, verified)] as const)
    })
  })

/** The topic bounds of a subscription: `[min, max]` of its topic, or zeros when the topic is gone. */
export const bounds = (db: Db, sub: SubscriptionRec): { readonly min: number; readonly max: number } => {
  const topic = State.topic(db, sub.projectUuid, sub.topic)
  return topic === undefined ? { min: 0, max: 0 } : { min: topic.min, max: topic.max }
}

/** Raises a cursor that fell behind retention to `min`, clearing the pending pull (§6.6). */
export const catchUp = (sub: SubscriptionRec, min: number): SubscriptionRec =>
  sub.current < min ? { ...sub, current: min, nextOffset: 0, pendingSince: 0 } : sub

/** `subscriptions:offsets` — GET ...:offsets; a cursor behind `min` is raised to it (and stored). */
export const offsets: Handler = (context) =>
  updateSubscription(context, (db, found) => {
    const { max, min } = bounds(db, found)
    const sub = catchUp(found, min)
    return Either.right([Reply.json({ max, min, current: sub.current }), State.putSubscription(db, sub)] as const)
  })

const offsetBody = Json.struct({ offset: Json.int })

/**
 * `subscriptions:modifyOffset` — POST ...:modifyOffset. Sets the cursor and clears the pending pull; out of
 * `[min, max]` it answers 400 "Offset out of bounds" yet stores the offset all the same (server bug, §5.3).
 */
export const modifyOffset: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const body = yield* Common.decodeBody(context, offsetBody, () => Errors.invalidArgument("Offset"))
    const offset = body.offset ?? 0
    return yield* Common.transact(context, (db) => {
      const found = Common.findSubscription(db, project, context.vars["subscription"]!)
      if (Either.isLeft(found)) return [Either.left(found.left), db] as const
      const { max, min } = bounds(db, found.right)
      const next = State.putSubscription(db, { ...found.right, current: offset, nextOffset: 0, pendingSince: 0 })
      const result = offset < min || offset > max
        ? Either.left(Errors.invalidData("Offset out of bounds"))
        : Either.right(Reply.empty)
      return [result, next] as const
    })
  })

/** `subscriptions:timeToOffset` — GET ...:timeToOffset?time=YYYY-MM-DDTHH:MM:SS.mmmZ (compact JSON). */
export const timeToOffset: Handler = (context) =>
  Effect.gen(function*() {
    const { db, sub } = yield* pathSubscription(context)
    const time = parseZulu(context.query.get("time") ?? "")
    if (Option.isNone(time)) return yield* Effect.fail(Errors.invalidData("Time is not in valid Zulu format."))
    const log = State.topic(db, sub.projectUuid, sub.topic)?.log ?? Chunk.empty()
    const message = Chunk.findFirst(log, (m) => m.publishMillis >= time.value)
    if (Option.isNone(message)) {
      return yield* Effect.fail(
        Errors.genericConflict("Timestamp is out of bounds for the subscription's topic/partition")
      )
    }
    return Reply.compactJson({ offset: message.value.offset })
  })

const deadlineBody = Json.struct({ ackDeadlineSeconds: Json.int })

/** `subscriptions:modifyAckDeadline` — POST ...:modifyAckDeadline with 0..600 seconds. */
export const modifyAckDeadline: Handler = (context) =>
  Effect.gen(function*() {
    const invalid = () => Errors.invalidArgument("ackDeadlineSeconds(needs value between 0 and 600)")
    const body = yield* Common.decodeBody(context, deadlineBody, invalid)
    const seconds = body.ackDeadlineSeconds ?? 0
    if (seconds < 0 || seconds > 600) return yield* Effect.fail(invalid())
    return yield* updateSubscription(
      context,
      (db, sub) =>
        Either.right([Reply.empty, State.putSubscription(db, { ...sub, ackDeadlineSeconds: seconds })] as const)
    )
  })
