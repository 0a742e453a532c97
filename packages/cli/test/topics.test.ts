// `ams topics ...` end to end, against the emulator's bin.
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Ams from "./utils/ams.js"

interface TopicView {
  readonly name: string
  readonly project: string
  readonly schema?: string
  readonly createdOn?: string
}

layer(Ams.layer(), { timeout: 120_000, excludeTestServices: true })("ams topics", (it) => {
  it.effect("create, get, list, delete", () =>
    Effect.gen(function*() {
      const name = Ams.unique("t")
      const created = yield* Ams.json<TopicView>(["topics", "create", name])
      assert.strictEqual(created.name, name)
      assert.strictEqual(created.project, "demo")
      const got = yield* Ams.json<TopicView>(["topics", "get", name])
      assert.deepStrictEqual(got, created)
      const listed = yield* Ams.json<ReadonlyArray<TopicView>>(["topics", "list"])
      assert.isTrue(listed.some((t) => t.name === name))
      const table = yield* Ams.ok(["topics", "list"])
      assert.match(table.stdout, /^NAME\s+SCHEMA\s+CREATEDON$/m)
      assert.match(table.stdout, new RegExp(`^${name}\\s`, "m"))
      const deleted = yield* Ams.ok(["topics", "delete", name])
      assert.include(deleted.stderr, `deleted topic ${name}`)
      const gone = yield* Ams.run(["topics", "get", name])
      assert.strictEqual(gone.code, 1)
      assert.include(gone.stderr, `Not found: topic "${name}" in project "demo"`)
    }))

  it.effect("acl, set-acl, subscriptions, metrics", () =>
    Effect.gen(function*() {
      const name = Ams.unique("t")
      yield* Ams.ok(["topics", "create", name])
      assert.deepStrictEqual(yield* Ams.json(["topics", "acl", name]), [])
      yield* Ams.ok(["topics", "set-acl", name, "publisher", "consumer"])
      assert.sameMembers(yield* Ams.json<Array<string>>(["topics", "acl", name]), ["publisher", "consumer"])
      const plain = yield* Ams.ok(["topics", "acl", name])
      assert.sameMembers(plain.stdout.trim().split("\n"), ["publisher", "consumer"])
      yield* Ams.ok(["topics", "set-acl", name])
      assert.deepStrictEqual(yield* Ams.json(["topics", "acl", name]), [])
      const unknown = yield* Ams.run(["topics", "set-acl", name, "nobody"])
      assert.strictEqual(unknown.code, 1)
      assert.include(unknown.stderr, "nobody")

      yield* Ams.ok(["subs", "create", `${name}-s`, "--topic", name])
      assert.deepStrictEqual(yield* Ams.json(["topics", "subscriptions", name]), [`${name}-s`])
      const metrics = yield* Ams.json<ReadonlyArray<{ metric: string; latest?: number }>>(["topics", "metrics", name])
      assert.strictEqual(metrics.find((m) => m.metric === "topic.number_of_subscriptions")?.latest, 1)
    }))

  it.effect("create with a schema; a missing schema is named", () =>
    Effect.gen(function*() {
      const name = Ams.unique("t")
      const missing = yield* Ams.run(["topics", "create", name, "--schema", "no-such-schema"])
      assert.strictEqual(missing.code, 1)
      assert.include(missing.stderr, `schema "no-such-schema"`)
    }))

  it.effect("every topics command has help with an example", () =>
    Effect.forEach(
      ["list", "get", "create", "delete", "acl", "set-acl", "subscriptions", "metrics"],
      (command) =>
        Effect.map(Ams.ok(["topics", command, "--help"]), (result) => {
          assert.include(result.stdout, `$ ams topics ${command}`)
        }),
      { concurrency: 4 }
    ))
})
