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
import * as Project from "../../src/Project.js"

/** One emulator (default seed) per test; `as(token)` is the real `AmsHttp` layer on it for that token. */
const emulator = Effect.map(Emulator.make(), (ams) => ({
  as: (token: string) =>
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(token), project: "demo" }).pipe(
      Layer.provide(AmsEmulator.layerEmulator(ams))
    )
}))

const status = (error: AmsError) => error._tag === "AmsServiceError" ? error.status : error._tag

describe("Project (emulator)", () => {
  it.effect("create, get, list, update (description, rename), metrics, remove", () =>
    Effect.gen(function*() {
      const admin = (yield* emulator).as(Seed.adminToken)
      const created = yield* Project.create("ARGO", { description: "simple project" }).pipe(Effect.provide(admin))
      expect(created.name).toBe("ARGO")
      expect(created.description).toBe("simple project")
      expect(created.createdBy).toBe(Seed.adminUser)
      assert.instanceOf(created.createdOn, Date)

      expect((yield* Project.get("ARGO").pipe(Effect.provide(admin))).description).toBe("simple project")
      const names = (yield* Project.list().pipe(Effect.provide(admin))).map((project) => project.name)
      expect([...names].sort()).toEqual(["ARGO", "demo"])

      const described = yield* Project.update("ARGO", { description: "changed" }).pipe(Effect.provide(admin))
      expect(described.description).toBe("changed")
      const renamed = yield* Project.update("ARGO", { name: "ARGO2" }).pipe(Effect.provide(admin))
      expect(renamed.name).toBe("ARGO2")
      expect(renamed.description).toBe("changed")

      const metrics = yield* Project.metrics("ARGO2").pipe(Effect.provide(admin))
      const topics = metrics.find((metric) => metric.metric === "project.number_of_topics")
      assert.isDefined(topics)
      expect(topics!.timeseries[0]!.value).toBe(0)

      yield* Project.remove("ARGO2").pipe(Effect.provide(admin))
      const gone = yield* Project.get("ARGO2").pipe(Effect.provide(admin), Effect.flip)
      expect(status(gone)).toBe(404)
      expect(gone.message).toBe("project doesn't exist")
    }))

  it.effect("members of the layer's project: create, get, update, list (paged, streamed), remove, add", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const projectAdmin = ams.as(Seed.projectAdminToken)
      const bob = yield* Project.createMember("bob", { roles: ["publisher"], email: "bob@example.org" }).pipe(
        Effect.provide(projectAdmin)
      )
      expect(bob.name).toBe("bob")
      expect(bob.email).toBe("bob@example.org")
      // The answer to member creation is the privileged view: the new token is there.
      assert.isDefined(bob.token)
      expect(bob.projects.map((p) => [p.project, p.roles])).toEqual([["demo", ["publisher"]]])

      const shown = yield* Project.getMember("bob").pipe(Effect.provide(projectAdmin))
      expect(shown.uuid).toBe(bob.uuid)
      expect(shown.token).toBeUndefined()

      const updated = yield* Project.updateMember("bob", { roles: ["consumer", "publisher"] }).pipe(
        Effect.provide(projectAdmin)
      )
      expect([...updated.projects[0]!.roles].sort()).toEqual(["consumer", "publisher"])

      const all = yield* Project.members({ details: true }).pipe(Effect.provide(projectAdmin))
      expect(all.map((user) => user.name).sort()).toEqual(
        ["bob", Seed.consumerUser, Seed.projectAdminUser, Seed.publisherUser].sort()
      )
      expect(all.every((user) => user.projects.every((p) => p.project === "demo"))).toBe(true)

      const page = yield* Project.membersPage({ pageSize: 2 }).pipe(Effect.provide(projectAdmin))
      expect(page.users.length).toBe(2)
      expect(page.totalSize).toBe(4)
      assert.isDefined(page.nextPageToken)
      const streamed = yield* Project.membersStream({ pageSize: 3 }).pipe(
        Stream.runCollect,
        Effect.provide(projectAdmin)
      )
      expect(Chunk.toReadonlyArray(streamed).map((user) => user.name)).toEqual(all.map((user) => user.name))

      yield* Project.removeMember("bob").pipe(Effect.provide(projectAdmin))
      const notMember = yield* Project.getMember("bob").pipe(Effect.provide(projectAdmin), Effect.flip)
      expect(status(notMember)).toBe(404)

      const readded = yield* Project.addMember("bob", { roles: ["consumer"] }).pipe(Effect.provide(projectAdmin))
      expect(readded.projects.map((p) => [p.project, p.roles])).toEqual([["demo", ["consumer"]]])
      const again = yield* Project.addMember("bob", { roles: ["consumer"] }).pipe(
        Effect.provide(projectAdmin),
        Effect.flip
      )
      expect(status(again)).toBe(409)
      expect(again.message).toBe("User is already a member of the project")
    }))

  it.effect("member routes of another project through { project }", () =>
    Effect.gen(function*() {
      const admin = (yield* emulator).as(Seed.adminToken)
      yield* Project.create("other").pipe(Effect.provide(admin))
      yield* Project.addMember(Seed.consumerUser, { roles: ["consumer"] }, { project: "other" }).pipe(
        Effect.provide(admin)
      )
      const members = yield* Project.members({ project: "other" }).pipe(Effect.provide(admin))
      expect(members.map((user) => user.name)).toEqual([Seed.consumerUser])
      const member = yield* Project.getMember(Seed.consumerUser, { project: "other" }).pipe(Effect.provide(admin))
      expect(member.name).toBe(Seed.consumerUser)
    }))

  it.effect("errors: 401, 403, 404, 409, 400", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const admin = ams.as(Seed.adminToken)
      // projects:list has no {project}: project roles do not count → 401.
      expect(status(yield* Project.list().pipe(Effect.provide(ams.as(Seed.projectAdminToken)), Effect.flip))).toBe(401)
      expect(status(yield* Project.get("demo").pipe(Effect.provide(ams.as("nobody")), Effect.flip))).toBe(401)
      // A publisher of demo holds a role there, but not one allowed on projects:show → 403.
      const forbidden = yield* Project.get("demo").pipe(Effect.provide(ams.as(Seed.publisherToken)), Effect.flip)
      expect(status(forbidden)).toBe(403)
      expect(forbidden.message).toBe("Access to this resource is forbidden")
      expect(status(yield* Project.get("nope").pipe(Effect.provide(admin), Effect.flip))).toBe(404)
      const duplicate = yield* Project.create("demo").pipe(Effect.provide(admin), Effect.flip)
      expect(status(duplicate)).toBe(409)
      expect(duplicate.message).toBe("Project already exists")
      const badRole = yield* Project.createMember("carol", { roles: ["wizard"] }).pipe(
        Effect.provide(admin),
        Effect.flip
      )
      expect(status(badRole)).toBe(400)
      expect(badRole.message).toBe("invalid role: wizard")
      const notMember = yield* Project.updateMember(Seed.adminUser, { roles: ["consumer"] }).pipe(
        Effect.provide(admin),
        Effect.flip
      )
      expect(status(notMember)).toBe(403)
      expect(notMember.message).toBe("Access to this resource is forbidden. User is not a member of the project")
      expect(status(yield* Project.removeMember("ghost").pipe(Effect.provide(admin), Effect.flip))).toBe(404)
    }))
})
