import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const demo = fileURLToPath(new URL("../examples/demo.ts", import.meta.url))

describe("pnpm demo", () => {
  it("runs against the embedded emulator over fetch and loses nothing", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", demo, "--messages", "250", "--batch", "40"], {
      encoding: "utf8",
      timeout: 60_000
    })
    expect(result.stderr).toBe("")
    expect(result.stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)
    expect(result.stdout).toContain("offsets after consume:   min=0 max=250 current=250")
    expect(result.stdout).toMatch(/published 250 messages in 7 requests/)
    expect(result.stdout).toMatch(/consumed {2}250 messages in 7 pull\+ack rounds/)
    expect(result.stdout).toContain("lost 0, duplicated 0")
    expect(result.status).toBe(0)
  }, 90_000)
})
