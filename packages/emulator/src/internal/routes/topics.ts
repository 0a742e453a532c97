// Topic routes (§5.2): list, show, create, delete, acl, modifyAcl, attach/detach schema, listByTopic.
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Errors from "../errors.js"
import * as Json from "../json.js"
import * as Reply from "../reply.js"
import type { Context, Handler } from "../router.js"
import { schemaRefOf, validateSchemaRef } from "../schemaHooks.js"
import type { Db, ProjectRec, TopicRec } from "../state.js"
import * as State from "../state.js"
import { formatSeconds, truncateToSeconds } from "../time.js"
import * as Common from "./common.js"

/** The Topic JSON of §4.1 (key order name, schema, created_on). */
export const topicJson = (db: Db, project: ProjectRec, topic: TopicRec) => {
  const schema = schemaRefOf(db, project.name, topic.schemaUuid)
  return {
    name: `/projects/${project.name}/topics/${topic.name}`,
    ...(schema === "" ? {} : { schema }),
    created_on: formatSeconds(topic.createdOn)
  }
}

/** The path's topic in a snapshot, or 404. */
const pathTopic = (context: Context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const topic = yield* Common.fromEither(Common.findTopic(db, project, context.vars["topic"]!))
    return { db, project, topic }
  })

/** `topics:list` — GET /v1/projects/{project}/topics */
export const list: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const page = yield* Common.paginate(context, Common.visible(context, db.topics, project, "publisher"))
    return Reply.json({
      topics: page.items.map((t) => topicJson(db, project, t)),
      nextPageToken: page.nextPageToken,
      totalSize: page.totalSize
    })
  })

/** `topics:show` — GET /v1/projects/{project}/topics/{topic} */
export const show: Handler = (context) =>
  Effect.map(pathTopic(context), ({ db, project, topic }) => Reply.json(topicJson(db, project, topic)))

/** `topics:create` — PUT /v1/projects/{project}/topics/{topic} (optional body `{"schema": "projects/P/schemas/S"}`) */
export const create: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    let schemaRef = ""
    if (context.body.length > 0) {
      // A Go map[string]string: keys are matched exactly, not case-insensitively.
      const body = yield* Common.decodeBody(context, Json.stringMap, Errors.invalidRequestBody)
      schemaRef = body["schema"] ?? ""
    }
    const now = yield* Clock.currentTimeMillis
    const name = context.vars["topic"]!
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const schemaUuid = schemaRef === "" ? "" : yield* validateSchemaRef(db, project.uuid, schemaRef)
        if (State.topic(db, project.uuid, name) !== undefined) return yield* Either.left(Errors.conflict("Topic"))
        const topic: TopicRec = {
          projectUuid: project.uuid,
          name,
          seq: db.seq + 1,
          createdOn: truncateToSeconds(now),
          schemaUuid,
          acl: [],
          log: Chunk.empty(),
          min: 0,
          max: 0,
          metrics: State.zeroTopicMetrics
        }
        const next = State.putTopic({ ...db, seq: topic.seq }, topic)
        return [Reply.json(topicJson(next, project, topic)), next] as const
      }))
  })

/** `topics:delete` — DELETE /v1/projects/{project}/topics/{topic}; subscriptions stay (§6.9). */
export const remove: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    return yield* Common.update(context, (db) =>
      Either.map(
        Common.findTopic(db, project, context.vars["topic"]!),
        (topic) =>
          [Reply.empty, { ...db, topics: HashMap.remove(db.topics, State.key(project.uuid, topic.name)) }] as const
      ))
  })

/** `topics:acl` — GET /v1/projects/{project}/topics/{topic}:acl */
export const acl: Handler = (context) =>
  Effect.map(pathTopic(context), ({ db, topic }) => Reply.json(Common.aclDocument(db, topic.acl)))

/** `topics:modifyAcl` — POST /v1/projects/{project}/topics/{topic}:modifyAcl (a missing topic answers 200). */
export const modifyAcl: Handler = (context) =>
  Common.modifyAcl(context, "Topic", (db, project, acl) => {
    const topic = State.topic(db, project.uuid, context.vars["topic"]!)
    return topic === undefined ? db : State.putTopic(db, { ...topic, acl })
  })

const attachBody = Json.struct({ schema: Json.string })

const setSchema = (context: Context, ref: string) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const topic = yield* Common.findTopic(db, project, context.vars["topic"]!)
        const schemaUuid = ref === "" ? "" : yield* validateSchemaRef(db, project.uuid, ref)
        return [Reply.empty, State.putTopic(db, { ...topic, schemaUuid })] as const
      }))
  })

/** `topics:attachSchema` — POST /v1/projects/{project}/topics/{topic}:attachSchema; an empty body detaches. */
export const attachSchema: Handler = (context) =>
  Effect.gen(function*() {
    yield* pathTopic(context)
    const ref = context.body.length === 0
      ? ""
      : (yield* Common.decodeBody(context, attachBody, Errors.invalidRequestBody)).schema ?? ""
    return yield* setSchema(context, ref)
  })

/** `topics:detachSchema` — POST /v1/projects/{project}/topics/{topic}:detachSchema (body ignored). */
export const detachSchema: Handler = (context) => setSchema(context, "")

/** `subscriptions:listByTopic` — GET /v1/projects/{project}/topics/{topic}/subscriptions (compact JSON). */
export const listSubscriptions: Handler = (context) =>
  Effect.map(pathTopic(context), ({ db, project, topic }) =>
    Reply.compactJson({
      subscriptions: State.inProject(db.subscriptions, project.uuid)
        .filter((s) => s.topic === topic.name)
        .map((s) => `/projects/${project.name}/subscriptions/${s.name}`)
    }))
