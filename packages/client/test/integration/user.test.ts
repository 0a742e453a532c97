import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Emulator from "@argo-ams/emulator/Emulator"
import * as Seed from "@argo-ams/emulator/Seed"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { AmsError } from "../../src/AmsError.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as User from "../../src/User.js"

/** One emulator (default seed) per test; `as(token)` is the real `AmsHttp` layer on it for that token. */
const emulator = Effect.map(Emulator.make(), (ams) => ({
  as: (token: string) =>
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(token), project: "demo" }).pipe(
      Layer.provide(AmsEmulator.layerEmulator(ams))
    )
}))

const status = (error: AmsError) => error._tag === "AmsServiceError" ? error.status : error._tag

describe("User (emulator)", () => {
  it.effect("create, get, getByUuid, getByToken, profile, update, refreshToken, remove", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const admin = ams.as(Seed.adminToken)
      const created = yield* User.create("alice", {
        email: "alice@example.org",
        firstName: "Alice",
        projects: [{ project: "demo", roles: ["consumer"] }]
      }).pipe(Effect.provide(admin))
      expect(created.name).toBe("alice")
      expect(created.email).toBe("alice@example.org")
      expect(created.firstName).toBe("Alice")
      expect(created.createdBy).toBe(Seed.adminUser)
      expect(created.serviceRoles).toEqual([])
      expect(created.projects.map((p) => [p.project, p.roles])).toEqual([["demo", ["consumer"]]])
      const token = created.token
      assert.isDefined(token)
      expect(Redacted.value(token!)).toMatch(/^[0-9a-f]{64}$/)

      const shown = yield* User.get("alice").pipe(Effect.provide(admin))
      expect(shown.uuid).toBe(created.uuid)
      expect((yield* User.getByUuid(created.uuid).pipe(Effect.provide(admin))).name).toBe("alice")
      expect((yield* User.getByToken(token!).pipe(Effect.provide(admin))).name).toBe("alice")

      const own = yield* User.profile().pipe(Effect.provide(ams.as(Redacted.value(token!))))
      expect(own.name).toBe("alice")
      expect(Redacted.value(own.token!)).toBe(Redacted.value(token!))

      const updated = yield* User.update("alice", { organization: "GRNET", serviceRoles: ["metrics_viewer"] }).pipe(
        Effect.provide(admin)
      )
      expect(updated.organization).toBe("GRNET")
      expect(updated.serviceRoles).toEqual(["metrics_viewer"])
      expect(updated.firstName).toBe("Alice")

      const refreshed = yield* User.refreshToken("alice").pipe(Effect.provide(admin))
      expect(Redacted.value(refreshed.token!)).not.toBe(Redacted.value(token!))
      const stale = yield* User.profile().pipe(Effect.provide(ams.as(Redacted.value(token!))), Effect.flip)
      expect(status(stale)).toBe(401)

      yield* User.remove("alice").pipe(Effect.provide(admin))
      const gone = yield* User.get("alice").pipe(Effect.provide(admin), Effect.flip)
      expect(status(gone)).toBe(404)
      expect(gone.message).toBe("User doesn't exist")
    }))

  it.effect("update renames a user", () =>
    Effect.gen(function*() {
      const admin = (yield* emulator).as(Seed.adminToken)
      yield* User.create("bob", { email: "bob@example.org" }).pipe(Effect.provide(admin))
      const renamed = yield* User.update("bob", { name: "robert" }).pipe(Effect.provide(admin))
      expect(renamed.name).toBe("robert")
      expect((yield* User.get("robert").pipe(Effect.provide(admin))).email).toBe("bob@example.org")
    }))

  it.effect("list, listPage with details and a project filter, and stream over pages", () =>
    Effect.gen(function*() {
      const admin = (yield* emulator).as(Seed.adminToken)
      const all = yield* User.list().pipe(Effect.provide(admin))
      expect(all.map((user) => user.name).sort()).toEqual(
        [Seed.adminUser, Seed.consumerUser, Seed.projectAdminUser, Seed.publisherUser].sort()
      )
      // Details are on by default (`details=true`), so the memberships are there.
      expect(all.find((user) => user.name === Seed.consumerUser)?.projects.map((p) => p.project)).toEqual(["demo"])
      // Without details the server drops `projects`.
      const bare = yield* User.list({ details: false }).pipe(Effect.provide(admin))
      expect(bare.every((user) => user.projects.length === 0)).toBe(true)

      const detailed = yield* User.list({ details: true, project: "demo" }).pipe(Effect.provide(admin))
      expect(detailed.map((user) => user.name).sort()).toEqual(
        [Seed.consumerUser, Seed.projectAdminUser, Seed.publisherUser].sort()
      )
      expect(detailed.every((user) => user.projects.some((p) => p.project === "demo"))).toBe(true)

      const first = yield* User.listPage({ pageSize: 3 }).pipe(Effect.provide(admin))
      expect(first.users.length).toBe(3)
      expect(first.totalSize).toBe(4)
      assert.isDefined(first.nextPageToken)
      const second = yield* User.listPage({ pageSize: 3, pageToken: first.nextPageToken! }).pipe(Effect.provide(admin))
      expect(second.users.length).toBe(1)
      expect(second.nextPageToken).toBeUndefined()

      const streamed = yield* User.stream({ pageSize: 1 }).pipe(Stream.runCollect, Effect.provide(admin))
      expect(Chunk.toReadonlyArray(streamed).map((user) => user.name)).toEqual(all.map((user) => user.name))
    }))

  it.effect("errors: 401 for project-only users, 404 unknown user/project filter, 409 duplicate, 400 bad role", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const admin = ams.as(Seed.adminToken)
      // Routes without {project}: project roles do not count, so a project admin is 401 (not 403).
      expect(status(yield* User.list().pipe(Effect.provide(ams.as(Seed.projectAdminToken)), Effect.flip))).toBe(401)
      expect(status(yield* User.get(Seed.adminUser).pipe(Effect.provide(ams.as("nobody")), Effect.flip))).toBe(401)
      expect(status(yield* User.getByUuid("no-such-uuid").pipe(Effect.provide(admin), Effect.flip))).toBe(404)
      expect(status(yield* User.getByToken(Redacted.make("nope")).pipe(Effect.provide(admin), Effect.flip))).toBe(404)
      const unknownProject = yield* User.list({ project: "nope" }).pipe(Effect.provide(admin), Effect.flip)
      expect(status(unknownProject)).toBe(404)
      expect(unknownProject.message).toBe("ProjectUUID doesn't exist")
      const duplicate = yield* User.create(Seed.consumerUser).pipe(Effect.provide(admin), Effect.flip)
      expect(status(duplicate)).toBe(409)
      expect(duplicate.message).toBe("User already exists")
      const badRole = yield* User.create("carol", { projects: [{ project: "demo", roles: ["wizard"] }] }).pipe(
        Effect.provide(admin),
        Effect.flip
      )
      expect(status(badRole)).toBe(400)
      expect(badRole.message).toBe("invalid role: wizard")
      expect(status(yield* User.remove("ghost").pipe(Effect.provide(admin), Effect.flip))).toBe(404)
      expect(status(yield* User.refreshToken("ghost").pipe(Effect.provide(admin), Effect.flip))).toBe(404)
    }))

  it.effect("403: a service role that is not allowed on the route", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const admin = ams.as(Seed.adminToken)
      const viewer = yield* User.create("viewer", { serviceRoles: ["metrics_viewer"] }).pipe(Effect.provide(admin))
      const error = yield* User.list().pipe(Effect.provide(ams.as(Redacted.value(viewer.token!))), Effect.flip)
      expect(status(error)).toBe(403)
      expect(error.message).toBe("Access to this resource is forbidden")
    }))
})
