// registrations:* routes: pending → accepted (creates the user) / declined, filters, delete by service token only.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as H from "./helpers.js"

type Json = Record<string, unknown>

describe("registrations routes", () => {
  it.effect("register, show, list with filters, accept creates the user", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const reg = (yield* c.ok("POST", "/v1/registrations", H.admin, {
        name: "newbie",
        first_name: "New",
        last_name: "Bie",
        email: "n@x",
        organization: "Org",
        description: "d"
      })) as Json
      assert.strictEqual(reg["status"], "pending")
      assert.match(String(reg["activation_token"]), /^[0-9a-f]{64}$/)
      assert.deepStrictEqual(Object.keys(reg), [
        "uuid",
        "name",
        "first_name",
        "last_name",
        "organization",
        "description",
        "email",
        "status",
        "activation_token",
        "registered_at"
      ])
      const uuid = String(reg["uuid"])
      const taken = yield* c.call("POST", "/v1/registrations", H.admin, { name: "admin" })
      assert.strictEqual(taken.body, H.errorBody(409, "User already exists", "ALREADY_EXISTS"))
      const bad = yield* c.call("POST", "/v1/registrations", H.admin, "{")
      assert.strictEqual(bad.body, H.errorBody(400, "Invalid User Arguments", "INVALID_ARGUMENT"))
      const shown = (yield* c.ok("GET", `/v1/registrations/${uuid}`, H.admin)) as Json
      assert.strictEqual(shown["name"], "newbie")
      const filtered = (yield* c.ok("GET", "/v1/registrations?status=pending&name=newbie", H.admin)) as {
        user_registrations: Array<Json>
      }
      assert.strictEqual(filtered.user_registrations.length, 1)
      const none = (yield* c.ok("GET", "/v1/registrations?status=accepted", H.admin)) as {
        user_registrations: Array<Json>
      }
      assert.deepStrictEqual(none.user_registrations, [])
      const user = (yield* c.ok("POST", `/v1/registrations/${uuid}:accept`, H.admin)) as Json
      assert.strictEqual(user["name"], "newbie")
      assert.deepStrictEqual(user["service_roles"], [])
      assert.strictEqual(user["created_by"], "admin")
      assert.isUndefined(user["projects"])
      const after = (yield* c.ok("GET", `/v1/registrations/${uuid}`, H.admin)) as Json
      assert.strictEqual(after["status"], "accepted")
      assert.strictEqual(after["modified_by"], "admin")
      assert.isUndefined(after["activation_token"])
      const twice = yield* c.call("POST", `/v1/registrations/${uuid}:accept`, H.admin)
      assert.strictEqual(twice.body, H.errorBody(404, "User registration doesn't exist", "NOT_FOUND"))
      const profile = (yield* c.ok("GET", "/v1/users/newbie", H.admin)) as Json
      assert.strictEqual(profile["organization"], "Org")
    }))

  it.effect("decline needs a JSON body; delete is for the service token only; roles", () =>
    Effect.gen(function*() {
      const c = yield* H.client(undefined, { serviceToken: "svc" })
      const reg = (yield* c.ok("POST", "/v1/registrations", H.admin, { name: "x1" })) as Json
      const uuid = String(reg["uuid"])
      const empty = yield* c.call("POST", `/v1/registrations/${uuid}:decline`, H.admin)
      assert.strictEqual(empty.body, H.errorBody(400, "Invalid Request Body", "BAD_REQUEST"))
      const declined = yield* c.call("POST", `/v1/registrations/${uuid}:decline`, H.admin, { comment: "no" })
      assert.strictEqual(declined.body, "{}")
      const shown = (yield* c.ok("GET", `/v1/registrations/${uuid}`, H.admin)) as Json
      assert.strictEqual(shown["status"], "declined")
      assert.strictEqual(shown["decline_comment"], "no")
      const unknown = yield* c.call("POST", "/v1/registrations/nope:decline", H.admin, {})
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual((yield* c.call("DELETE", `/v1/registrations/${uuid}`, H.admin)).status, 403)
      assert.strictEqual((yield* c.call("DELETE", `/v1/registrations/${uuid}`, "svc")).body, "")
      assert.strictEqual((yield* c.call("GET", `/v1/registrations/${uuid}`, "svc")).status, 404)
      assert.strictEqual((yield* c.call("GET", "/v1/registrations", H.projectAdmin)).status, 401)
      assert.strictEqual(
        (yield* c.call("GET", "/v1/registrations/a.b", H.admin)).body,
        H.errorBody(400, "Invalid uuid name", "INVALID_ARGUMENT")
      )
    }))
})
