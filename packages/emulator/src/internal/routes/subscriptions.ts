// Subscription routes (§5.3) except pull/acknowledge: CRUD, ACLs, push config, offsets, ack deadline.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Errors from "../errors.js"
import * as Ids from "../ids.js"
import * as Json from "../json.js"
import { paginate } from "../paging.js"
import * as Push from "../push.js"
import * as Reply from "../reply.js"
import type { Context, Handler } from "../router.js"
import type { Db, ProjectRec, SubscriptionRec } from "../state.js"
import * as State from "../state.js"
import { formatSeconds, parseZulu } from "../time.js"
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

/** Finds the path's subscription or fails with 404 "Subscription doesn't exist". */
export const findSubscription = (
  db: Db,
  project: ProjectRec,
  name: string
): Either.Either<SubscriptionRec, Errors.ApiError> => {
  const sub = db.subscriptions.get(State.key(project.uuid, name))
  return sub === undefined ? Either.left(Errors.notFound("Subscription")) : Either.right(sub)
}

/** Replaces one subscription in the state. */
export const putSubscription = (db: Db, sub: SubscriptionRec): Db => ({
  ...db,
  subscriptions: State.setIn(db.subscriptions, State.key(sub.projectUuid, sub.name), sub)
})

const subKey = (project: ProjectRec, context: Context) => State.key(project.uuid, context.vars["subscription"]!)

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
    const { caller } = context
    const onlyAcl = Common.isPureRole(caller, "consumer")
    const subs = [...db.subscriptions.values()]
      .filter((s) => s.projectUuid === project.uuid && (!onlyAcl || s.acl.includes(caller.userUuid)))
      .sort((a, b) => b.seq - a.seq)
    const page = yield* Common.fromEither(
      paginate(subs, (s) => s.seq, context.query.get("pageSize"), context.query.get("pageToken"))
    )
    return Reply.json({
      subscriptions: page.items.map((s) => subscriptionJson(project, s)),
      nextPageToken: page.nextPageToken,
      totalSize: page.totalSize
    })
  })

/** `subscriptions:show` — GET /v1/projects/{project}/subscriptions/{subscription} */
export const show: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const sub = yield* Common.fromEither(findSubscription(db, project, context.vars["subscription"]!))
    return Reply.json(subscriptionJson(project, sub, true))
  })

const createBody = Json.struct({ topic: Json.string, ackDeadlineSeconds: Json.int, pushConfig: Push.pushConfigBody })

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
    const k = subKey(project, context)
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const topic = db.topics.get(State.key(project.uuid, topicName))
        if (topic === undefined) return yield* Either.left(Errors.notFound("Topic"))
        let pushConfig = State.zeroPushConfig
        let acl: ReadonlyArray<string> = []
        if (!Push.isZero(body.pushConfig ?? undefined)) {
          const worker = yield* Push.checkAvailable(db, config)
          pushConfig = yield* Push.forCreate(body.pushConfig!, tokens)
          if (pushConfig.type === "mattermost") acl = [worker.uuid]
        }
        if (db.subscriptions.has(k)) return yield* Either.left(Errors.conflict("Subscription"))
        const sub: SubscriptionRec = {
          projectUuid: project.uuid,
          name: context.vars["subscription"]!,
          topic: topicName,
          seq: db.seq + 1,
          createdOn: Math.floor(now / 1000) * 1000,
          ackDeadlineSeconds: (body.ackDeadlineSeconds ?? 0) === 0 ? 10 : body.ackDeadlineSeconds!,
          pushConfig,
          acl,
          current: topic.max,
          nextOffset: 0,
          pendingSince: 0,
          metrics: State.zeroSubscriptionMetrics
        }
        return [Reply.json(subscriptionJson(project, sub)), putSubscription({ ...db, seq: db.seq + 1 }, sub)] as const
      }))
  })

/** `subscriptions:delete` — DELETE /v1/projects/{project}/subscriptions/{subscription} */
export const remove: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const k = subKey(project, context)
    return yield* Common.update(context, (db) =>
      Either.map(findSubscription(db, project, context.vars["subscription"]!), (sub) => {
        const next = { ...db, subscriptions: State.removeFrom(db.subscriptions, k) }
        const reply = sub.pushConfig.type !== "" && sub.pushConfig.verified
          ? Reply.compactJson({
            message: `Subscription /projects/${project.name}/subscriptions/${sub.name} deactivated`
          })
          : Reply.empty
        return [reply, next] as const
      }))
  })

/** `subscriptions:acl` — GET /v1/projects/{project}/subscriptions/{subscription}:acl */
export const acl: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const sub = yield* Common.fromEither(findSubscription(db, project, context.vars["subscription"]!))
    return Reply.json(Common.aclDocument(db, sub.acl))
  })

/** `subscriptions:modifyAcl` — POST ...:modifyAcl; like the real store, a missing subscription answers 200. */
export const modifyAcl: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const invalid = () => Errors.invalidArgument("Subscription ACL")
    const body = yield* Common.decodeBody(context, Common.aclBody, invalid)
    const names = body.authorized_users
    if (names === undefined || names === null) return yield* Effect.fail(invalid())
    const k = subKey(project, context)
    return yield* Common.update(context, (db) =>
      Either.map(Common.resolveAclUsers(db, project.uuid, names), (uuids) => {
        const sub = db.subscriptions.get(k)
        return [Reply.empty, sub === undefined ? db : putSubscription(db, { ...sub, acl: uuids })] as const
      }))
  })

