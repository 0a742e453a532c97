import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Emulator from "@argo-ams/emulator/Emulator"
import * as Seed from "@argo-ams/emulator/Seed"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { AmsError } from "../../src/AmsError.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Registration from "../../src/Registration.js"
import * as User from "../../src/User.js"

const serviceToken = "the-service-token"

const emulator = Effect.map(Emulator.make(Seed.defaultSeed, { serviceToken }), (ams) => ({
  as: (token: string) =>
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(token), project: "demo" }).pipe(
      Layer.provide(AmsEmulator.layerEmulator(ams))
    )
}))

const status = (error: AmsError) => error._tag === "AmsServiceError" ? error.status : error._tag

describe("Registration (emulator)", () => {
  it.effect("create, get, list with filters, accept (creates the user), then it is no longer pending", () =>
    Effect.gen(function*() {
      const admin = (yield* emulator).as(Seed.adminToken)
      const registration = yield* Registration.create({
        name: "newcomer",
        email: "new@example.org",
        firstName: "New",
        lastName: "Comer",
        organization: "GRNET",
        description: "wants in"
      }).pipe(Effect.provide(admin))
      expect(registration.status).toBe("pending")
      expect(registration.name).toBe("newcomer")
      expect(registration.firstName).toBe("New")
      assert.isDefined(registration.activationToken)
      assert.instanceOf(registration.registeredAt, Date)

      const shown = yield* Registration.get(registration.uuid).pipe(Effect.provide(admin))
      expect(shown.email).toBe("new@example.org")

      const byToken = yield* Registration.list({ activationToken: registration.activationToken! }).pipe(
        Effect.provide(admin)
      )
      expect(byToken.map((r) => r.uuid)).toEqual([registration.uuid])
      const pending = yield* Registration.list({ status: "pending", name: "newcomer" }).pipe(Effect.provide(admin))
      expect(pending.map((r) => r.uuid)).toEqual([registration.uuid])
      expect(yield* Registration.list({ name: "someone-else" }).pipe(Effect.provide(admin))).toEqual([])

      const user = yield* Registration.accept(registration.uuid).pipe(Effect.provide(admin))
      expect(user.name).toBe("newcomer")
      expect(user.email).toBe("new@example.org")
      assert.isDefined(user.token)
      expect((yield* User.get("newcomer").pipe(Effect.provide(admin))).uuid).toBe(user.uuid)

      const accepted = yield* Registration.get(registration.uuid).pipe(Effect.provide(admin))
      expect(accepted.status).toBe("accepted")
      expect(accepted.modifiedBy).toBe(Seed.adminUser)
      expect(accepted.activationToken).toBeUndefined()
      const twice = yield* Registration.accept(registration.uuid).pipe(Effect.provide(admin), Effect.flip)
      expect(status(twice)).toBe(404)
      expect(twice.message).toBe("User registration doesn't exist")
    }))

  it.effect("decline with and without a comment; remove needs the service token", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const admin = ams.as(Seed.adminToken)
      const first = yield* Registration.create({ name: "r1", email: "r1@example.org" }).pipe(Effect.provide(admin))
      const second = yield* Registration.create({ name: "r2", email: "r2@example.org" }).pipe(Effect.provide(admin))
      yield* Registration.decline(first.uuid, { comment: "not now" }).pipe(Effect.provide(admin))
      yield* Registration.decline(second.uuid).pipe(Effect.provide(admin))
      const declined = yield* Registration.get(first.uuid).pipe(Effect.provide(admin))
      expect(declined.status).toBe("declined")
      expect(declined.declineComment).toBe("not now")
      expect((yield* Registration.list({ status: "declined" }).pipe(Effect.provide(admin))).length).toBe(2)

      // registrations:delete has no role in the deployment table: a service_admin user is refused.
      const refused = yield* Registration.remove(first.uuid).pipe(Effect.provide(admin), Effect.flip)
      expect(status(refused)).toBe(403)
      yield* Registration.remove(first.uuid).pipe(Effect.provide(ams.as(serviceToken)))
      const gone = yield* Registration.get(first.uuid).pipe(Effect.provide(admin), Effect.flip)
      expect(status(gone)).toBe(404)
    }))

  it.effect("errors: 401, 403, 404, 409", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const admin = ams.as(Seed.adminToken)
      expect(status(yield* Registration.list().pipe(Effect.provide(ams.as("nobody")), Effect.flip))).toBe(401)
      // Project roles do not count on /v1/registrations: a project admin is 401.
      expect(status(yield* Registration.list().pipe(Effect.provide(ams.as(Seed.projectAdminToken)), Effect.flip))).toBe(
        401
      )
      const viewer = yield* User.create("viewer", { serviceRoles: ["metrics_viewer"] }).pipe(Effect.provide(admin))
      const forbidden = yield* Registration.list().pipe(
        Effect.provide(ams.as(Redacted.value(viewer.token!))),
        Effect.flip
      )
      expect(status(forbidden)).toBe(403)
      expect(status(yield* Registration.get("no-such-uuid").pipe(Effect.provide(admin), Effect.flip))).toBe(404)
      expect(status(yield* Registration.decline("no-such-uuid").pipe(Effect.provide(admin), Effect.flip))).toBe(404)
      const taken = yield* Registration.create({ name: Seed.consumerUser, email: "x@example.org" }).pipe(
        Effect.provide(admin),
        Effect.flip
      )
      expect(status(taken)).toBe(409)
      expect(taken.message).toBe("User already exists")
    }))
})
