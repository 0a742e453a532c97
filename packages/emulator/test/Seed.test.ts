// Seed loading: the default seed's users and roles, and typed errors for inconsistent seeds.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import * as Seed from "../src/Seed.js"
import { b64, client, consumer, sub } from "./helpers.js"

describe("defaultSeed", () => {
  it.effect("has the demo project and the four users", () =>
    Effect.gen(function*() {
      const c = yield* client()
      for (const token of [Seed.adminToken, Seed.projectAdminToken, Seed.publisherToken]) {
        assert.strictEqual((yield* c.call("GET", "/v1/projects/demo/topics", token)).status, 200)
      }
      assert.strictEqual((yield* c.call("GET", "/v1/projects/demo/subscriptions", Seed.consumerToken)).status, 200)
    }))
})

describe("seeded data", () => {
  it.effect("topics carry messages and subscriptions start where told", () =>
    Effect.gen(function*() {
      const c = yield* client({
        ...Seed.defaultSeed,
        topics: [{
          project: "demo",
          name: "t",
          messages: [{ data: b64("a"), attributes: { k: "v" } }, { data: b64("b") }]
        }],
        subscriptions: [
          { project: "demo", name: "from0", topic: "t", offset: 0, acl: ["consumer"] },
          { project: "demo", name: "fromMax", topic: "t", acl: ["consumer"] }
        ]
      })
      assert.deepStrictEqual(yield* c.ok("GET", sub("from0", ":offsets"), consumer), { max: 2, min: 0, current: 0 })
      assert.deepStrictEqual(yield* c.ok("GET", sub("fromMax", ":offsets"), consumer), { max: 2, min: 0, current: 2 })
      const pulled = (yield* c.ok("POST", sub("from0", ":pull"), consumer, { maxMessages: "2" })) as {
        receivedMessages: Array<{ message: { attributes?: object } }>
      }
      assert.deepStrictEqual(pulled.receivedMessages[0]!.message.attributes, { k: "v" })
    }))
})

describe("seed validation", () => {
  const failure = (seed: Seed.Seed) => Effect.flip(Emulator.make(seed))

  it.effect("rejects bad names", () =>
    Effect.gen(function*() {
      const error = yield* failure({ projects: [{ name: "bad name" }] })
      assert.strictEqual(error._tag, "SeedError")
      assert.strictEqual(error.path, "projects[0].name")
    }))

  it.effect("rejects unknown projects, topics and users", () =>
    Effect.gen(function*() {
      const project = yield* failure({ topics: [{ project: "nope", name: "t" }] })
      assert.strictEqual(project.path, "topics[0].project")
      const topic = yield* failure({
        projects: [{ name: "p" }],
        subscriptions: [{ project: "p", name: "s", topic: "missing" }]
      })
      assert.strictEqual(topic.path, "subscriptions[0].topic")
      const user = yield* failure({ projects: [{ name: "p" }], topics: [{ project: "p", name: "t", acl: ["ghost"] }] })
      assert.strictEqual(user.path, "topics[0].acl[0]")
      const membership = yield* failure({ users: [{ name: "u", token: "x", projects: [{ project: "p", roles: [] }] }] })
      assert.strictEqual(membership.path, "users[0].projects[0].project")
    }))

  it.effect("rejects duplicates and shared tokens", () =>
    Effect.gen(function*() {
      const dup = yield* failure({ projects: [{ name: "p" }, { name: "p" }] })
      assert.strictEqual(dup.path, "projects[1].name")
      const token = yield* failure({ users: [{ name: "a", token: "t" }, { name: "b", token: "t" }] })
      assert.strictEqual(token.path, "users[1].token")
    }))

  it.effect("a seed read from JSON is checked for its shape, with the path of the first problem", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [unknown, string, string]> = [
        [null, "(seed)", "expected an object, got null"],
        [{ projects: { name: "p" } }, "projects", "expected an array, got an object"],
        [{ projects: [{ name: 3 }] }, "projects[0].name", "expected a string, got 3"],
        [{ users: [{ name: "u" }] }, "users[0].token", "missing"],
        [{ users: [{ name: "u", token: "t", service_role: ["service_admin"] }] }, "users[0].service_role", ""],
        [{ topics: [{ project: "p", name: "t", messages: [{ data: 1 }] }] }, "topics[0].messages[0].data", ""],
        [
          { topics: [{ project: "p", name: "t", messages: [{ data: "", attributes: { k: 1 } }] }] },
          "topics[0].messages[0].attributes.k",
          ""
        ],
        [{ subscriptions: [{ project: "p", name: "s", topic: "t", offset: -1 }] }, "subscriptions[0].offset", ""],
        [
          { subscriptions: [{ project: "p", name: "s", topic: "t", ackDeadlineSeconds: 1.5 }] },
          "subscriptions[0].ackDeadlineSeconds",
          ""
        ]
      ]
      for (const [seed, path, message] of cases) {
        const error = yield* failure(seed as Seed.Seed)
        assert.instanceOf(error, Seed.SeedError)
        assert.strictEqual(error.path, path, JSON.stringify(seed))
        if (message !== "") assert.strictEqual(error.message, message)
      }
    }))

  it.effect("rejects unknown roles, bad schemas, duplicate memberships and offsets past the log", () =>
    Effect.gen(function*() {
      const role = yield* failure({
        projects: [{ name: "p" }],
        users: [{ name: "u", token: "t", projects: [{ project: "p", roles: ["publiser"] }] }]
      })
      assert.strictEqual(role.path, "users[0].projects[0].roles[0]")
      assert.strictEqual(role.message, "unknown role \"publiser\"")
      const serviceRole = yield* failure({ users: [{ name: "u", token: "t", service_roles: ["root"] }] })
      assert.strictEqual(serviceRole.path, "users[0].service_roles[0]")
      const twice = yield* failure({
        projects: [{ name: "p" }],
        users: [{ name: "u", token: "t", projects: [{ project: "p", roles: [] }, { project: "p", roles: [] }] }]
      })
      assert.strictEqual(twice.path, "users[0].projects[1].project")
      const type = yield* failure({
        projects: [{ name: "p" }],
        schemas: [{ project: "p", name: "s", type: "xml" as "json", schema: {} }]
      })
      assert.strictEqual(type.path, "schemas[0].type")
      const schema = yield* failure({
        projects: [{ name: "p" }],
        schemas: [{ project: "p", name: "s", type: "avro", schema: { type: "nonsense" } }]
      })
      assert.strictEqual(schema.path, "schemas[0].schema")
      const offset = yield* failure({
        projects: [{ name: "p" }],
        topics: [{ project: "p", name: "t", messages: [{ data: "" }] }],
        subscriptions: [{ project: "p", name: "s", topic: "t", offset: 2 }]
      })
      assert.strictEqual(offset.path, "subscriptions[0].offset")
      const uuid = yield* failure({
        users: [{ name: "a", token: "a", uuid: "x" }, { name: "b", token: "b", uuid: "x" }]
      })
      assert.strictEqual(uuid.path, "users[1].uuid")
      // A role of a custom table is accepted for seeded users.
      const custom = yield* Effect.either(Emulator.make(
        {
          projects: [{ name: "p" }],
          users: [{ name: "u", token: "t", projects: [{ project: "p", roles: ["auditor"] }] }]
        },
        { roleTable: { "topics:list": ["auditor"] } }
      ))
      assert.strictEqual(custom._tag, "Right")
    }))
})
