import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Emulator from "@argo-ams/emulator/Emulator"
import * as Seed from "@argo-ams/emulator/Seed"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { AmsError } from "../../src/AmsError.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as MessageSchema from "../../src/MessageSchema.js"

const emulator = Effect.map(Emulator.make(), (ams) => ({
  as: (token: string) =>
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(token), project: "demo" }).pipe(
      Layer.provide(AmsEmulator.layerEmulator(ams))
    )
}))

const status = (error: AmsError) => error._tag === "AmsServiceError" ? error.status : error._tag

const person = {
  type: "object",
  properties: { name: { type: "string" }, email: { type: "string" } },
  required: ["name", "email"]
}

const avroUser = {
  type: "record",
  name: "User",
  namespace: "user.avro",
  fields: [{ name: "username", type: "string" }, { name: "phone", type: "int" }]
}

describe("MessageSchema (emulator)", () => {
  it.effect("create, get, list, update (rename, definition), validateMessage (JSON), remove", () =>
    Effect.gen(function*() {
      const admin = (yield* emulator).as(Seed.projectAdminToken)
      const created = yield* MessageSchema.create("person", { type: "json", schema: person }).pipe(
        Effect.provide(admin)
      )
      expect(created.name).toBe("person")
      expect(created.fullName).toBe("projects/demo/schemas/person")
      expect(created.project).toBe("demo")
      expect(created.type).toBe("json")
      expect(created.schema).toEqual(person)

      expect((yield* MessageSchema.get("person").pipe(Effect.provide(admin))).uuid).toBe(created.uuid)
      expect((yield* MessageSchema.list().pipe(Effect.provide(admin))).map((schema) => schema.name)).toEqual(["person"])

      const ok = yield* MessageSchema.validateMessage("person", { name: "a", email: "a@b" }).pipe(Effect.provide(admin))
      expect(ok).toBe("Message validated successfully")
      const invalid = yield* MessageSchema.validateMessage("person", { name: "a" }).pipe(
        Effect.provide(admin),
        Effect.flip
      )
      expect(status(invalid)).toBe(400)
      expect(invalid.message).toContain("email")

      const renamed = yield* MessageSchema.update("person", { name: "human" }).pipe(Effect.provide(admin))
      expect(renamed.name).toBe("human")
      expect(renamed.uuid).toBe(created.uuid)
      const loosened = yield* MessageSchema.update("human", { schema: { ...person, required: ["name"] } }).pipe(
        Effect.provide(admin)
      )
      expect(loosened.schema["required"]).toEqual(["name"])
      yield* MessageSchema.validateMessage("human", { name: "a" }).pipe(Effect.provide(admin))

      yield* MessageSchema.remove("human").pipe(Effect.provide(admin))
      const gone = yield* MessageSchema.get("human").pipe(Effect.provide(admin), Effect.flip)
      expect(status(gone)).toBe(404)
      expect(gone.message).toBe("Schema doesn't exist")
    }))

  it.effect("AVRO: validateMessage sends the bytes as base64", () =>
    Effect.gen(function*() {
      const admin = (yield* emulator).as(Seed.projectAdminToken)
      const created = yield* MessageSchema.create("user", { type: "avro", schema: avroUser }).pipe(
        Effect.provide(admin)
      )
      expect(created.type).toBe("avro")
      // {"username": "ab", "phone": 1} in AVRO binary: length 2 (zig-zag 0x04), "ab", 1 (zig-zag 0x02).
      const valid = new Uint8Array([0x04, 0x61, 0x62, 0x02])
      expect(yield* MessageSchema.validateMessage("user", valid).pipe(Effect.provide(admin))).toBe(
        "Message validated successfully"
      )
      const truncated = new Uint8Array([0x04, 0x61])
      const error = yield* MessageSchema.validateMessage("user", truncated).pipe(Effect.provide(admin), Effect.flip)
      expect(status(error)).toBe(400)
    }))

  it.effect("errors: 401, 403, 404 (project), 409, 400", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const admin = ams.as(Seed.projectAdminToken)
      yield* MessageSchema.create("s1", { type: "json", schema: person }).pipe(Effect.provide(admin))
      expect(status(yield* MessageSchema.list().pipe(Effect.provide(ams.as("nobody")), Effect.flip))).toBe(401)
      const forbidden = yield* MessageSchema.get("s1").pipe(Effect.provide(ams.as(Seed.consumerToken)), Effect.flip)
      expect(status(forbidden)).toBe(403)
      const noProject = yield* MessageSchema.list({ project: "nope" }).pipe(Effect.provide(admin), Effect.flip)
      expect(status(noProject)).toBe(404)
      expect(noProject.message).toBe("project doesn't exist")
      const duplicate = yield* MessageSchema.create("s1", { type: "json", schema: person }).pipe(
        Effect.provide(admin),
        Effect.flip
      )
      expect(status(duplicate)).toBe(409)
      expect(duplicate.message).toBe("Schema already exists")
      const broken = yield* MessageSchema.create("s2", { type: "json", schema: { type: 12 } }).pipe(
        Effect.provide(admin),
        Effect.flip
      )
      expect(status(broken)).toBe(400)
      assert.strictEqual(broken._tag, "AmsServiceError")
    }))
})
