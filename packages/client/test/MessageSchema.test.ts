import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import type { AmsError as AmsErrorType } from "../src/AmsError.js"
import type * as AmsHttp from "../src/AmsHttp.js"
import * as MessageSchema from "../src/MessageSchema.js"
import * as Recorder from "./utils/recorder.js"

const jsonDefinition = {
  properties: {
    address: { type: "string" },
    email: { format: "email", type: "string" },
    name: { type: "string" },
    telephone: { type: "string" }
  },
  required: ["name", "email"],
  type: "object"
}

const avroDefinition = {
  fields: [{ name: "username", type: "string" }, { name: "phone", type: "int" }],
  name: "User",
  namespace: "user.avro",
  type: "record"
}

// ams-api.md §4.10
const schema1 = {
  uuid: "50ab0e53-8c6c-4a9f-8c3c-8d2fca1a2a37",
  name: "projects/demo/schemas/schema-1",
  type: "json",
  schema: jsonDefinition
}

const schema3 = {
  uuid: "2d3b9d2a-31f1-4d36-8e2a-7c0f8c9b5e61",
  name: "projects/demo/schemas/schema-3",
  type: "avro",
  schema: avroDefinition
}

const amsError = (code: number, message: string, status: string) => ({
  status: code,
  json: { error: { code, message, status } }
})

const html502 =
  "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"

