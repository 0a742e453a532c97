// `ams users`, `projects`, `schemas`, `registrations`, `status`, `version`, `metrics`, `usage` end to end.
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Ams from "./utils/ams.js"

interface UserView {
  readonly name: string
  readonly uuid: string
  readonly email?: string
  readonly serviceRoles: ReadonlyArray<string>
  readonly projects: ReadonlyArray<{ readonly project: string; readonly roles: ReadonlyArray<string> }>
  readonly token?: string
}

layer(Ams.layer(["--service-token", "service-token"]), { timeout: 120_000, excludeTestServices: true })(
  "ams admin commands",
  (it) => {
    it.effect("users: create (token hidden unless asked), get, by-uuid, update, refresh-token, delete", () =>
      Effect.gen(function*() {
        const name = Ams.unique("u")
        const created = yield* Ams.json<UserView>([
          "users",
          "create",
          name,
          "--email",
          `${name}@example.org`,
          "--member",
          "demo:publisher,consumer",
          "--show-token"
        ])
        assert.deepStrictEqual(created.projects.map((p) => [p.project, [...p.roles].sort()]), [[
          "demo",
          ["consumer", "publisher"]
        ]])
        assert.match(created.token ?? "", /^[0-9a-f]{20,}$/)
        const got = yield* Ams.json<UserView>(["users", "get", name])
        assert.strictEqual(got.token, "(hidden: --show-token)")
        const table = yield* Ams.ok(["users", "get", name])
        assert.notInclude(table.stdout, created.token ?? "?")
        assert.strictEqual((yield* Ams.json<UserView>(["users", "by-uuid", created.uuid])).name, name)

        // The new user's own token, from a file: `users profile` says whose it is.
        const tokenFile = `${name}.token`
        yield* Effect.flatMap(
          Ams.EmulatorProcess,
          (emulator) =>
            Effect.sync(() => Fs.writeFileSync(`${emulator.home}/${tokenFile}`, `${created.token}\n`, { mode: 0o600 }))
        )
        const profile = yield* Ams.json<UserView>(["users", "profile", "--token-file", tokenFile], {
          env: { AMS_TOKEN: undefined }
        })
        assert.strictEqual(profile.name, name)

        const updated = yield* Ams.json<UserView>(["users", "update", name, "--email", "new@example.org"])
        assert.strictEqual(updated.email, "new@example.org")
        const refreshed = yield* Ams.json<UserView>(["users", "refresh-token", name, "--show-token"])
        assert.notStrictEqual(refreshed.token, created.token)
        const stale = yield* Ams.run(["users", "profile", "--token-file", tokenFile], { env: { AMS_TOKEN: undefined } })
        assert.strictEqual(stale.code, 1)
        assert.include(stale.stderr, `the token from --token-file ${tokenFile}`)

        const listed = yield* Ams.json<ReadonlyArray<{ name: string }>>(["users", "list", "--member-of", "demo"])
        assert.isTrue(listed.some((u) => u.name === name))
        yield* Ams.ok(["users", "delete", name])
        const gone = yield* Ams.run(["users", "get", name])
        assert.strictEqual(gone.code, 1)
        assert.include(gone.stderr, `Not found: user "${name}"`)
        const badMember = yield* Ams.run(["users", "create", Ams.unique("u"), "--member", "demo"])
        assert.strictEqual(badMember.code, 2)
        assert.include(badMember.stderr, "PROJECT:ROLE")
      }))

    it.effect("projects: create, get, update, list, metrics, delete; members", () =>
      Effect.gen(function*() {
        const project = Ams.unique("p")
        const created = yield* Ams.json<{ name: string; description: string }>([
          "projects",
          "create",
          project,
          "--description",
          "a lab"
        ])
        assert.deepInclude(created, { name: project, description: "a lab" })
        yield* Ams.ok(["projects", "update", project, "--description", "the lab"])
        assert.strictEqual(
          (yield* Ams.json<{ description: string }>(["projects", "get", project])).description,
          "the lab"
        )
        const listed = yield* Ams.json<ReadonlyArray<{ name: string }>>(["projects", "list"])
        assert.isTrue(listed.some((p) => p.name === project))
        const metrics = yield* Ams.json<ReadonlyArray<{ metric: string }>>(["projects", "metrics", project])
        assert.isTrue(metrics.some((m) => m.metric.startsWith("project.")))

        const member = Ams.unique("m")
        const inProject = ["--project", project]
        yield* Ams.ok(["projects", "members", "create", member, "--role", "consumer", ...inProject])
        const members = yield* Ams.json<ReadonlyArray<{ name: string; roles: string }>>([
          "projects",
          "members",
          "list",
          ...inProject
        ])
        assert.deepStrictEqual(members.map((m) => [m.name, m.roles]), [[member, `${project}:consumer`]])
        yield* Ams.ok(["projects", "members", "update", member, "--role", "publisher", ...inProject])
        const shown = yield* Ams.json<UserView>(["projects", "members", "get", member, ...inProject])
        assert.deepStrictEqual(shown.projects.map((p) => p.roles), [["publisher"]])
        yield* Ams.ok(["projects", "members", "remove", member, ...inProject])
        assert.deepStrictEqual(yield* Ams.json(["projects", "members", "list", ...inProject]), [])
        yield* Ams.ok(["projects", "members", "add", member, "--role", "consumer", ...inProject])
        assert.strictEqual(
          (yield* Ams.json<ReadonlyArray<unknown>>(["projects", "members", "list", ...inProject])).length,
          1
        )

        yield* Ams.ok(["projects", "delete", project])
        const gone = yield* Ams.run(["projects", "get", project])
        assert.strictEqual(gone.code, 1)
        assert.include(gone.stderr, `Not found: project "${project}"`)
      }))

    it.effect("schemas: create from a file or inline, validate, update, attach to a topic, delete", () =>
      Effect.gen(function*() {
        const schema = Ams.unique("s")
        const emulator = yield* Ams.EmulatorProcess
        Fs.writeFileSync(
          `${emulator.home}/${schema}.json`,
          JSON.stringify({ type: "object", properties: { host: { type: "string" } }, required: ["host"] })
        )
        const created = yield* Ams.json<{ name: string; type: string; schema: unknown }>([
          "schemas",
          "create",
          schema,
          "--type",
          "json",
          "--file",
          `${schema}.json`
        ])
        assert.deepInclude(created, { name: schema, type: "json" })
        const valid = yield* Ams.json<{ valid: boolean }>([
          "schemas",
          "validate",
          schema,
          "--message",
          "{\"host\":\"a\"}"
        ])
        assert.isTrue(valid.valid)
        const invalid = yield* Ams.run(["schemas", "validate", schema, "--message", "{}"])
        assert.strictEqual(invalid.code, 1)
        assert.include(invalid.stderr, "host is required")
        const notJson = yield* Ams.run(["schemas", "validate", schema, "--message", "{nope"])
        assert.strictEqual(notJson.code, 2)
        assert.include(notJson.stderr, "--message is not JSON")

        yield* Ams.ok(["schemas", "update", schema, "--definition", "{\"type\":\"object\"}"])
        assert.deepStrictEqual((yield* Ams.json<{ schema: unknown }>(["schemas", "get", schema])).schema, {
          type: "object"
        })
        const listed = yield* Ams.json<ReadonlyArray<{ name: string }>>(["schemas", "list"])
        assert.isTrue(listed.some((s) => s.name === schema))
        const topic = Ams.unique("t")
        const withSchema = yield* Ams.json<{ schema: string }>(["topics", "create", topic, "--schema", schema])
        assert.strictEqual(withSchema.schema, `projects/demo/schemas/${schema}`)
        yield* Ams.ok(["schemas", "delete", schema])
        const gone = yield* Ams.run(["schemas", "get", schema])
        assert.strictEqual(gone.code, 1)
        assert.include(gone.stderr, `Not found: schema "${schema}" in project "demo"`)
        const both = yield* Ams.run(["schemas", "create", schema, "--type", "json"])
        assert.strictEqual(both.code, 2)
        assert.include(both.stderr, "exactly one of --definition JSON and --file FILE")
      }))

    it.effect("registrations: create, list, get, accept, decline, delete", () =>
      Effect.gen(function*() {
        const name = Ams.unique("r")
        const created = yield* Ams.json<{ uuid: string; status: string }>([
          "registrations",
          "create",
          "--name",
          name,
          "--email",
          `${name}@example.org`
        ])
        assert.strictEqual(created.status, "pending")
        const pending = yield* Ams.json<ReadonlyArray<{ uuid: string }>>([
          "registrations",
          "list",
          "--status",
          "pending",
          "--name",
          name
        ])
        assert.deepStrictEqual(pending.map((r) => r.uuid), [created.uuid])
        const user = yield* Ams.json<UserView>(["registrations", "accept", created.uuid])
        assert.strictEqual(user.name, name)
        assert.strictEqual(
          (yield* Ams.json<{ status: string }>(["registrations", "get", created.uuid])).status,
          "accepted"
        )

        const other = yield* Ams.json<{ uuid: string }>([
          "registrations",
          "create",
          "--name",
          `${name}-2`,
          "--email",
          "x@example.org"
        ])
        yield* Ams.ok(["registrations", "decline", other.uuid, "--comment", "who?"])
        const declined = yield* Ams.json<{ status: string; declineComment: string }>([
          "registrations",
          "get",
          other.uuid
        ])
        assert.deepStrictEqual([declined.status, declined.declineComment], ["declined", "who?"])
        // Only the service token may delete a registration: a service admin is told so.
        const forbidden = yield* Ams.run(["registrations", "delete", other.uuid])
        assert.strictEqual(forbidden.code, 1)
        assert.include(forbidden.stderr, "403 Access to this resource is forbidden): the token from AMS_TOKEN is valid")
        assert.notInclude(forbidden.stderr, "project")
        yield* Ams.ok(["registrations", "delete", other.uuid], { env: { AMS_TOKEN: "service-token" } })
        const gone = yield* Ams.run(["registrations", "get", other.uuid])
        assert.strictEqual(gone.code, 1)
        assert.include(gone.stderr, `Not found: registration "${other.uuid}"`)
      }))

    it.effect("status and version need no token; metrics and usage do", () =>
      Effect.gen(function*() {
        const noToken = { env: { AMS_TOKEN: undefined } }
        const status = yield* Ams.json<{ status: string }>(["status"], noToken)
        assert.strictEqual(status.status, "ok")
        const version = yield* Ams.json<{ cli: string; release?: string }>(["version"], noToken)
        assert.strictEqual(version.cli, "0.1.0")
        assert.isUndefined(version.release)
        assert.isString((yield* Ams.json<{ release?: string }>(["version"])).release)
        const metrics = yield* Ams.json<ReadonlyArray<{ metric: string }>>(["metrics"])
        assert.isTrue(metrics.some((m) => m.metric.startsWith("ams_node.")))
        const usage = yield* Ams.json<{ totalMessages: number }>(["usage", "--start", "2020-01-01"])
        assert.isNumber(usage.totalMessages)
        const va = yield* Ams.json<{ projects: ReadonlyArray<unknown> }>(["usage", "--va", "--projects", "demo"])
        assert.isArray(va.projects)
        const badDate = yield* Ams.run(["usage", "--start", "someday"])
        assert.strictEqual(badDate.code, 2)
        const needsToken = yield* Ams.run(["metrics"], noToken)
        assert.strictEqual(needsToken.code, 2)
        assert.include(needsToken.stderr, "No token: give --token-file FILE, set AMS_TOKEN")
      }))

    it.effect("every command of these groups has help with an example", () =>
      Effect.forEach(
        [
          ...["list", "get", "by-uuid", "profile", "create", "update", "delete", "refresh-token"].map((
            c
          ) => ["users", c]),
          ...["list", "get", "create", "update", "delete", "metrics"].map((c) => ["projects", c]),
          ...["list", "get", "add", "create", "update", "remove"].map((c) => ["projects", "members", c]),
          ...["list", "get", "create", "update", "delete", "validate"].map((c) => ["schemas", c]),
          ...["list", "get", "create", "accept", "decline", "delete"].map((c) => ["registrations", c]),
          ["status"],
          ["version"],
          ["metrics"],
          ["usage"]
        ],
        (command) =>
          Effect.map(Ams.ok([...command, "--help"]), (result) => {
            assert.include(result.stdout, `$ ams ${command.join(" ")}`)
          }),
        { concurrency: 4 }
      ))
  }
)
