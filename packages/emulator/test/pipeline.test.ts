// The request pipeline of §1.6: routing, name validation, token, project, roles, authorization, content types.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { defaultSeed } from "../src/Seed.js"
import { admin, client, consumer, errorBody, projectAdmin, publisher, topic } from "./helpers.js"

const text = "text/plain; charset=utf-8"
const json = "application/json; charset=utf-8"

describe("routing", () => {
  it.effect("unknown paths answer gorilla's plain-text 404, trailing slashes included", () =>
    Effect.gen(function*() {
      const c = yield* client()
      for (const path of ["/v1/nope", "/v1/projects/demo/topics/", "/projects/demo/topics"]) {
        const r = yield* c.call("GET", path, projectAdmin)
        assert.strictEqual(r.status, 404)
        assert.strictEqual(r.body, "404 page not found\n")
        assert.strictEqual(r.headers["content-type"], text)
      }
    }))

  it.effect("a known path with another method answers 405 with an empty body", () =>
    Effect.gen(function*() {
      const c = yield* client()
      const r = yield* c.call("PATCH", topic("t1"), projectAdmin)
      assert.strictEqual(r.status, 405)
      assert.strictEqual(r.body, "")
      const post = yield* c.call("POST", "/v1/projects/demo/topics", projectAdmin)
      assert.strictEqual(post.status, 405)
    }))

  it.effect("an unknown action falls into show and fails name validation", () =>
    Effect.gen(function*() {
      const c = yield* client()
      const r = yield* c.call("GET", topic("t1", ":foo"), projectAdmin)
      assert.strictEqual(r.status, 400)
      assert.strictEqual(r.body, errorBody(400, "Invalid topic name", "INVALID_ARGUMENT"))
      // GET on the POST-only :publish path also lands in topics:show (the method mismatch is not final).
      const get = yield* c.call("GET", topic("t1", ":publish"), projectAdmin)
      assert.strictEqual(get.body, errorBody(400, "Invalid topic name", "INVALID_ARGUMENT"))
    }))

  it.effect(":acl is registered before {topic}", () =>
    Effect.gen(function*() {
      const c = yield* client()
      const r = yield* c.call("GET", topic("missing", ":acl"), projectAdmin)
      assert.strictEqual(r.status, 404)
      assert.strictEqual(r.body, errorBody(404, "Topic doesn't exist", "NOT_FOUND"))
      assert.strictEqual(r.headers["content-type"], json)
    }))
})

describe("name validation", () => {
  it.effect("checks variables in alphabetical order before anything else", () =>
    Effect.gen(function*() {
      const c = yield* client()
      const both = yield* c.call("GET", "/v1/projects/bad.p/topics/bad.t")
      assert.strictEqual(both.status, 400)
      assert.strictEqual(both.body, errorBody(400, "Invalid project name", "INVALID_ARGUMENT"))
      assert.strictEqual(both.headers["content-type"], text)
      const subAndTopic = yield* c.call("GET", "/v1/projects/demo/subscriptions/a,b:offsets")
      assert.strictEqual(subAndTopic.body, errorBody(400, "Invalid subscription name", "INVALID_ARGUMENT"))
      const spaced = yield* c.call("GET", "/v1/projects/demo/topics/a%20b", projectAdmin)
      assert.strictEqual(spaced.body, errorBody(400, "Invalid topic name", "INVALID_ARGUMENT"))
    }))
})

