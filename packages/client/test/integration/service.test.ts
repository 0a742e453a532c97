import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Emulator from "@argo-ams/emulator/Emulator"
import * as Seed from "@argo-ams/emulator/Seed"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { AmsError } from "../../src/AmsError.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Service from "../../src/Service.js"
import * as User from "../../src/User.js"

const emulator = Effect.map(Emulator.make(Seed.defaultSeed, { proxyHostname: "ams.test" }), (ams) => ({
  as: (token: string) =>
    AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(token), project: "demo" }).pipe(
      Layer.provide(AmsEmulator.layerEmulator(ams))
    )
}))

const status = (error: AmsError) => error._tag === "AmsServiceError" ? error.status : error._tag

describe("Service (emulator)", () => {
  it.effect("health: open to anyone; details need service_admin/admin_viewer (inverted codes)", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const open = yield* Service.health().pipe(Effect.provide(ams.as("not-a-token")))
      expect(open.status).toBe("ok")
      expect(open.pushFunctionality).toBe("disabled")
      const detailed = yield* Service.health({ details: true }).pipe(Effect.provide(ams.as(Seed.adminToken)))
      expect(detailed.status).toBe("ok")
      expect(status(yield* Service.health({ details: true }).pipe(Effect.provide(ams.as("nobody")), Effect.flip))).toBe(
        403
      )
      expect(
        status(yield* Service.health({ details: true }).pipe(Effect.provide(ams.as(Seed.consumerToken)), Effect.flip))
      ).toBe(401)
    }))

  it.effect("version: release only for service admins; hostname from the config", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const privileged = yield* Service.version().pipe(Effect.provide(ams.as(Seed.adminToken)))
      expect(privileged.release).toBeDefined()
      expect(privileged.hostname).toBe("ams.test")
      expect(privileged.golang).not.toBe("")
      const anonymous = yield* Service.version().pipe(Effect.provide(ams.as("nobody")))
      expect(anonymous.release).toBeUndefined()
    }))

  it.effect("metrics: the operational metrics, for service admins and metrics viewers only", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const admin = ams.as(Seed.adminToken)
      const metrics = yield* Service.metrics().pipe(Effect.provide(admin))
      expect(metrics.map((metric) => metric.metric).sort()).toEqual(["ams_node.cpu_usage", "ams_node.memory_usage"])
      const viewer = yield* User.create("viewer", { serviceRoles: ["metrics_viewer"] }).pipe(Effect.provide(admin))
      const asViewer = ams.as(Redacted.value(viewer.token!))
      expect((yield* Service.metrics().pipe(Effect.provide(asViewer))).length).toBe(metrics.length)
      expect(status(yield* Service.metrics().pipe(Effect.provide(ams.as(Seed.projectAdminToken)), Effect.flip))).toBe(
        401
      )
      const other = yield* User.create("other", { serviceRoles: ["admin_viewer"] }).pipe(Effect.provide(admin))
      expect(
        status(yield* Service.metrics().pipe(Effect.provide(ams.as(Redacted.value(other.token!))), Effect.flip))
      ).toBe(403)
    }))

  it.effect("vaMetrics: a report for a range of days; the server's 400/404", () =>
    Effect.gen(function*() {
      const admin = (yield* emulator).as(Seed.adminToken)
      const report = yield* Service.vaMetrics({
        projects: ["demo"],
        startDate: new Date("1970-01-01T00:00:00Z"),
        endDate: new Date("1970-01-31T00:00:00Z")
      }).pipe(Effect.provide(admin))
      expect(report.totalMessageCount).toBe(0)
      expect(report.projects.every((project) => project.project === "demo")).toBe(true)
      const reversed = yield* Service.vaMetrics({
        startDate: new Date("2022-06-02T00:00:00Z"),
        endDate: new Date("2022-06-01T00:00:00Z")
      }).pipe(Effect.provide(admin), Effect.flip)
      expect(status(reversed)).toBe(400)
      expect(reversed.message).toBe("Start date cannot be after the end date")
      const unknown = yield* Service.vaMetrics({ projects: ["nope"] }).pipe(Effect.provide(admin), Effect.flip)
      expect(status(unknown)).toBe(404)
      expect(unknown.message).toBe("Project nope doesn't exist")
    }))

  it.effect("usageReport: the caller's administered projects; 401 without a user token", () =>
    Effect.gen(function*() {
      const ams = yield* emulator
      const report = yield* Service.usageReport({
        startDate: new Date("1970-01-01T00:00:00Z"),
        endDate: new Date("1970-01-02T00:00:00Z")
      }).pipe(Effect.provide(ams.as(Seed.projectAdminToken)))
      expect(report.vaMetrics.totalMessageCount).toBe(0)
      expect(report.operationalMetrics.length).toBeGreaterThan(0)
      const none = yield* Service.usageReport().pipe(Effect.provide(ams.as(Seed.consumerToken)))
      expect(none.vaMetrics.projects).toEqual([])
      expect(status(yield* Service.usageReport().pipe(Effect.provide(ams.as("nobody")), Effect.flip))).toBe(401)
    }))
})
