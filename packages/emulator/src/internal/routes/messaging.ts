// `subscriptions:pull` and `subscriptions:acknowledge` (§6.3–§6.4): no leasing, cumulative single-shot acks.
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as STM from "effect/STM"
import * as TRef from "effect/TRef"
import * as Errors from "../errors.js"
import * as Json from "../json.js"
import { atoi } from "../paging.js"
import * as Reply from "../reply.js"
import type { Handler } from "../router.js"
import type { ProjectRec, Store } from "../state.js"
import * as State from "../state.js"
import * as Common from "./common.js"
import { messageJson } from "./publish.js"
import { catchUp } from "./subscriptions.js"

const pullBody = Json.struct({ maxMessages: Json.string, returnImmediately: Json.string })

/** Suspends until the subscription has `want` messages past its cursor (or it or its topic disappears). */
const waitForMessages = (store: Store, project: ProjectRec, subName: string, want: number): STM.STM<void> =>
  STM.flatMap(TRef.get(store), (db) => {
    const sub = State.subscription(db, project.uuid, subName)
    const topic = sub === undefined ? undefined : State.topic(db, project.uuid, sub.topic)
    if (sub === undefined || topic === undefined) return STM.void
    return topic.max - sub.current >= want ? STM.void : STM.retry
  })

/** `subscriptions:pull` — POST /v1/projects/{project}/subscriptions/{subscription}:pull */
export const pull: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const { caller, env } = context
    const subName = context.vars["subscription"]!
    const db = yield* Common.snapshot(context)
    const sub = yield* Common.fromEither(Common.findSubscription(db, project, subName))
    if (sub.pushConfig.type !== "") {
      if (Common.has(caller, "push_worker") && !env.config.pushEnabled) return yield* Effect.fail(Errors.pushConflict())
      if (!Common.has(caller, "push_worker") && !Common.has(caller, "service_admin")) {
        return yield* Effect.fail(Errors.forbidden())
      }
    }
    if (env.config.perResourceAuth && Common.has(caller, "consumer") && !sub.acl.includes(caller.userUuid)) {
      return yield* Effect.fail(Errors.forbidden())
    }
    if (State.topic(db, project.uuid, sub.topic) === undefined) return yield* Effect.fail(Errors.pullNoTopic())
    const body = yield* Common.decodeBody(context, pullBody, () => Errors.invalidArgument("Pull Parameters"))
    const want = Math.max(1, atoi(body.maxMessages ?? "") ?? 1)
    const immediately = body.returnImmediately !== "false"
    // The subscription and its topic as the transaction sees them, the cursor caught up with retention.
    const cursor = (db: State.Db) =>
      Either.gen(function*() {
        const found = yield* Common.findSubscription(db, project, subName)
        const topic = State.topic(db, project.uuid, found.topic)
        if (topic === undefined) return yield* Either.left(Errors.pullNoTopic())
        return { topic, sub: catchUp(found, topic.min) }
      })

    const available = yield* Effect.flatMap(Common.snapshot(context), (current) =>
      Common.fromEither(Either.map(cursor(current), ({ sub, topic }) => topic.max - sub.current)))
    // Nothing new answers [] at once, whatever returnImmediately says (§6.3 step 3).
    if (!immediately && available > 0 && available < want) {
      yield* STM.commit(waitForMessages(env.store, project, subName, want)).pipe(
        Effect.timeoutOption(env.config.pullWaitLimit)
      )
    }

    const nowMillis = yield* Clock.currentTimeMillis
    return yield* Common.update(context, (current) =>
      Either.map(cursor(current), ({ sub, topic }) => {
        const messages = Chunk.toReadonlyArray(Chunk.take(Chunk.drop(topic.log, sub.current - topic.min), want))
        // Every pull is recorded, an empty one included: the pending window becomes [current, current + n)
        // from now on, and the consume counters see an event (the server's `UpdateSubPull` and metrics).
        const bytes = messages.reduce((sum, m) =>
          sum + m.data.length, 0)
        const seconds = sub.metrics.latestConsume === 0 ? 1 : (nowMillis - sub.metrics.latestConsume) / 1000
        const next = {
          ...sub,
          nextOffset: sub.current + messages.length,
          pendingSince: Math.floor(nowMillis / 1000),
          metrics: {
            messages: sub.metrics.messages + messages.length,
            bytes: sub.metrics.bytes + bytes,
            latestConsume: nowMillis,
            consumeRate: seconds > 0 ? messages.length / seconds : messages.length
          }
        }
        const received = messages.map((m) => ({
          ackId: `projects/${project.name}/subscriptions/${subName}:${m.offset}`,
          message: messageJson(m)
        }))
        return [Reply.json({ receivedMessages: received }), State.putSubscription(current, next)] as const
      }))
  })

const ackBody = Json.struct({ ackIds: Json.array(Json.string) })

/** `subscriptions:acknowledge` — POST /v1/projects/{project}/subscriptions/{subscription}:acknowledge */
export const acknowledge: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const subName = context.vars["subscription"]!
    const body = yield* Common.decodeBody(context, ackBody, () => Errors.invalidData("Invalid ack parameter"))
    const nowSeconds = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const prefix = `projects/${context.vars["project"]}/subscriptions/${subName}:`
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const sub = yield* Common.findSubscription(db, project, subName)
        const ids = body.ackIds ?? []
        if (ids.length === 0) return yield* Either.left(Errors.invalidData("Invalid ack id"))
        let maxOffset = -Infinity
        for (const id of ids) {
          const offset = id.startsWith(prefix) ? atoi(id.slice(prefix.length)) : undefined
          if (offset === undefined) return yield* Either.left(Errors.invalidData("Invalid ack id"))
          maxOffset = Math.max(maxOffset, offset)
        }
        const newCurrent = maxOffset + 1
        if (sub.nextOffset === 0) return yield* Either.left(Errors.genericInternal("no ack pending"))
        if (newCurrent <= sub.current || newCurrent > sub.nextOffset) {
          return yield* Either.left(Errors.genericInternal("wrong ack"))
        }
        if (nowSeconds - sub.pendingSince > sub.ackDeadlineSeconds) {
          return yield* Either.left(Errors.timeout("ack timeout"))
        }
        const next = { ...sub, current: newCurrent, nextOffset: 0, pendingSince: 0 }
        return [Reply.emptyObject, State.putSubscription(db, next)] as const
      }))
  })
