/**
 * AMS schemas (`/v1/projects/{P}/schemas...`): JSON Schema or AVRO definitions that a topic can require
 * of every message published to it. Named `MessageSchema` so it does not clash with `effect/Schema`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"

import * as Schema from "effect/Schema"
import type { AmsError } from "./AmsError.js"
import type * as AmsHttp from "./AmsHttp.js"
import * as Base64 from "./internal/base64.js"
import * as Names from "./internal/names.js"
import * as Operation from "./internal/operation.js"
import * as Wire from "./internal/wire.js"

/**
 * The kind of a schema: `json` (JSON Schema) or `avro`.
 *
 * @since 0.1.0
 * @category models
 */
export type Type = "json" | "avro"

/**
 * A schema definition: a JSON Schema document, or an AVRO schema (its JSON form).
 *
 * @since 0.1.0
 * @category models
 */
export type Definition = Readonly<Record<string, unknown>>

/**
 * A schema as the server shows it (ams-api.md §4.10).
 *
 * @since 0.1.0
 * @category models
 */
export class MessageSchema extends Schema.Class<MessageSchema>("MessageSchema")({
  uuid: Schema.String,
  /** The short name, e.g. `schema-1`. */
  name: Schema.String,
  /** The server's reference, e.g. `projects/ARGO/schemas/schema-1` (no leading slash). */
  fullName: Schema.String,
  project: Schema.String,
  type: Schema.Literal("json", "avro"),
  schema: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * The wire shape of a schema, decoded into `MessageSchema`. The type is read case-insensitively; a name
 * that is not `projects/P/schemas/S` is a broken answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageSchemaFromWire = Schema.transform(
  Schema.Struct({
    uuid: Schema.String,
    name: Wire.resourceName("schemas"),
    type: Schema.compose(Schema.Lowercase, Schema.Literal("json", "avro")),
    schema: Schema.Record({ key: Schema.String, value: Schema.Unknown })
  }),
  Schema.typeSchema(MessageSchema),
  {
    strict: true,
    decode: (wire) =>
      new MessageSchema({
        uuid: wire.uuid,
        name: wire.name.name,
        fullName: wire.name.fullName,
        project: wire.name.project,
        type: wire.type,
        schema: wire.schema
      }),
    encode: (schema) => ({
      uuid: schema.uuid,
      name: { name: schema.name, fullName: schema.fullName, project: schema.project },
      type: schema.type,
      schema: schema.schema
    })
  }
)

const SchemaList = Schema.transform(
  Schema.Struct({
    schemas: Schema.optionalWith(Schema.Array(MessageSchemaFromWire), { nullable: true, default: () => [] })
  }),
  Schema.Array(Schema.typeSchema(MessageSchema)),
  { strict: true, decode: ({ schemas }) => schemas, encode: (schemas) => ({ schemas }) }
)

/**
 * Creates a schema (`POST /v1/projects/{P}/schemas/{S}`, body `{"type", "schema"}`); needs
 * `project_admin`. The server compiles the definition and answers 400 with the compiler's text if it is
 * not a valid JSON Schema / AVRO schema.
 *
 * @example
 * import { MessageSchema } from "@argo-ams/client"
 *
 * const status = MessageSchema.create("status", {
 *   type: "json",
 *   schema: {
 *     type: "object",
 *     properties: { host: { type: "string" } },
 *     required: ["host"]
 *   }
 * })
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (
  name: string,
  fields: { readonly type: Type; readonly schema: Definition },
  options?: AmsHttp.RequestOptions
): Effect.Effect<MessageSchema, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("schema.create", () =>
    Operation.run({
      operation: "schema.create",
      method: "POST",
      projectScoped: true,
      names: [["schema", name]],
      path: (project) => `/projects/${project}/schemas/${name}`,
      body: { type: fields.type, schema: fields.schema },
      response: MessageSchemaFromWire,
      options
    }))

/**
 * Gets a schema (`GET /v1/projects/{P}/schemas/{S}`).
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<MessageSchema, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("schema.get", () =>
    Operation.run({
      operation: "schema.get",
      method: "GET",
      projectScoped: true,
      names: [["schema", name]],
      path: (project) => `/projects/${project}/schemas/${name}`,
      response: MessageSchemaFromWire,
      options
    }))

/**
 * Lists the project's schemas (`GET /v1/projects/{P}/schemas`).
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (
  options?: AmsHttp.RequestOptions
): Effect.Effect<ReadonlyArray<MessageSchema>, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("schema.list", () =>
    Operation.run({
      operation: "schema.list",
      method: "GET",
      projectScoped: true,
      path: (project) => `/projects/${project}/schemas`,
      response: SchemaList,
      options
    }))

/**
 * Updates a schema (`PUT /v1/projects/{P}/schemas/{S}`): a new short `name` (sent as the server's
 * `projects/P/schemas/NEW` reference), `type` and/or `schema`. Only the fields given are sent.
 *
 * @since 0.1.0
 * @category operations
 */
export const update = (
  name: string,
  fields: {
    readonly name?: string | undefined
    readonly type?: Type | undefined
    readonly schema?: Definition | undefined
  },
  options?: AmsHttp.RequestOptions
): Effect.Effect<MessageSchema, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("schema.update", () => {
    return Operation.run({
      operation: "schema.update",
      method: "PUT",
      projectScoped: true,
      names: [["schema", name]],
      path: (project) => `/projects/${project}/schemas/${name}`,
      // The new name must pass the server's rule too, or the schema could never be addressed again.
      check: fields.name === undefined ? Effect.void : Names.check("schema.update", [["schema", fields.name]]),
      body: (project: string) => {
        const body: Record<string, unknown> = {}
        // The server wants the new name as a reference, `projects/P/schemas/NEW`.
        if (fields.name !== undefined) body.name = `projects/${project}/schemas/${fields.name}`
        if (fields.type !== undefined) body.type = fields.type
        if (fields.schema !== undefined) body.schema = fields.schema
        return body
      },
      response: MessageSchemaFromWire,
      options
    })
  })

/**
 * Deletes a schema (`DELETE /v1/projects/{P}/schemas/{S}`).
 *
 * @since 0.1.0
 * @category operations
 */
export const remove = (
  name: string,
  options?: AmsHttp.RequestOptions
): Effect.Effect<void, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("schema.remove", () =>
    Operation.run({
      operation: "schema.remove",
      method: "DELETE",
      projectScoped: true,
      names: [["schema", name]],
      path: (project) => `/projects/${project}/schemas/${name}`,
      response: Wire.Ignored,
      options
    }).pipe(Effect.asVoid))

const Validated = Schema.Struct({ message: Schema.optionalWith(Schema.String, { default: () => "" }) })

/**
 * Checks a payload against a schema without publishing it (`POST /v1/projects/{P}/schemas/{S}:validate`).
 * For a JSON schema give the JSON document itself (it is sent as the body); for an AVRO schema give the
 * AVRO-encoded bytes (sent as `{"data": "<base64>"}`). Succeeds with the server's message
 * (`Message validated successfully`); an invalid payload fails with `AmsServiceError` 400 and the
 * validator's text.
 *
 * @since 0.1.0
 * @category operations
 */
export const validateMessage = (
  name: string,
  payload: Uint8Array | unknown,
  options?: AmsHttp.RequestOptions
): Effect.Effect<string, AmsError, AmsHttp.AmsHttp> =>
  Operation.lazy("schema.validateMessage", () =>
    Operation.run({
      operation: "schema.validateMessage",
      method: "POST",
      projectScoped: true,
      names: [["schema", name]],
      path: (project) => `/projects/${project}/schemas/${name}:validate`,
      // An `undefined` document is sent as JSON `null`: `undefined` would mean "no body" to `AmsHttp`.
      body: payload instanceof Uint8Array ? { data: Base64.encode(payload) } : payload ?? null,
      response: Validated,
      options
    }).pipe(Effect.map((answer) => answer.message)))
