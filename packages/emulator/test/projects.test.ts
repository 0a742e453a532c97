// projects:* routes: CRUD, the delete cascade, and the member routes with their exact texts.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as H from "./helpers.js"

type Json = Record<string, unknown>

describe("projects routes", () => {
  it.effect("list, show, create with created_by, 409, {} when empty", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const list = (yield* c.ok("GET", "/v1/projects", H.admin)) as { projects: Array<Json> }
      assert.deepStrictEqual(list.projects.map((p) => p["name"]), ["demo"])
      const created = (yield* c.ok("POST", "/v1/projects/p2", H.admin, { description: "second" })) as Json
      assert.deepStrictEqual(Object.keys(created), ["name", "created_on", "modified_on", "created_by", "description"])
      assert.strictEqual(created["created_by"], "admin")
      const dup = yield* c.call("POST", "/v1/projects/p2", H.admin, {})
      assert.strictEqual(dup.body, H.errorBody(409, "Project already exists", "ALREADY_EXISTS"))
      const bad = yield* c.call("POST", "/v1/projects/p3", H.admin, "x")
      assert.strictEqual(bad.body, H.errorBody(400, "Invalid Project Arguments", "INVALID_ARGUMENT"))
      assert.strictEqual((yield* c.call("POST", "/v1/projects/p3", H.projectAdmin, {})).status, 401)
      const shown = (yield* c.ok("GET", "/v1/projects/demo", H.projectAdmin)) as Json
      assert.strictEqual(shown["description"], "Demo project")
      assert.strictEqual((yield* c.call("GET", "/v1/projects/demo", H.publisher)).status, 403)
      const empty = yield* H.client({})
      const none = yield* empty.call("GET", "/v1/projects", "x")
      assert.strictEqual(none.status, 401)
      const svc = yield* H.client({}, { serviceToken: "svc" })
      assert.strictEqual((yield* svc.call("GET", "/v1/projects", "svc")).body, "{}")
    }))

  it.effect("update renames, rejects taken names and bad bodies; delete cascades", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      yield* c.ok("POST", "/v1/projects/other", H.admin, {})
      const taken = yield* c.call("PUT", "/v1/projects/demo", H.admin, { name: "other" })
      assert.strictEqual(
        taken.body,
        H.errorBody(400, "invalid project name change, name already exists", "INVALID_ARGUMENT")
      )
      const bad = yield* c.call("PUT", "/v1/projects/demo", H.admin, "[")
      assert.strictEqual(bad.body, H.errorBody(400, "Invalid Request Body", "BAD_REQUEST"))
      yield* c.ok("PUT", H.topic("t1"), H.admin)
      yield* c.ok("PUT", H.sub("s1"), H.admin, { topic: "projects/demo/topics/t1" })
      const renamed = (yield* c.ok("PUT", "/v1/projects/demo", H.admin, { name: "demo2" })) as Json
      assert.strictEqual(renamed["name"], "demo2")
      assert.strictEqual(renamed["description"], "Demo project")
      const topics = (yield* c.ok("GET", "/v1/projects/demo2/topics", H.admin)) as { totalSize: number }
      assert.strictEqual(topics.totalSize, 1)
      const deleted = yield* c.call("DELETE", "/v1/projects/demo2", H.admin)
      assert.strictEqual(deleted.body, "")
      yield* c.ok("POST", "/v1/projects/demo2", H.admin, {})
      const after = (yield* c.ok("GET", "/v1/projects/demo2/topics", H.admin)) as { totalSize: number }
      assert.strictEqual(after.totalSize, 0)
      const dangling = (yield* c.ok("GET", "/v1/users/publisher", H.admin)) as Json
      assert.deepStrictEqual(dangling["projects"], [{
        project: "",
        roles: ["publisher"],
        topics: [],
        subscriptions: []
      }])
    }))

  it.effect("members: list/show with privileged and scoped views", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const asAdmin = (yield* c.ok("GET", "/v1/projects/demo/members/consumer", H.admin)) as Json
      assert.strictEqual(asAdmin["token"], H.consumer)
      const scoped = (yield* c.ok("GET", "/v1/projects/demo/members/consumer", H.projectAdmin)) as Json
      assert.isUndefined(scoped["token"])
      assert.deepStrictEqual(scoped["service_roles"], [])
      const notMember = yield* c.call("GET", "/v1/projects/demo/members/admin", H.admin)
      assert.strictEqual(notMember.body, H.errorBody(404, "User doesn't exist", "NOT_FOUND"))
      const list = (yield* c.ok("GET", "/v1/projects/demo/members?details=true", H.projectAdmin)) as {
        users: Array<Json>
        totalSize: number
      }
      assert.strictEqual(list.totalSize, 3)
      assert.isDefined(list.users[0]!["projects"])
      assert.isUndefined(list.users[0]!["token"])
    }))

  it.effect("members: create, update, add, remove with their errors", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const created = (yield* c.ok("POST", "/v1/projects/demo/members/m1", H.projectAdmin, {
        email: "m@x",
        projects: [{ project: "demo", roles: ["publisher"] }, { project: "elsewhere", roles: ["consumer"] }]
      })) as Json
      assert.deepStrictEqual(created["service_roles"], [])
      assert.match(String(created["token"]), /^[0-9a-f]{64}$/)
      assert.deepStrictEqual(created["projects"], [{
        project: "demo",
        roles: ["publisher"],
        topics: [],
        subscriptions: []
      }])
      const exists = yield* c.call("POST", "/v1/projects/demo/members/m1", H.projectAdmin, {})
      assert.strictEqual(exists.body, H.errorBody(409, "User already exists", "ALREADY_EXISTS"))
      const badRole = yield* c.call("POST", "/v1/projects/demo/members/m2", H.projectAdmin, {
        projects: [{ project: "demo", roles: ["x"] }]
      })
      assert.strictEqual(badRole.body, H.errorBody(400, "invalid role: x", "INVALID_ARGUMENT"))
      const noEntry = yield* c.call("PUT", "/v1/projects/demo/members/m1", H.projectAdmin, { projects: [] })
      assert.strictEqual(
        noEntry.body,
        H.errorBody(403, "Access to this resource is forbidden. User is not a member of the project", "FORBIDDEN")
      )
      const updated = (yield* c.ok("PUT", "/v1/projects/demo/members/m1", H.projectAdmin, {
        projects: [{ project: "demo", roles: ["consumer"] }]
      })) as Json
      assert.deepStrictEqual((updated["projects"] as Array<Json>)[0]!["roles"], ["consumer"])
      const already = yield* c.call("POST", "/v1/projects/demo/members/m1:add", H.projectAdmin, { roles: [] })
      assert.strictEqual(already.body, H.errorBody(409, "User is already a member of the project", "CONFLICT"))
      const unknown = yield* c.call("POST", "/v1/projects/demo/members/ghost:add", H.projectAdmin, "bad")
      assert.strictEqual(unknown.body, H.errorBody(404, "User doesn't exist", "NOT_FOUND"))
      const badBody = yield* c.call("POST", "/v1/projects/demo/members/admin:add", H.projectAdmin, "bad")
      assert.strictEqual(badBody.body, H.errorBody(400, "Invalid Request Body", "BAD_REQUEST"))
      const added = (yield* c.ok("POST", "/v1/projects/demo/members/admin:add", H.projectAdmin, {
        roles: ["consumer"]
      })) as Json
      assert.isUndefined(added["token"])
      const removed = yield* c.call("POST", "/v1/projects/demo/members/admin:remove", H.projectAdmin)
      assert.strictEqual(removed.body, "{}")
      const again = yield* c.call("POST", "/v1/projects/demo/members/admin:remove", H.projectAdmin)
      assert.strictEqual(again.status, 403)
    }))
})
