// `topics:publish` (§5.2, §6.2): append to the topic log, offsets as ids, 413 keeping earlier messages.
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Errors from "../errors.js"
import * as Json from "../json.js"
import * as Reply from "../reply.js"
import type { Handler } from "../router.js"
import { type IncomingMessage, validateMessages } from "../schemaHooks.js"
import type { Db, ProjectRec, StoredMessage, TopicRec } from "../state.js"
import * as State from "../state.js"
import { formatDay, formatNanos, nanosToMillis } from "../time.js"
import * as Common from "./common.js"

/** The producer limit of one stored record, in bytes (§6.2). */
export const maxRecordBytes = 1_500_000

const publishBody = Json.struct({
  messages: Json.array(Json.struct({
    messageId: Json.string,
    attributes: Json.stringMap,
    data: Json.string,
    publishTime: Json.string
  }))
})

const encoder = new TextEncoder()

/** The message object of §4.3 (`messageId`, `attributes` when non-empty, `data`, `publishTime`). */
export const messageJson = (message: StoredMessage) => ({
  messageId: String(message.offset),
  ...(message.attributes.length === 0 ? {} : { attributes: Object.fromEntries(message.attributes) }),
  data: message.data,
  publishTime: message.publishTime
})

// What the server's producer counts for one message (§6.2): the pretty-printed message plus Sarama's
// fixed record overhead (`5 * MaxVarintLen32 + MaxVarintLen64 + 1`). It is counted with the longest id
// (19 digits of an int64 offset) and publish time (30 characters), the bound the client's
// `Message.recordBytes` checks before sending, so that what this accepts is exactly what the client
// lets through, whatever offset and time the message gets.
const recordOverhead = 36
const longestId = "9".repeat(19)
const longestPublishTime = "2006-01-02T15:04:05.999999999Z"

const recordSize = (message: StoredMessage): number =>
  encoder.encode(Json.pretty({ ...messageJson(message), messageId: longestId, publishTime: longestPublishTime }))
    .length + recordOverhead

interface Outcome {
  readonly ids: ReadonlyArray<string>
  readonly tooLarge: boolean
}

const append = (
  db: Db,
  project: ProjectRec,
  name: string,
  messages: ReadonlyArray<IncomingMessage>,
  nanos: bigint
): readonly [Either.Either<Outcome, Errors.ApiError>, Db] => {
  const topic = State.topic(db, project.uuid, name)
  // The topic was deleted between the checks and the write: the broker no longer knows it.
  if (topic === undefined) return [Either.left(Errors.genericBackend()), db]
  const now = nanosToMillis(nanos)
  const publishTime = formatNanos(nanos)
  const stored: Array<StoredMessage> = []
  let tooLarge = false
  for (const incoming of messages) {
    const message: StoredMessage = {
      offset: topic.max + stored.length,
      data: incoming.data,
      attributes: Object.entries(incoming.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      publishTime,
      publishMillis: now
    }
    if (recordSize(message) > maxRecordBytes) {
      tooLarge = true
      break
    }
    stored.push(message)
  }
  let metrics = topic.metrics
  if (!tooLarge) {
    const count = messages.length
    const day = formatDay(now)
    const seconds = metrics.latestPublish === 0 ? 1 : (now - metrics.latestPublish) / 1000
    metrics = {
      messages: metrics.messages + count,
      bytes: metrics.bytes + messages.reduce((sum, m) => sum + encoder.encode(m.data).length, 0),
      daily: new Map(metrics.daily).set(day, (metrics.daily.get(day) ?? 0) + count),
      latestPublish: now,
      publishRate: seconds > 0 ? count / seconds : count
    }
  }
  const next: TopicRec = {
    ...topic,
    log: Chunk.appendAll(topic.log, Chunk.unsafeFromArray(stored)),
    max: topic.max + stored.length,
    metrics
  }
  return [Either.right({ ids: stored.map((m) => String(m.offset)), tooLarge }), State.putTopic(db, next)]
}

/** `topics:publish` — POST /v1/projects/{project}/topics/{topic}:publish */
export const publish: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const { caller, env } = context
    const name = context.vars["topic"]!
    const db = yield* Common.snapshot(context)
    const topic = yield* Common.fromEither(Common.findTopic(db, project, name))
    if (env.config.perResourceAuth && Common.has(caller, "publisher") && !topic.acl.includes(caller.userUuid)) {
      return yield* Effect.fail(Errors.forbidden())
    }
    const body = yield* Common.decodeBody(context, publishBody, () => Errors.invalidArgument("Message"))
    const messages: Array<IncomingMessage> = (body.messages ?? []).map((m) => ({
      data: m.data ?? "",
      attributes: m.attributes ?? {}
    }))
    if (topic.schemaUuid !== "") yield* Common.fromEither(validateMessages(db, topic.schemaUuid, messages))
    const nanos = yield* Clock.currentTimeNanos
    const outcome = yield* Common.transact(context, (current) => append(current, project, name, messages, nanos))
    if (outcome.tooLarge) return yield* Effect.fail(Errors.tooLargeMessage())
    return Reply.json({ messageIds: outcome.ids })
  })