const pushBody = Json.struct({ pushConfig: Push.pushConfigBody })

/** `subscriptions:modifyPushConfig` — POST ...:modifyPushConfig (§6.8); `{"pushConfig": {}}` turns push off. */
export const modifyPushConfig: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const body = yield* Common.decodeBody(context, pushBody, () => Errors.invalidArgument("Subscription"))
    const tokens = yield* freshTokens
    const { config } = context.env
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const sub = yield* findSubscription(db, project, context.vars["subscription"]!)
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
        return [Reply.empty, putSubscription(db, { ...sub, pushConfig, acl })] as const
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
    const sub = yield* Common.fromEither(findSubscription(db, project, context.vars["subscription"]!))
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
    return yield* Common.update(context, (current) =>
      Either.gen(function*() {
        const latest = yield* findSubscription(current, project, sub.name)
        const worker = Push.pushWorker(current, config)
        const acl = worker === undefined ? latest.acl : withUser(latest.acl, worker.uuid)
        return [
          Reply.empty,
          putSubscription(current, { ...latest, pushConfig: { ...latest.pushConfig, verified: true }, acl })
        ] as const
      }))
  })

/** The topic bounds of a subscription: `[min, max]` of its topic, or zeros when the topic is gone. */
export const bounds = (db: Db, sub: SubscriptionRec): { readonly min: number; readonly max: number } => {
  const topic = db.topics.get(State.key(sub.projectUuid, sub.topic))
  return topic === undefined ? { min: 0, max: 0 } : { min: topic.min, max: topic.max }
}

/** Raises a cursor that fell behind retention to `min`, clearing the pending pull (§6.6). */
export const catchUp = (sub: SubscriptionRec, min: number): SubscriptionRec =>
  sub.current < min ? { ...sub, current: min, nextOffset: 0, pendingSince: 0 } : sub

/** `subscriptions:offsets` — GET ...:offsets */
export const offsets: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    return yield* Common.update(context, (db) =>
      Either.map(findSubscription(db, project, context.vars["subscription"]!), (found) => {
        const { max, min } = bounds(db, found)
        const sub = catchUp(found, min)
        return [Reply.json({ max, min, current: sub.current }), putSubscription(db, sub)] as const
      }))
  })

const offsetBody = Json.struct({ offset: Json.int })

/** `subscriptions:modifyOffset` — POST ...:modifyOffset; out of bounds answers 400 yet stores it (server bug). */
export const modifyOffset: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const body = yield* Common.decodeBody(context, offsetBody, () => Errors.invalidArgument("Offset"))
    const offset = body.offset ?? 0
    return yield* Common.transact(context, (db) => {
      const found = findSubscription(db, project, context.vars["subscription"]!)
      if (Either.isLeft(found)) return [Either.left(found.left), db] as const
      const { max, min } = bounds(db, found.right)
      const next = putSubscription(db, { ...found.right, current: offset, nextOffset: 0, pendingSince: 0 })
      const result = offset < min || offset > max
        ? Either.left(Errors.invalidData("Offset out of bounds"))
        : Either.right(Reply.empty)
      return [result, next] as const
    })
  })

/** `subscriptions:timeToOffset` — GET ...:timeToOffset?time=YYYY-MM-DDTHH:MM:SS.mmmZ (compact JSON). */
export const timeToOffset: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const sub = yield* Common.fromEither(findSubscription(db, project, context.vars["subscription"]!))
    const time = parseZulu(context.query.get("time") ?? "")
    if (Option.isNone(time)) return yield* Effect.fail(Errors.invalidData("Time is not in valid Zulu format."))
    const topic = db.topics.get(State.key(project.uuid, sub.topic))
    const message = topic?.log.find((m) => m.publishMillis >= time.value)
    if (message === undefined) {
      return yield* Effect.fail(
        Errors.genericConflict("Timestamp is out of bounds for the subscription's topic/partition")
      )
    }
    return Reply.compactJson({ offset: message.offset })
  })

const deadlineBody = Json.struct({ ackDeadlineSeconds: Json.int })

/** `subscriptions:modifyAckDeadline` — POST ...:modifyAckDeadline with 0..600 seconds. */
export const modifyAckDeadline: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const invalid = () => Errors.invalidArgument("ackDeadlineSeconds(needs value between 0 and 600)")
    const body = yield* Common.decodeBody(context, deadlineBody, invalid)
    const seconds = body.ackDeadlineSeconds ?? 0
    if (seconds < 0 || seconds > 600) return yield* Effect.fail(invalid())
    return yield* Common.update(context, (db) =>
      Either.map(
        findSubscription(db, project, context.vars["subscription"]!),
        (sub) => [Reply.empty, putSubscription(db, { ...sub, ackDeadlineSeconds: seconds })] as const
      ))
  })
