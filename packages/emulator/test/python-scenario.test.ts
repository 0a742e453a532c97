import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const script = fileURLToPath(new URL("../examples/python-scenario.ts", import.meta.url))

describe("python scenario", () => {
  it("plain fetch over HTTPS, sending what argo-ams-library sends, gets what it expects", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 60_000 })
    expect(result.stdout).toMatch(/(\d+) of \1 checks passed/)
    expect(result.stdout).not.toContain("FAIL")
    expect(result.status).toBe(0)
  }, 90_000)
})
