// schemas:* routes and schema validation on publish (JSON schema with ajv, AVRO with avsc).
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as H from "./helpers.js"

type Json = Record<string, unknown>

const S = (name: string, suffix = "") => `/v1/projects/demo/schemas/${name}${suffix}`

const person = {
  type: "object",
  properties: { name: { type: "string" }, email: { type: "string" }, age: { type: "integer" } },
  required: ["name", "email"]
}
const avroUser = {
  type: "record",
  namespace: "user.avro",
  name: "User",
  fields: [{ name: "username", type: "string" }, { name: "phone", type: "int" }]
}

describe("schemas routes", () => {
  it.effect("create/show/list/update/delete with 1-space JSON and sorted schema keys", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const created = yield* c.call("POST", S("s1"), H.projectAdmin, { type: "JSON", schema: { type: "string" } })
      const parsed = JSON.parse(created.body) as Json
      assert.strictEqual(
        created.body,
        `{\n "uuid": "${
          String(parsed["uuid"])
        }",\n "name": "projects/demo/schemas/s1",\n "type": "json",\n "schema": {\n  "type": "string"\n }\n}`
      )
      const avro = (yield* c.ok("POST", S("s2"), H.projectAdmin, { type: "avro", schema: avroUser })) as Json
      assert.deepStrictEqual(Object.keys(avro["schema"] as Json), ["fields", "name", "namespace", "type"])
      const errors: Array<[unknown, number, string, string]> = [
        ["nope", 400, "Invalid Schema Arguments", "INVALID_ARGUMENT"],
        [{ type: "xml", schema: {} }, 400, "Schema type can only be 'json' or 'avro'", "INVALID_ARGUMENT"],
        [
          { type: "json", schema: { type: "unknown" } },
          400,
          "has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]",
          "INVALID_ARGUMENT"
        ],
        [{ type: "avro", schema: { type: "unknown" } }, 400, "unknown type name: \"unknown\"", "INVALID_ARGUMENT"]
      ]
      for (const [body, code, message, status] of errors) {
        assert.strictEqual(
          (yield* c.call("POST", S("bad"), H.projectAdmin, body)).body,
          H.errorBody(code, message, status)
        )
      }
      const dup = yield* c.call("POST", S("s1"), H.projectAdmin, { type: "xml" })
      assert.strictEqual(dup.body, H.errorBody(409, "Schema already exists", "ALREADY_EXISTS"))
      const list = (yield* c.ok("GET", "/v1/projects/demo/schemas", H.projectAdmin)) as { schemas: Array<Json> }
      assert.deepStrictEqual(list.schemas.map((s) => s["name"]), [
        "projects/demo/schemas/s1",
        "projects/demo/schemas/s2"
      ])
      const wrong = yield* c.call("PUT", S("s1"), H.projectAdmin, { name: "s9" })
      assert.strictEqual(wrong.body, H.errorBody(400, "wrong schema name declaration", "INVALID_ARGUMENT"))
      const taken = yield* c.call("PUT", S("s1"), H.projectAdmin, { name: "projects/demo/schemas/s2" })
      assert.strictEqual(taken.body, H.errorBody(409, "Schema already exists", "ALREADY_EXISTS"))
      const badType = yield* c.call("PUT", S("s1"), H.projectAdmin, { type: "xml" })
      assert.strictEqual(badType.body, H.errorBody(400, "Schema type can only be 'json' or 'avro'", "INVALID_ARGUMENT"))
      const updated = (yield* c.ok("PUT", S("s1"), H.projectAdmin, {
        name: "projects/demo/schemas/s3",
        schema: person
      })) as Json
      assert.strictEqual(updated["name"], "projects/demo/schemas/s3")
      assert.strictEqual((yield* c.call("GET", S("s1"), H.projectAdmin)).status, 404)
      assert.strictEqual((yield* c.call("GET", S("s3"), H.publisher)).status, 403)
      assert.strictEqual((yield* c.call("DELETE", S("s3"), H.projectAdmin)).body, "")
      const gone = yield* c.call("DELETE", S("s3"), H.projectAdmin)
      assert.strictEqual(gone.body, H.errorBody(404, "Schema doesn't exist", "NOT_FOUND"))
    }))

  it.effect(":validate for JSON and AVRO with the server's texts", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      yield* c.ok("POST", S("js"), H.projectAdmin, { type: "json", schema: person })
      yield* c.ok("POST", S("av"), H.projectAdmin, { type: "avro", schema: avroUser })
      const ok = yield* c.call("POST", S("js", ":validate"), H.projectAdmin, { name: "n", email: "e" })
      assert.strictEqual(ok.body, "{\n \"message\": \"Message validated successfully\"\n}")
      const missing = yield* c.call("POST", S("js", ":validate"), H.projectAdmin, { name: "n" })
      assert.strictEqual(
        missing.body,
        H.errorBody(400, "Message 0 data is not valid,(root): email is required", "INVALID_ARGUMENT")
      )
      const two = yield* c.call("POST", S("js", ":validate"), H.projectAdmin, { age: "x" })
      assert.strictEqual(
        JSON.parse(two.body).error.message,
        "Message 0 data is not valid.1)(root): name is required.2)(root): email is required.3)age: Invalid type. Expected: integer, given: string."
      )
      const avroOk = yield* c.call("POST", S("av", ":validate"), H.projectAdmin, { data: "DGFnZWxvc8T8Cg==" })
      assert.strictEqual(avroOk.status, 200)
      const b64 = yield* c.call("POST", S("av", ":validate"), H.projectAdmin, { data: "DGFnZWxvc8T8Cg" })
      assert.strictEqual(
        b64.body,
        H.errorBody(
          400,
          "Message 0 is not in valid base64 enocding,illegal base64 data at input byte 12",
          "INVALID_ARGUMENT"
        )
      )
      const noData = yield* c.call("POST", S("av", ":validate"), H.projectAdmin, { unknown: "x" })
      assert.strictEqual(noData.body, H.errorBody(400, "Invalid Schema Payload Arguments", "INVALID_ARGUMENT"))
      const notMap = yield* c.call("POST", S("av", ":validate"), H.projectAdmin, { data: 1 })
      assert.strictEqual(notMap.body, H.errorBody(400, "Invalid Request Body", "BAD_REQUEST"))
      const short = yield* c.call("POST", S("av", ":validate"), H.projectAdmin, { data: "AA==" })
      assert.match(
        JSON.parse(short.body).error.message,
        /^Message 0 is not valid\.cannot decode binary record "user\.avro\.User"/
      )
      assert.strictEqual((yield* c.call("POST", S("none", ":validate"), H.projectAdmin, {})).status, 404)
    }))

  it.effect("publishing to a topic with a schema validates every message", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      yield* c.ok("POST", S("js"), H.projectAdmin, { type: "json", schema: person })
      yield* c.ok("PUT", H.topic("t"), H.projectAdmin, { schema: "projects/demo/schemas/js" })
      const good = H.b64(JSON.stringify({ name: "a", email: "b" }))
      const published = (yield* c.ok("POST", H.topic("t", ":publish"), H.projectAdmin, {
        messages: [{ data: good }, { data: good }]
      })) as Json
      assert.deepStrictEqual(published["messageIds"], ["0", "1"])
      const bad = yield* c.call("POST", H.topic("t", ":publish"), H.projectAdmin, {
        messages: [{ data: good }, { data: H.b64(JSON.stringify({ name: "a" })) }]
      })
      assert.strictEqual(
        bad.body,
        H.errorBody(400, "Message 1 data is not valid,(root): email is required", "INVALID_ARGUMENT")
      )
      const notJson = yield* c.call("POST", H.topic("t", ":publish"), H.projectAdmin, {
        messages: [{ data: H.b64("hello") }]
      })
      assert.strictEqual(
        JSON.parse(notJson.body).error.message,
        "Message 0 data is not valid JSON format,invalid character 'h' looking for beginning of value"
      )
      const notB64 = yield* c.call("POST", H.topic("t", ":publish"), H.projectAdmin, { messages: [{ data: "%%" }] })
      assert.strictEqual(
        JSON.parse(notB64.body).error.message,
        "Message 0 is not in valid base64 enocding,illegal base64 data at input byte 0"
      )
      const offsets = yield* c.call("POST", H.topic("t", ":publish"), H.projectAdmin, { messages: [] })
      assert.strictEqual(offsets.status, 200)
      yield* c.ok("DELETE", S("js"), H.projectAdmin)
      const topic = (yield* c.ok("GET", H.topic("t"), H.projectAdmin)) as Json
      assert.isUndefined(topic["schema"])
    }))

  it.effect("publishing to an AVRO topic decodes every message for real; a refused batch stores nothing", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      yield* c.ok("POST", S("av"), H.projectAdmin, { type: "avro", schema: avroUser })
      yield* c.ok("PUT", H.topic("t"), H.projectAdmin, { schema: "projects/demo/schemas/av" })
      yield* c.ok("PUT", H.sub("s"), H.projectAdmin, { topic: "projects/demo/topics/t" })
      // {"username": "ab", "phone": 1}: string length 2 (zigzag 4), "ab", int 1 (zigzag 2).
      const record = Buffer.from([4, 97, 98, 2]).toString("base64")
      assert.deepStrictEqual(
        yield* c.ok("POST", H.topic("t", ":publish"), H.projectAdmin, { messages: [{ data: record }] }),
        { messageIds: ["0"] }
      )
      const bad = yield* c.call("POST", H.topic("t", ":publish"), H.projectAdmin, {
        messages: [{ data: record }, { data: "AA==" }]
      })
      assert.strictEqual(bad.status, 400)
      assert.match(
        JSON.parse(bad.body).error.message,
        /^Message 1 is not valid\.cannot decode binary record "user\.avro\.User": /
      )
      const notB64 = yield* c.call("POST", H.topic("t", ":publish"), H.projectAdmin, { messages: [{ data: "{}" }] })
      assert.match(JSON.parse(notB64.body).error.message, /^Message 0 is not in valid base64 enocding,/)
      // Validation happens before anything is appended: only the first publish is in the log.
      assert.deepStrictEqual(yield* c.ok("GET", H.sub("s", ":offsets"), H.projectAdmin), { max: 1, min: 0, current: 0 })
      // Detached, the same payload is stored unchecked (§6.2).
      yield* c.ok("POST", H.topic("t", ":detachSchema"), H.projectAdmin)
      assert.deepStrictEqual(
        yield* c.ok("POST", H.topic("t", ":publish"), H.projectAdmin, { messages: [{ data: "not base64 at all" }] }),
        { messageIds: ["1"] }
      )
    }))
})
