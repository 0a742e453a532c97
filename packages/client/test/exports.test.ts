/**
 * The package as a user imports it: every module from its own subpath and (except the Node-only `X509`
 * and `AmsUndici`)
 * from the barrel, the same functions either way, and `internal/` closed by the exports map.
 */
import * as Barrel from "@argo-ams/client"
import * as AmsError from "@argo-ams/client/AmsError"
import * as AmsHttp from "@argo-ams/client/AmsHttp"
import * as AmsUndici from "@argo-ams/client/AmsUndici"
import * as Message from "@argo-ams/client/Message"
import * as MessageSchema from "@argo-ams/client/MessageSchema"
import * as Metric from "@argo-ams/client/Metric"
import * as Project from "@argo-ams/client/Project"
import * as Publisher from "@argo-ams/client/Publisher"
import * as PushConfig from "@argo-ams/client/PushConfig"
import * as Registration from "@argo-ams/client/Registration"
import * as Retry from "@argo-ams/client/Retry"
import * as Service from "@argo-ams/client/Service"
import * as Subscriber from "@argo-ams/client/Subscriber"
import * as Subscription from "@argo-ams/client/Subscription"
import * as Topic from "@argo-ams/client/Topic"
import * as User from "@argo-ams/client/User"
import * as X509 from "@argo-ams/client/X509"
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import { createRequire } from "node:module"

const portable = {
  AmsError,
  AmsHttp,
  Message,
  MessageSchema,
  Metric,
  Project,
  Publisher,
  PushConfig,
  Registration,
  Retry,
  Service,
  Subscriber,
  Subscription,
  Topic,
  User
}

const require = createRequire(import.meta.url)

describe("package exports", () => {
  it("every public module of src/ is imported here by its subpath", () => {
    const files = Fs.readdirSync(new URL("../src/", import.meta.url))
      .filter((file) => file.endsWith(".ts") && file !== "index.ts")
      .map((file) => file.slice(0, -3))
    expect([...Object.keys(portable), "AmsUndici", "X509"].sort()).toEqual(files.sort())
  })

  it("the barrel holds every portable module, and nothing else", () => {
    expect(Object.keys(Barrel).sort()).toEqual(Object.keys(portable).sort())
  })

  it("the barrel and the subpaths give the same functions and values", () => {
    for (const [name, module] of Object.entries(portable)) {
      const fromBarrel: Record<string, unknown> = Barrel[name as keyof typeof Barrel]
      const fromSubpath: Record<string, unknown> = module
      expect(Object.keys(fromBarrel).sort(), name).toEqual(Object.keys(fromSubpath).sort())
      expect(Object.keys(fromSubpath).length, name).toBeGreaterThan(0)
      for (const key of Object.keys(fromSubpath)) expect(fromBarrel[key], `${name}.${key}`).toBe(fromSubpath[key])
    }
    expect(Barrel.Topic.publish).toBe(Topic.publish)
    expect(Barrel.Subscription.pullAndAck).toBe(Subscription.pullAndAck)
  })

  it("X509 and AmsUndici are reachable by their subpaths only, not through the portable barrel", () => {
    expect(typeof X509.token).toBe("function")
    expect(typeof X509.layer).toBe("function")
    expect(typeof AmsUndici.make).toBe("function")
    expect(typeof AmsUndici.layer).toBe("function")
    for (const [name, module] of Object.entries({ X509, AmsUndici })) {
      expect(name in Barrel).toBe(false)
      expect(Object.values(Barrel)).not.toContain(module)
    }
  })

  it("the exports map resolves public subpaths and blocks internal/", () => {
    expect(require.resolve("@argo-ams/client/Topic")).toMatch(/src[/\\]Topic\.ts$/)
    expect(require.resolve("@argo-ams/client")).toMatch(/src[/\\]index\.ts$/)
    for (const specifier of ["@argo-ams/client/internal/operation", "@argo-ams/client/internal/wire.js"]) {
      expect(() => require.resolve(specifier), specifier).toThrow(
        expect.objectContaining({ code: "ERR_PACKAGE_PATH_NOT_EXPORTED" })
      )
    }
  })
})
