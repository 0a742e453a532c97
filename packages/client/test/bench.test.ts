import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

// What `pnpm bench` runs: the script bundled with the client as compiled JavaScript (bench/run.mjs).
const runner = fileURLToPath(new URL("../bench/run.mjs", import.meta.url))
const bench = fileURLToPath(new URL("../bench/index.ts", import.meta.url))
const phases = fileURLToPath(new URL("../bench/phases.ts", import.meta.url))

interface Report {
  readonly machine: { readonly node: string }
  readonly date: string
  readonly rows: ReadonlyArray<
    {
      readonly name: string
      readonly transport: string
      readonly ratio: number
      readonly cpuRatio: number
      readonly perRound: ReadonlyArray<number>
      readonly roundsMet: number
      readonly raw: { readonly wallUs: number }
      readonly client: { readonly wallUs: number; readonly cpuUs: number }
    }
  >
  readonly memory: {
    readonly consume: { readonly messages: number }
    readonly publisherBuffered: { readonly buffered: number; readonly bytesPerMessage: number }
  }
  readonly emulator: ReadonlyArray<{ readonly transport: string; readonly messages: number }>
}

// The benchmark is a script with a report, never a timed test: this runs it in smoke mode (one operation
// per case) so that it cannot rot, and asserts only that every case ran and reported a figure.
describe("pnpm bench", () => {
  it("runs every case in smoke mode and writes its JSON report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ams-bench-"))
    try {
      const out = join(dir, "report.json")
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [runner, bench, "--smoke", "--out", out],
        { encoding: "utf8", timeout: 100_000 }
      )
      expect(stdout).toContain("| `Topic.get`")
      const report = JSON.parse(readFileSync(out, "utf8")) as Report
      expect(report.machine.node).toBe(process.version)
      expect(Number.isNaN(Date.parse(report.date))).toBe(false)
      const cases = [
        "`Topic.get`",
        "`Topic.publish`, 1 message",
        "`Subscription.pull`, 1 message",
        "publish, 1 × 1 KiB per request",
        "publish, 100 × 1 KiB per request",
        "publish, 1,000 × 1 KiB per request",
        "pull 1,000 × 1 KiB + ack"
      ]
      expect(report.rows.map((row) => `${row.name} on ${row.transport}`)).toEqual(
        cases.flatMap((name, i) =>
          (i < 3
            ? ["undici", "undici, `AmsUndici`", "fetch", "fetch, `layerFetch`"]
            : ["undici", "undici, `AmsUndici`", "fetch, `layerFetch`"]).map((on) => `${name} on ${on}`)
        ).concat([
          "`Publisher.publishAll`, 1 KiB, 500 per request on undici",
          "`Publisher.publishAll`, 1 KiB, 500 per request on undici, `AmsUndici`",
          "`Subscriber.consume`, 1 KiB, 1,000 per pull on undici",
          "`Subscriber.consume`, 1 KiB, 1,000 per pull on undici, `AmsUndici`",
          "`Subscriber.stream`, 1 KiB, 1,000 per pull, acked one by one on undici",
          "`Subscriber.stream`, 1 KiB, 1,000 per pull, acked one by one on undici, `AmsUndici`"
        ])
      )
      for (const row of report.rows) {
        for (const figure of [row.raw.wallUs, row.client.wallUs, row.client.cpuUs, row.ratio, row.cpuRatio]) {
          expect(figure).toBeGreaterThan(0)
        }
        // Smoke mode runs one round: its ratio is the row's.
        expect(row.perRound).toEqual([row.ratio])
        expect([0, 1]).toContain(row.roundsMet)
      }
      expect(report.memory.consume.messages).toBe(2_000)
      expect(report.memory.publisherBuffered.buffered).toBe(1_000)
      // A heap difference: with smoke mode's 1,000 messages a collection in between can make it negative.
      expect(Number.isFinite(report.memory.publisherBuffered.bytesPerMessage)).toBe(true)
      expect(report.emulator.map((e) => e.transport)).toEqual(["http", "in-process"])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)

  // The diagnostic of where the time goes at volume: every case runs, and each request's time in flight
  // was seen (it is part of the case's time, and not all of it).
  it("bench/phases.ts splits each case's time into requests in flight and the time between them", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [runner, phases, "1000", "1"], {
      encoding: "utf8",
      timeout: 100_000
    })
    const rows = stdout.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| case"))
    expect(rows.map((row) => row.split("|")[1]!.trim())).toEqual([
      "raw publish, 500 a request",
      "`Topic.publish`, 500 a request",
      "`Publisher.publishAll`, 500 a request",
      "raw pull 1000 + ack",
      "`Subscription.pull` 1000 + `acknowledge`",
      "`Subscriber.consume`, 1000 a pull"
    ])
    for (const row of rows) {
      const [wall, inFlight, between, minor, major] = row.split("|").slice(2, 7).map((cell) =>
        Number(cell.trim().replaceAll(",", ""))
      )
      expect(inFlight).toBeGreaterThan(0)
      expect(between).toBeGreaterThan(0)
      expect(inFlight! + between!).toBeCloseTo(wall!, 1)
      expect(minor).toBeGreaterThanOrEqual(0)
      expect(major).toBeGreaterThanOrEqual(0)
    }
  }, 120_000)
})
