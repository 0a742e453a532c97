// Topic routes (§5.2): list, show, create, delete, acl, modifyAcl, attach/detach schema, listByTopic.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Errors from "../errors.js"
import * as Json from "../json.js"
import { paginate } from "../paging.js"
import * as Reply from "../reply.js"
import type { Handler } from "../router.js"
import { schemaRefOf, validateSchemaRef } from "../schemaHooks.js"
import type { Db, ProjectRec, TopicRec } from "../state.js"
import * as State from "../state.js"
import { formatSeconds } from "../time.js"
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

const findTopic = (db: Db, project: ProjectRec, name: string): Either.Either<TopicRec, Errors.ApiError> => {
  const topic = db.topics.get(State.key(project.uuid, name))
  return topic === undefined ? Either.left(Errors.notFound("Topic")) : Either.right(topic)
}

/** `topics:list` — GET /v1/projects/{project}/topics */
export const list: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const { caller } = context
    const onlyAcl = Common.isPureRole(caller, "publisher")
    const topics = [...db.topics.values()]
      .filter((t) => t.projectUuid === project.uuid && (!onlyAcl || t.acl.includes(caller.userUuid)))
      .sort((a, b) => b.seq - a.seq)
    const page = yield* Common.fromEither(
      paginate(topics, (t) => t.seq, context.query.get("pageSize"), context.query.get("pageToken"))
    )
    return Reply.json({
      topics: page.items.map((t) => topicJson(db, project, t)),
      nextPageToken: page.nextPageToken,
      totalSize: page.totalSize
    })
  })

/** `topics:show` — GET /v1/projects/{project}/topics/{topic} */
export const show: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const topic = yield* Common.fromEither(findTopic(db, project, context.vars["topic"]!))
    return Reply.json(topicJson(db, project, topic))
  })

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
        const k = State.key(project.uuid, name)
        if (db.topics.has(k)) return yield* Either.left(Errors.conflict("Topic"))
        const topic: TopicRec = {
          projectUuid: project.uuid,
          name,
          seq: db.seq + 1,
          createdOn: Math.floor(now / 1000) * 1000,
          schemaUuid,
          acl: [],
          log: [],
          min: 0,
          max: 0,
          metrics: State.zeroTopicMetrics
        }
        const next: Db = { ...db, seq: db.seq + 1, topics: State.setIn(db.topics, k, topic) }
        return [Reply.json(topicJson(next, project, topic)), next] as const
      }))
  })

/** `topics:delete` — DELETE /v1/projects/{project}/topics/{topic}; subscriptions stay (§6.9). */
export const remove: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const k = State.key(project.uuid, context.vars["topic"]!)
    return yield* Common.update(context, (db) =>
      db.topics.has(k)
        ? Either.right([Reply.empty, { ...db, topics: State.removeFrom(db.topics, k) }] as const)
        : Either.left(Errors.notFound("Topic")))
  })

/** `topics:acl` — GET /v1/projects/{project}/topics/{topic}:acl */
export const acl: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const topic = yield* Common.fromEither(findTopic(db, project, context.vars["topic"]!))
    return Reply.json(Common.aclDocument(db, topic.acl))
  })

/**
 * `topics:modifyAcl` — POST /v1/projects/{project}/topics/{topic}:modifyAcl. Like the real (Mongo) store,
 * a missing topic still answers 200.
 */
export const modifyAcl: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const body = yield* Common.decodeBody(context, Common.aclBody, () => Errors.invalidArgument("Topic ACL"))
    const names = body.authorized_users
    if (names === undefined || names === null) return yield* Effect.fail(Errors.invalidArgument("Topic ACL"))
    const k = State.key(project.uuid, context.vars["topic"]!)
    return yield* Common.update(context, (db) =>
      Either.map(Common.resolveAclUsers(db, project.uuid, names), (uuids) => {
        const topic = db.topics.get(k)
        if (topic === undefined) return [Reply.empty, db] as const
        return [Reply.empty, { ...db, topics: State.setIn(db.topics, k, { ...topic, acl: uuids }) }] as const
      }))
  })

const attachBody = Json.struct({ schema: Json.string })

const setSchema = (context: Parameters<Handler>[0], ref: string) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const k = State.key(project.uuid, context.vars["topic"]!)
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const topic = db.topics.get(k)
        if (topic === undefined) return yield* Either.left(Errors.notFound("Topic"))
        const schemaUuid = ref === "" ? "" : yield* validateSchemaRef(db, project.uuid, ref)
        return [Reply.empty, { ...db, topics: State.setIn(db.topics, k, { ...topic, schemaUuid }) }] as const
      }))
  })

/** `topics:attachSchema` — POST /v1/projects/{project}/topics/{topic}:attachSchema; an empty body detaches. */
export const attachSchema: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    yield* Common.fromEither(findTopic(db, project, context.vars["topic"]!))
    let ref = ""
    if (context.body.length > 0) {
      const body = Json.decodeBody(context.body, attachBody)
      if (Option.isNone(body)) return yield* Effect.fail(Errors.invalidRequestBody())
      ref = body.value.schema ?? ""
    }
    return yield* setSchema(context, ref)
  })

/** `topics:detachSchema` — POST /v1/projects/{project}/topics/{topic}:detachSchema (body ignored). */
export const detachSchema: Handler = (context) => setSchema(context, "")

/** `subscriptions:listByTopic` — GET /v1/projects/{project}/topics/{topic}/subscriptions (compact JSON). */
export const listSubscriptions: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const topic = yield* Common.fromEither(findTopic(db, project, context.vars["topic"]!))
    const names = [...db.subscriptions.values()]
      .filter((s) => s.projectUuid === project.uuid && s.topic === topic.name)
      .sort((a, b) => a.seq - b.seq)
      .map((s) => `/projects/${project.name}/subscriptions/${s.name}`)
    return Reply.compactJson({ subscriptions: names })
  })
