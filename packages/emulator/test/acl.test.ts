// Per-resource ACLs (§2.4): publish/pull checks that bite project admins too, list filtering, ACL updates.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { defaultSeed, type Seed } from "../src/Seed.js"
import { b64, client, consumer, errorBody, projectAdmin, publisher, sub, topic } from "./helpers.js"

const forbidden = errorBody(403, "Access to this resource is forbidden", "FORBIDDEN")

const seed: Seed = {
  ...defaultSeed,
  projects: [...defaultSeed.projects!, { name: "other" }],
  users: [
    ...defaultSeed.users!,
    {
      name: "boss",
      token: "boss-token",
      projects: [{ project: "demo", roles: ["project_admin", "publisher", "consumer"] }]
    },
    { name: "stranger", token: "stranger-token", projects: [{ project: "other", roles: ["publisher"] }] }
  ],
  topics: [
    { project: "demo", name: "open", acl: ["publisher", "boss"] },
    { project: "demo", name: "closed" }
  ],
  subscriptions: [
    { project: "demo", name: "mine", topic: "open", acl: ["consumer", "boss"], offset: 0 },
    { project: "demo", name: "theirs", topic: "open", offset: 0 }
  ]
}

const message = { messages: [{ data: b64("x") }] }

describe("publish ACL", () => {
  it.effect("a publisher must be in the topic ACL, even when also project_admin", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      assert.strictEqual((yield* c.call("POST", topic("open", ":publish"), publisher, message)).status, 200)
      assert.strictEqual((yield* c.call("POST", topic("closed", ":publish"), publisher, message)).body, forbidden)
      assert.strictEqual((yield* c.call("POST", topic("closed", ":publish"), "boss-token", message)).status, 403)
      // a pure project admin is not ACL-checked
      assert.strictEqual((yield* c.call("POST", topic("closed", ":publish"), projectAdmin, message)).status, 200)
    }))

  it.effect("the check can be switched off", () =>
    Effect.gen(function*() {
      const c = yield* client(seed, { perResourceAuth: false })
      assert.strictEqual((yield* c.call("POST", topic("closed", ":publish"), publisher, message)).status, 200)
    }))
})

describe("pull ACL", () => {
  it.effect("a consumer must be in the subscription ACL, even when also project_admin", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      const body = { maxMessages: "1" }
      assert.strictEqual((yield* c.call("POST", sub("mine", ":pull"), consumer, body)).status, 200)
      assert.strictEqual((yield* c.call("POST", sub("theirs", ":pull"), consumer, body)).body, forbidden)
      assert.strictEqual((yield* c.call("POST", sub("theirs", ":pull"), "boss-token", body)).status, 403)
      assert.strictEqual((yield* c.call("POST", sub("theirs", ":pull"), projectAdmin, body)).status, 200)
    }))

  it.effect("acknowledge, offsets and show are not ACL-checked", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      yield* c.ok("POST", topic("open", ":publish"), publisher, message)
      yield* c.ok("POST", sub("theirs", ":pull"), projectAdmin, { maxMessages: "1" })
      const ack = yield* c.call("POST", sub("theirs", ":acknowledge"), consumer, {
        ackIds: ["projects/demo/subscriptions/theirs:0"]
      })
      assert.strictEqual(ack.status, 200)
      assert.strictEqual((yield* c.call("GET", sub("theirs", ":offsets"), consumer)).status, 200)
      assert.strictEqual((yield* c.call("GET", sub("theirs"), consumer)).status, 200)
    }))
})

describe("list filtering", () => {
  it.effect("pure publishers see only their topics; admins everything", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      const mine = (yield* c.ok("GET", "/v1/projects/demo/topics", publisher)) as {
        topics: Array<{ name: string }>
        totalSize: number
      }
      assert.deepStrictEqual(mine.topics.map((t) => t.name), ["/projects/demo/topics/open"])
      assert.strictEqual(mine.totalSize, 1)
      const all = (yield* c.ok("GET", "/v1/projects/demo/topics", "boss-token")) as { totalSize: number }
      assert.strictEqual(all.totalSize, 2)
    }))

  it.effect("pure consumers see only their subscriptions", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      const mine = (yield* c.ok("GET", "/v1/projects/demo/subscriptions", consumer)) as {
        subscriptions: Array<{ name: string }>
        totalSize: number
      }
      assert.deepStrictEqual(mine.subscriptions.map((s) => s.name), ["/projects/demo/subscriptions/mine"])
      assert.strictEqual(mine.totalSize, 1)
      const all = (yield* c.ok("GET", "/v1/projects/demo/subscriptions", projectAdmin)) as { totalSize: number }
      assert.strictEqual(all.totalSize, 2)
    }))
})

describe("ACL routes", () => {
  it.effect("show and replace a topic ACL", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      const shown = yield* c.call("GET", topic("open", ":acl"), projectAdmin)
      assert.strictEqual(shown.body, JSON.stringify({ authorized_users: ["publisher", "boss"] }, null, 3))
      const set = yield* c.call("POST", topic("open", ":modifyAcl"), projectAdmin, { authorized_users: ["consumer"] })
      assert.strictEqual(set.status, 200)
      assert.strictEqual(set.body, "")
      assert.deepStrictEqual(yield* c.ok("GET", topic("open", ":acl"), projectAdmin), {
        authorized_users: ["consumer"]
      })
      yield* c.ok("POST", topic("open", ":modifyAcl"), projectAdmin, { authorized_users: [] })
      assert.deepStrictEqual(yield* c.ok("GET", topic("open", ":acl"), projectAdmin), { authorized_users: [] })
    }))

  it.effect("unknown users and non-members are reported together", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      const r = yield* c.call("POST", sub("mine", ":modifyAcl"), projectAdmin, {
        authorized_users: ["consumer", "ghost", "stranger"]
      })
      assert.strictEqual(r.status, 404)
      assert.strictEqual(r.body, errorBody(404, "User(s): ghost, stranger do not exist", "NOT_FOUND"))
    }))

  it.effect("a missing or mistyped list is an argument error", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      for (const body of [{}, { authorized_users: null }, { authorized_users: "consumer" }, "x"]) {
        const t = yield* c.call("POST", topic("open", ":modifyAcl"), projectAdmin, body)
        assert.strictEqual(t.body, errorBody(400, "Invalid Topic ACL Arguments", "INVALID_ARGUMENT"))
        const s = yield* c.call("POST", sub("mine", ":modifyAcl"), projectAdmin, body)
        assert.strictEqual(s.body, errorBody(400, "Invalid Subscription ACL Arguments", "INVALID_ARGUMENT"))
      }
    }))

  it.effect("missing resources: acl is 404, modifyAcl answers 200 like the real store", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      const acl = yield* c.call("GET", sub("nope", ":acl"), projectAdmin)
      assert.strictEqual(acl.body, errorBody(404, "Subscription doesn't exist", "NOT_FOUND"))
      const modify = yield* c.call("POST", topic("nope", ":modifyAcl"), projectAdmin, { authorized_users: [] })
      assert.strictEqual(modify.status, 200)
    }))
})