describe("MessageSchema", () => {
  it.effect("create: POST /v1/projects/{P}/schemas/{S} with {type, schema}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: schema1 }])
      const created = yield* MessageSchema.create("schema-1", { type: "json", schema: jsonDefinition }).pipe(
        Effect.provide(recorder.layer)
      )
      const request = yield* recorder.single
      expect(request.method).toBe("POST")
      expect(request.url).toBe("https://ams.test/v1/projects/demo/schemas/schema-1")
      expect(request.headers["x-api-key"]).toBe(Recorder.defaults.token)
      expect(request.json).toEqual({ type: "json", schema: jsonDefinition })
      assert.instanceOf(created, MessageSchema.MessageSchema)
      expect(created.name).toBe("schema-1")
      expect(created.fullName).toBe("projects/demo/schemas/schema-1")
      expect(created.project).toBe("demo")
      expect(created.type).toBe("json")
      expect(created.schema).toEqual(jsonDefinition)
      expect(created.uuid).toBe(schema1.uuid)
    }))

  it.effect("get: GET /v1/projects/{P}/schemas/{S}, in another project; the type is read case-insensitively", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{
        json: { ...schema3, name: "projects/ARGO/schemas/schema-3", type: "AVRO" }
      }])
      const schema = yield* MessageSchema.get("schema-3", { project: "ARGO" }).pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).path).toBe("/v1/projects/ARGO/schemas/schema-3")
      expect(schema.type).toBe("avro")
      expect(schema.project).toBe("ARGO")
      expect(schema.name).toBe("schema-3")
    }))

  it.effect("list: GET /v1/projects/{P}/schemas", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { schemas: [schema1, schema3] } }])
      const schemas = yield* MessageSchema.list().pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("GET")
      expect(request.path).toBe("/v1/projects/demo/schemas")
      expect(schemas.map((schema) => [schema.name, schema.type])).toEqual([["schema-1", "json"], ["schema-3", "avro"]])
    }))

  it.effect("list reads an empty listing as []", () =>
    Effect.gen(function*() {
      for (const json of [{ schemas: [] }, { schemas: null }, {}]) {
        const recorder = yield* Recorder.make([{ json }])
        expect(yield* MessageSchema.list().pipe(Effect.provide(recorder.layer))).toEqual([])
      }
    }))

  it.effect("update: PUT with the new name as a projects/P/schemas/NEW reference, only the fields given", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { ...schema1, name: "projects/demo/schemas/schema-2" } }])
      const updated = yield* MessageSchema.update("schema-1", { name: "schema-2", schema: jsonDefinition }).pipe(
        Effect.provide(recorder.layer)
      )
      const request = yield* recorder.single
      expect(request.method).toBe("PUT")
      expect(request.path).toBe("/v1/projects/demo/schemas/schema-1")
      expect(request.json).toEqual({ name: "projects/demo/schemas/schema-2", schema: jsonDefinition })
      expect(updated.name).toBe("schema-2")
    }))

  it.effect("update of the type only, in another project", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { ...schema3, name: "projects/ARGO/schemas/s" } }])
      yield* MessageSchema.update("s", { type: "avro" }, { project: "ARGO" }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.path).toBe("/v1/projects/ARGO/schemas/s")
      expect(request.json).toEqual({ type: "avro" })
    }))

  it.effect("remove: DELETE, empty answer", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ text: "" }])
      yield* MessageSchema.remove("schema-1").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("DELETE")
      expect(request.path).toBe("/v1/projects/demo/schemas/schema-1")
    }))

  it.effect("validateMessage with a JSON document sends the document itself", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { message: "Message validated successfully" } }])
      const document = { name: "name1", email: "email1@example.org" }
      const message = yield* MessageSchema.validateMessage("schema-1", document).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/v1/projects/demo/schemas/schema-1:validate")
      expect(request.json).toEqual(document)
      expect(message).toBe("Message validated successfully")
    }))

  it.effect("validateMessage with AVRO bytes sends {data: base64}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { message: "Message validated successfully" } }])
      // AVRO binary of {"username": "ab", "phone": 1}: zig-zag length 2 → 0x04, "ab", zig-zag 1 → 0x02.
      const bytes = new Uint8Array([0x04, 0x61, 0x62, 0x02])
      yield* MessageSchema.validateMessage("schema-3", bytes).pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).json).toEqual({ data: "BGFiAg==" })
    }))

  it.effect("an invalid payload is the server's 400 with its text", () =>
    Effect.gen(function*() {
      const text = "Message 0 data is not valid,(root): email is required"
      const recorder = yield* Recorder.make([amsError(400, text, "INVALID_ARGUMENT")])
      const error = yield* MessageSchema.validateMessage("schema-1", { name: "x" }).pipe(
        Effect.provide(recorder.layer),
        Effect.flip
      )
      assert.strictEqual(error._tag, "AmsServiceError")
      expect(error.message).toBe(text)
    }))

  describe("name validation", () => {
    const cases: ReadonlyArray<readonly [string, Effect.Effect<unknown, AmsErrorType, AmsHttp.AmsHttp>]> = [
      ["create", MessageSchema.create("a.b", { type: "json", schema: {} })],
      ["get", MessageSchema.get("a b")],
      ["list (project)", MessageSchema.list({ project: "a/b" })],
      ["update", MessageSchema.update("a:b", { type: "json" })],
      ["update (new name)", MessageSchema.update("ok", { name: "not.ok" })],
      ["remove", MessageSchema.remove("")],
      ["validateMessage", MessageSchema.validateMessage("a,b", {})]
    ]
    for (const [name, operation] of cases) {
      it.effect(`${name} fails before any request`, () =>
        Effect.gen(function*() {
          const recorder = yield* Recorder.make([{ json: schema1 }])
          const error = yield* Effect.flip(Effect.provide(operation, recorder.layer))
          assert.strictEqual(error._tag, "AmsArgumentError")
          expect(yield* recorder.requests).toEqual([])
        }))
    }
  })

  describe("errors", () => {
    it.effect("JSON AMS errors", () =>
      Effect.gen(function*() {
        const cases = [
          amsError(400, "Schema type can only be 'json' or 'avro'", "INVALID_ARGUMENT"),
          amsError(401, "Unauthorized", "UNAUTHORIZED"),
          amsError(403, "Access to this resource is forbidden", "FORBIDDEN"),
          amsError(404, "Schema doesn't exist", "NOT_FOUND"),
          amsError(409, "Schema already exists", "ALREADY_EXISTS")
        ]
        for (const reply of cases) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* MessageSchema.create("s", { type: "json", schema: {} }).pipe(
            Effect.provide(recorder.layer),
            Effect.flip
          )
          assert.strictEqual(error._tag, "AmsServiceError")
          if (error._tag !== "AmsServiceError") continue
          expect([error.status, error.message, error.statusText]).toEqual([
            reply.status,
            reply.json.error.message,
            reply.json.error.status
          ])
        }
      }))

    it.effect("a JSON 500 is not retried, a balancer 502 is", () =>
      Effect.gen(function*() {
        const json500 = yield* Recorder.make([amsError(500, "Internal Error", "INTERNAL_SERVER_ERROR")])
        const error = yield* MessageSchema.get("s", { retry: Schedule.recurs(3) }).pipe(
          Effect.provide(json500.layer),
          Effect.flip
        )
        assert.strictEqual(error._tag, "AmsServiceError")
        expect((yield* json500.requests).length).toBe(1)

        const balancer = yield* Recorder.make([{ status: 502, text: html502 }, { json: schema1 }])
        const fiber = yield* MessageSchema.get("schema-1", { retry: Schedule.spaced("3 seconds") }).pipe(
          Effect.provide(balancer.layer),
          Effect.fork
        )
        yield* TestClock.adjust("3 seconds")
        expect((yield* Fiber.join(fiber)).name).toBe("schema-1")
        expect((yield* balancer.requests).length).toBe(2)
      }))

    it.effect("408 is a timeout; a refused connection a connection error", () =>
      Effect.gen(function*() {
        const timeout = yield* Recorder.make([{
          status: 408,
          text:
            "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"
        }])
        assert.strictEqual(
          (yield* MessageSchema.list().pipe(Effect.provide(timeout.layer), Effect.flip))._tag,
          "AmsTimeoutError"
        )
        const refused = yield* Recorder.make([{ fail: "refused" }])
        assert.strictEqual(
          (yield* MessageSchema.list().pipe(Effect.provide(refused.layer), Effect.flip))._tag,
          "AmsConnectionError"
        )
      }))

    it.effect("broken answers are AmsDecodeError: not JSON, unknown type, a name that is not a reference", () =>
      Effect.gen(function*() {
        const bad = [
          { text: "not json" },
          { json: { ...schema1, type: "protobuf" } },
          { json: { ...schema1, name: "schema-1" } },
          { json: { ...schema1, schema: "a string" } },
          { json: { name: schema1.name, type: "json", schema: {} } }
        ]
        for (const reply of bad) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* MessageSchema.get("schema-1").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsDecodeError")
        }
      }))
  })
})
