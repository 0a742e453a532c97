// Schema routes (§5.7): create, show, list, update, delete and `:validate`, with real JSON/AVRO checking.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Errors from "../errors.js"
import * as Ids from "../ids.js"
import * as Json from "../json.js"
import * as Reply from "../reply.js"
import type { Handler } from "../router.js"
import { validationError } from "../schemaHooks.js"
import * as SchemaValidation from "../schemaValidation.js"
import type { Db, ProjectRec, SchemaRec } from "../state.js"
import * as State from "../state.js"
import * as Common from "./common.js"

/** Go marshals `map[string]interface{}` with sorted keys, at every depth. */
const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])])
  )
}

/** The Schema JSON of §4.10. */
export const schemaJson = (project: ProjectRec, schema: SchemaRec) => ({
  uuid: schema.uuid,
  name: `projects/${project.name}/schemas/${schema.name}`,
  type: schema.type,
  schema: sortKeys(schema.schema ?? null)
})

/** A Go `map[string]interface{}` field: an object or null. */
const object: Json.Decode<Readonly<Record<string, unknown>> | null> = (u) =>
  u === null
    ? Option.some(null)
    : typeof u === "object" && !Array.isArray(u)
    ? Option.some(u as Record<string, unknown>)
    : Option.none()

const schemaBody = Json.struct({ name: Json.string, type: Json.string, schema: object })

const findSchema = (db: Db, project: ProjectRec, name: string): Either.Either<SchemaRec, Errors.ApiError> =>
  Either.fromNullable(State.schema(db, project.uuid, name), () => Errors.notFound("Schema"))

const checked = (type: string, schema: unknown) =>
  Either.mapLeft(SchemaValidation.check(type, schema), Errors.invalidData)

/** `schemas:create` — POST /v1/projects/{project}/schemas/{schema} with `{"type", "schema"}` */
export const create: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const body = yield* Common.decodeBody(context, schemaBody, () => Errors.invalidArgument("Schema"))
    const uuid = yield* Ids.uuid
    const name = context.vars["schema"]!
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        if (State.schema(db, project.uuid, name) !== undefined) return yield* Either.left(Errors.conflict("Schema"))
        const type = (body.type ?? "").toLowerCase()
        const raw = body.schema ?? null
        yield* checked(type, raw)
        const schema: SchemaRec = { uuid, projectUuid: project.uuid, name, type, schema: raw, seq: db.seq + 1 }
        return [
          Reply.oneSpaceJson(schemaJson(project, schema)),
          State.putSchema({ ...db, seq: schema.seq }, schema)
        ] as const
      }))
  })

/** `schemas:show` — GET /v1/projects/{project}/schemas/{schema} */
export const show: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const schema = yield* Common.fromEither(findSchema(db, project, context.vars["schema"]!))
    return Reply.oneSpaceJson(schemaJson(project, schema))
  })

/** `schemas:list` — GET /v1/projects/{project}/schemas */
export const list: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const schemas = State.inProject(db.schemas, project.uuid)
    return Reply.oneSpaceJson({ schemas: schemas.map((s) => schemaJson(project, s)) })
  })

/**
 * `schemas:update` — PUT /v1/projects/{project}/schemas/{schema} with any of `{"name", "type", "schema"}`.
 * A new schema body is checked against the (new or old) type; a new type alone re-checks the old body.
 */
export const update: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db0 = yield* Common.snapshot(context)
    yield* Common.fromEither(findSchema(db0, project, context.vars["schema"]!))
    const body = yield* Common.decodeBody(context, schemaBody, () => Errors.invalidArgument("Schema"))
    let newName = ""
    if ((body.name ?? "") !== "") {
      const parts = body.name!.split("/")
      if (parts.length !== 4 || parts[0] !== "projects" || parts[2] !== "schemas") {
        return yield* Effect.fail(Errors.invalidData("wrong schema name declaration"))
      }
      newName = parts[3]!
    }
    return yield* Common.update(context, (db) =>
      Either.gen(function*() {
        const existing = yield* findSchema(db, project, context.vars["schema"]!)
        let name = existing.name
        if (newName !== "" && newName !== existing.name) {
          if (State.schema(db, project.uuid, newName) !== undefined) {
            return yield* Either.left(Errors.conflict("Schema"))
          }
          name = newName
        }
        const newType = (body.type ?? "").toLowerCase()
        const type = newType === "" ? existing.type : newType
        const raw = body.schema ?? null
        const hasRaw = raw !== null && Object.keys(raw).length > 0
        if (hasRaw) yield* checked(type, raw)
        else if (newType !== "") yield* checked(type, existing.schema)
        const updated: SchemaRec = { ...existing, name, type, schema: hasRaw ? raw : existing.schema }
        const without = { ...db, schemas: HashMap.remove(db.schemas, State.key(project.uuid, existing.name)) }
        return [Reply.oneSpaceJson(schemaJson(project, updated)), State.putSchema(without, updated)] as const
      }))
  })

/** `schemas:delete` — DELETE /v1/projects/{project}/schemas/{schema}; topics using it lose their schema. */
export const remove: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    return yield* Common.update(context, (db) =>
      Either.map(findSchema(db, project, context.vars["schema"]!), (schema) => {
        const next: Db = {
          ...db,
          topics: HashMap.map(db.topics, (t) => (t.schemaUuid === schema.uuid ? { ...t, schemaUuid: "" } : t)),
          schemas: HashMap.remove(db.schemas, State.key(project.uuid, schema.name))
        }
        return [Reply.empty, next] as const
      }))
  })

/**
 * `schemas:validateMessage` — POST /v1/projects/{project}/schemas/{schema}:validate. JSON schemas validate
 * the raw body; AVRO schemas take `{"data": "<base64>"}`.
 */
export const validateMessage: Handler = (context) =>
  Effect.gen(function*() {
    const project = yield* Common.project(context)
    const db = yield* Common.snapshot(context)
    const schema = yield* Common.fromEither(findSchema(db, project, context.vars["schema"]!))
    let payload: string
    if (schema.type === "avro") {
      const body = Json.decodeBody(context.body, Json.stringMap)
      if (Option.isNone(body)) {
        return yield* Effect.fail(Errors.invalidRequestBody())
      }
      if (!Object.hasOwn(body.value, "data")) return yield* Effect.fail(Errors.invalidArgument("Schema Payload"))
      payload = body.value["data"]!
    } else {
      payload = Buffer.from(context.body, "utf8").toString("base64")
    }
    yield* Common.fromEither(validationError(SchemaValidation.validate(schema.type, schema.schema, [payload])))
    return Reply.oneSpaceJson({ message: "Message validated successfully" })
  })