describe("authentication", () => {
  it.effect("a missing token is 401 even for an unknown project", () =>
    Effect.gen(function*() {
      const c = yield* client()
      const r = yield* c.call("GET", "/v1/projects/nope/topics")
      assert.strictEqual(r.status, 401)
      assert.strictEqual(r.body, errorBody(401, "Unauthorized", "UNAUTHORIZED"))
      assert.strictEqual(r.headers["content-type"], text)
    }))

  it.effect("an unknown project is 404 before the token is checked", () =>
    Effect.gen(function*() {
      const c = yield* client()
      const r = yield* c.call("GET", "/v1/projects/nope/topics", "garbage")
      assert.strictEqual(r.status, 404)
      assert.strictEqual(r.body, errorBody(404, "project doesn't exist", "NOT_FOUND"))
    }))

  it.effect("an unknown token is 401", () =>
    Effect.gen(function*() {
      const c = yield* client()
      const r = yield* c.call("GET", "/v1/projects/demo/topics", "garbage")
      assert.strictEqual(r.status, 401)
    }))

  it.effect("a valid token with no role in the project is 401, not 403", () =>
    Effect.gen(function*() {
      const c = yield* client({
        ...defaultSeed,
        projects: [...defaultSeed.projects!, { name: "other" }],
        users: [...defaultSeed.users!, {
          name: "outsider",
          token: "outsider-token",
          projects: [{ project: "other", roles: ["project_admin"] }]
        }]
      })
      const r = yield* c.call("GET", "/v1/projects/demo/topics", "outsider-token")
      assert.strictEqual(r.status, 401)
      assert.strictEqual(r.body, errorBody(401, "Unauthorized", "UNAUTHORIZED"))
      const own = yield* c.call("GET", "/v1/projects/other/topics", "outsider-token")
      assert.strictEqual(own.status, 200)
    }))

  it.effect("the header and ?key= follow the auth option", () =>
    Effect.gen(function*() {
      const both = yield* client()
      assert.strictEqual((yield* both.call("GET", `/v1/projects/demo/topics?key=${projectAdmin}`)).status, 200)
      assert.strictEqual((yield* both.call("GET", "/v1/projects/demo/topics", projectAdmin)).status, 200)
      // header first: a bad header is not rescued by a good key
      assert.strictEqual((yield* both.call("GET", `/v1/projects/demo/topics?key=${projectAdmin}`, "bad")).status, 401)
      const header = yield* client(defaultSeed, { authOption: "header" })
      assert.strictEqual((yield* header.call("GET", `/v1/projects/demo/topics?key=${projectAdmin}`)).status, 401)
      assert.strictEqual((yield* header.call("GET", "/v1/projects/demo/topics", projectAdmin)).status, 200)
      const key = yield* client(defaultSeed, { authOption: "key" })
      assert.strictEqual((yield* key.call("GET", "/v1/projects/demo/topics", projectAdmin)).status, 401)
      assert.strictEqual((yield* key.call("GET", `/v1/projects/demo/topics?key=${projectAdmin}`)).status, 200)
    }))

  it.effect("the service token is service_admin everywhere without a role check", () =>
    Effect.gen(function*() {
      const c = yield* client(defaultSeed, { serviceToken: "svc", roleTable: {} })
      assert.strictEqual((yield* c.call("PUT", topic("t1"), "svc")).status, 200)
      // with an empty role table nobody else gets through
      const r = yield* c.call("GET", topic("t1"), admin)
      assert.strictEqual(r.status, 403)
    }))
})

describe("authorization", () => {
  const cases: ReadonlyArray<readonly [string, string, string, number]> = [
    ["consumer creates a topic", consumer, "PUT", 403],
    ["publisher creates a topic", publisher, "PUT", 403],
    ["project admin creates a topic", projectAdmin, "PUT", 200],
    ["service admin creates a topic", admin, "PUT", 200]
  ]
  for (const [title, token, method, status] of cases) {
    it.effect(title, () =>
      Effect.gen(function*() {
        const c = yield* client()
        const r = yield* c.call(method, topic("t1"), token)
        assert.strictEqual(r.status, status)
        if (status === 403) {
          assert.strictEqual(r.body, errorBody(403, "Access to this resource is forbidden", "FORBIDDEN"))
          assert.strictEqual(r.headers["content-type"], text)
        }
      }))
  }

  it.effect("roles × routes follow the §2.3 table", () =>
    Effect.gen(function*() {
      const c = yield* client()
      yield* c.ok("PUT", topic("t1"), projectAdmin)
      yield* c.ok("PUT", "/v1/projects/demo/subscriptions/s1", projectAdmin, { topic: "projects/demo/topics/t1" })
      const expect = (method: string, path: string, token: string, status: number) =>
        Effect.map(c.call(method, path, token), (r) => assert.strictEqual(r.status, status, `${method} ${path}`))
      yield* expect("GET", "/v1/projects/demo/topics", publisher, 200)
      yield* expect("GET", "/v1/projects/demo/topics", consumer, 403)
      yield* expect("GET", topic("t1", ":acl"), publisher, 403)
      yield* expect("GET", "/v1/projects/demo/subscriptions", consumer, 200)
      yield* expect("GET", "/v1/projects/demo/subscriptions", publisher, 403)
      yield* expect("GET", "/v1/projects/demo/subscriptions/s1", consumer, 200)
      yield* expect("GET", "/v1/projects/demo/subscriptions/s1:acl", consumer, 403)
      yield* expect("GET", "/v1/projects/demo/subscriptions/s1:offsets", consumer, 200)
      yield* expect("DELETE", "/v1/projects/demo/subscriptions/s1", consumer, 403)
      yield* expect("GET", "/v1/projects/demo/topics/t1/subscriptions", publisher, 403)
    }))

  it.effect("handler errors carry the JSON content type", () =>
    Effect.gen(function*() {
      const c = yield* client()
      const r = yield* c.call("GET", topic("missing"), projectAdmin)
      assert.strictEqual(r.status, 404)
      assert.strictEqual(r.headers["content-type"], json)
    }))
})
