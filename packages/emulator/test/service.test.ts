// /v1/status and /v1/version: open routes with their own token handling (§5.8, §10.1).
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Seeds from "../src/Seed.js"
import * as H from "./helpers.js"

describe("service routes", () => {
  it.effect("status: push disabled, details with inverted 403/401", () =>
    Effect.gen(function*() {
      const c = yield* H.client(undefined, { serviceToken: "svc" })
      const plain = yield* c.call("GET", "/v1/status")
      assert.strictEqual(plain.status, 200)
      assert.strictEqual(plain.body, "{\n \"status\": \"ok\",\n \"push_functionality\": \"disabled\"\n}")
      assert.strictEqual((yield* c.call("GET", "/v1/status?details=true", H.admin)).status, 200)
      const noToken = yield* c.call("GET", "/v1/status?details=true")
      assert.strictEqual(noToken.body, H.errorBody(403, "Access to this resource is forbidden", "FORBIDDEN"))
      assert.strictEqual((yield* c.call("GET", "/v1/status?details=true", "svc")).status, 403)
      const weak = yield* c.call("GET", "/v1/status?details=true", H.projectAdmin)
      assert.strictEqual(weak.body, H.errorBody(401, "Unauthorized", "UNAUTHORIZED"))
    }))

  it.effect("status with push enabled reports the push server, warning without a worker", () =>
    Effect.gen(function*() {
      const warn = yield* H.client(undefined, { pushEnabled: true, pushWorkerToken: "missing" })
      assert.deepStrictEqual(JSON.parse((yield* warn.call("GET", "/v1/status")).body), {
        status: "warning",
        push_servers: [{ endpoint: "localhost:5555", status: "SERVING" }]
      })
      const ok = yield* H.client(undefined, { pushEnabled: true, pushWorkerToken: Seeds.consumerToken })
      assert.strictEqual(JSON.parse((yield* ok.call("GET", "/v1/status")).body).status, "ok")
    }))

  it.effect("version: release only for real service_admin/admin_viewer users; hostname from config", () =>
    Effect.gen(function*() {
      const c = yield* H.client(undefined, { serviceToken: "svc", proxyHostname: "ams.example" })
      const anonymous = JSON.parse((yield* c.call("GET", "/v1/version")).body) as Record<string, unknown>
      assert.isUndefined(anonymous["release"])
      assert.strictEqual(anonymous["hostname"], "ams.example")
      assert.strictEqual(anonymous["build_time"], "Unknown")
      const admin = JSON.parse((yield* c.call("GET", "/v1/version", H.admin)).body) as Record<string, unknown>
      assert.strictEqual(admin["release"], "1.7.0")
      assert.deepStrictEqual(Object.keys(admin), [
        "build_time",
        "golang",
        "compiler",
        "os",
        "architecture",
        "release",
        "distro",
        "hostname"
      ])
      const svc = JSON.parse((yield* c.call("GET", "/v1/version", "svc")).body) as Record<string, unknown>
      assert.isUndefined(svc["release"])
      const method = yield* c.call("POST", "/v1/version")
      assert.strictEqual(method.status, 405)
    }))
})
