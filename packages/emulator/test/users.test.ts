// users:* routes: views, paging, validation order, roles (401 vs 403), service_roles null vs [].
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as H from "./helpers.js"

type Json = Record<string, unknown>

describe("users routes", () => {
  it.effect("show, byToken, byUUID give the privileged view with token and projects", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const user = (yield* c.ok("GET", "/v1/users/publisher", H.admin)) as Json
      assert.strictEqual(user["name"], "publisher")
      assert.strictEqual(user["token"], H.publisher)
      assert.deepStrictEqual(user["projects"], [{
        project: "demo",
        roles: ["publisher"],
        topics: [],
        subscriptions: []
      }])
      assert.deepStrictEqual(Object.keys(user), [
        "uuid",
        "projects",
        "name",
        "token",
        "email",
        "service_roles",
        "created_on",
        "modified_on"
      ])
      const byToken = (yield* c.ok("GET", `/v1/users:byToken/${H.publisher}`, H.admin)) as Json
      assert.strictEqual(byToken["uuid"], user["uuid"])
      const byUuid = (yield* c.ok("GET", `/v1/users:byUUID/${String(user["uuid"])}`, H.admin)) as Json
      assert.strictEqual(byUuid["name"], "publisher")
      const missing = yield* c.call("GET", "/v1/users/nobody", H.admin)
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(missing.body, H.errorBody(404, "User doesn't exist", "NOT_FOUND"))
      const badToken = yield* c.call("GET", "/v1/users:byToken/a.b", H.admin)
      assert.strictEqual(badToken.body, H.errorBody(400, "Invalid token name", "INVALID_ARGUMENT"))
    }))

  it.effect("project-only users get 401 on user routes; no token 401", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      for (const path of ["/v1/users", "/v1/users/admin", "/v1/users:byToken/x"]) {
        const r = yield* c.call("GET", path, H.projectAdmin)
        assert.strictEqual(r.status, 401, path)
        assert.strictEqual(r.body, H.errorBody(401, "Unauthorized", "UNAUTHORIZED"))
      }
      assert.strictEqual((yield* c.call("GET", "/v1/users")).status, 401)
    }))

  it.effect("list: newest first, paging, details, project filter", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const all = (yield* c.ok("GET", "/v1/users", H.admin)) as {
        users: Array<Json>
        totalSize: number
        nextPageToken: string
      }
      assert.deepStrictEqual(all.users.map((u) => u["name"]), ["consumer", "publisher", "demo-admin", "admin"])
      assert.strictEqual(all.totalSize, 4)
      assert.strictEqual(all.nextPageToken, "")
      assert.isUndefined(all.users[0]!["projects"])
      const detailed = (yield* c.ok("GET", "/v1/users?details=true", H.admin)) as { users: Array<Json> }
      assert.isDefined(detailed.users[0]!["projects"])
      const page1 = (yield* c.ok("GET", "/v1/users?pageSize=3", H.admin)) as {
        users: Array<Json>
        nextPageToken: string
      }
      assert.strictEqual(page1.users.length, 3)
      const page2 = (yield* c.ok("GET", `/v1/users?pageSize=3&pageToken=${page1.nextPageToken}`, H.admin)) as {
        users: Array<Json>
      }
      assert.deepStrictEqual(page2.users.map((u) => u["name"]), ["admin"])
      const members = (yield* c.ok("GET", "/v1/users?project=demo", H.admin)) as { totalSize: number }
      assert.strictEqual(members.totalSize, 3)
      const unknown = yield* c.call("GET", "/v1/users?project=nope", H.admin)
      assert.strictEqual(unknown.body, H.errorBody(404, "ProjectUUID doesn't exist", "NOT_FOUND"))
      const badSize = yield* c.call("GET", "/v1/users?pageSize=x", H.admin)
      assert.strictEqual(badSize.body, H.errorBody(400, "Invalid page size", "INVALID_ARGUMENT"))
    }))

  it.effect("profile is open but needs a real user's token (the service token is not a user)", () =>
    Effect.gen(function*() {
      const c = yield* H.client(undefined, { serviceToken: "svc" })
      const me = (yield* c.ok("GET", "/v1/users/profile", H.consumer)) as Json
      assert.strictEqual(me["name"], "consumer")
      assert.strictEqual((yield* c.call("GET", "/v1/users/profile", "svc")).status, 401)
      assert.strictEqual((yield* c.call("GET", "/v1/users/profile")).status, 401)
    }))

  it.effect("create: service_roles null without them, created_by, validation order", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const created = (yield* c.ok("POST", "/v1/users/alice", H.admin, {
        email: "a@x",
        projects: [{ project: "demo", roles: ["consumer"] }]
      })) as Json
      assert.strictEqual(created["service_roles"], null)
      assert.strictEqual(created["created_by"], "admin")
      assert.match(String(created["token"]), /^[0-9a-f]{64}$/)
      const withRoles = (yield* c.ok("POST", "/v1/users/bob", H.admin, { service_roles: [] })) as Json
      assert.deepStrictEqual(withRoles["service_roles"], [])
      const cases: Array<[unknown, number, string, string]> = [
        ["{bad", 400, "Invalid User Arguments", "INVALID_ARGUMENT"],
        [{ email: 5 }, 400, "Invalid User Arguments", "INVALID_ARGUMENT"],
        [
          { projects: [{ project: "demo", roles: [] }, { project: "demo", roles: [] }] },
          400,
          "duplicate reference of project demo",
          "INVALID_ARGUMENT"
        ],
        [{ projects: [{ project: "nope", roles: [] }] }, 400, "invalid project: nope", "INVALID_ARGUMENT"],
        [{ projects: [{ project: "demo", roles: ["king"] }] }, 400, "invalid role: king", "INVALID_ARGUMENT"],
        [{ service_roles: ["queen"] }, 400, "invalid role: queen", "INVALID_ARGUMENT"]
      ]
      for (const [body, code, message, status] of cases) {
        const r = yield* c.call("POST", "/v1/users/carol", H.admin, body)
        assert.strictEqual(r.body, H.errorBody(code, message, status), JSON.stringify(body))
      }
      const dup = yield* c.call("POST", "/v1/users/alice", H.admin, { projects: [{ project: "nope" }] })
      assert.strictEqual(dup.body, H.errorBody(409, "User already exists", "ALREADY_EXISTS"))
      const forbidden = yield* c.call("POST", "/v1/users/dave", H.publisher, {})
      assert.strictEqual(forbidden.status, 401)
    }))

  it.effect("update, refreshToken, delete", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const updated = (yield* c.ok("PUT", "/v1/users/publisher", H.admin, {
        name: "pub2",
        email: "p@x",
        service_roles: ["metrics_viewer"]
      })) as Json
      assert.strictEqual(updated["name"], "pub2")
      assert.deepStrictEqual(updated["service_roles"], ["metrics_viewer"])
      assert.isDefined(updated["projects"])
      const rename = yield* c.call("PUT", "/v1/users/pub2", H.admin, { name: "consumer" })
      assert.strictEqual(
        rename.body,
        H.errorBody(400, "invalid user name change, name already exists", "INVALID_ARGUMENT")
      )
      assert.strictEqual((yield* c.call("PUT", "/v1/users/ghost", H.admin, {})).status, 404)
      const refreshed = (yield* c.ok("POST", "/v1/users/pub2:refreshToken", H.admin)) as Json
      assert.notStrictEqual(refreshed["token"], H.publisher)
      assert.strictEqual((yield* c.call("GET", "/v1/projects/demo/topics", H.publisher)).status, 401)
      const deleted = yield* c.call("DELETE", "/v1/users/pub2", H.admin)
      assert.strictEqual(deleted.status, 200)
      assert.strictEqual(deleted.body, "")
      assert.strictEqual((yield* c.call("DELETE", "/v1/users/pub2", H.admin)).status, 404)
      assert.strictEqual((yield* c.call("POST", "/v1/users/ghost:refreshToken", H.admin)).status, 404)
    }))
})
