// Measuring: interleaved rounds after a warm-up, medians of wall time and of this process's CPU per operation.
import * as os from "node:os"

/** One contender of a case: `run(n)` performs the operation `n` times, one after the other. */
export interface Variant {
  /**
   * `raw`, `bare` or `client`; or `floor`: the raw code run inside an Effect (each request an
   * `Effect.promise`, each message handed to an `Effect` handler), what any Effect client costs at least.
   */
  readonly kind: "raw" | "floor" | "bare" | "client"
  readonly transport: "undici" | "fetch" | "layerFetch" | "AmsUndici"
  readonly run: (operations: number) => Promise<void>
}

/** What a variant measured: medians over the rounds, per operation. */
export interface Measured {
  readonly kind: Variant["kind"]
  readonly transport: Variant["transport"]
  /** Median wall time per operation, in microseconds. */
  readonly wallUs: number
  /** Median CPU time (user + system) of this process per operation, in microseconds. */
  readonly cpuUs: number
  /**
   * Median user CPU time per operation, in microseconds: without the kernel's share (on loopback, the
   * socket writes bill the server's receiving to the client), which both sides of a ratio pay alike.
   */
  readonly userUs: number
  /** Wall time per operation of every round, in microseconds. */
  readonly roundsUs: ReadonlyArray<number>
}

export interface Plan {
  /** Operations per round. */
  readonly operations: number
  readonly rounds: number
  /** Operations run once per variant before the first round. */
  readonly warmup: number
}

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc

/** Collects garbage when the process runs with `--expose-gc`, so one variant's garbage is not billed to the next. */
export const collect = (): void => gc?.()

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const sample = async (variant: Variant, operations: number) => {
  collect()
  const cpu = process.cpuUsage()
  const start = performance.now()
  await variant.run(operations)
  const wall = performance.now() - start
  const used = process.cpuUsage(cpu)
  return {
    wallUs: wall * 1000 / operations,
    cpuUs: (used.user + used.system) / operations,
    userUs: used.user / operations
  }
}

/**
 * Warms every variant up, then runs `rounds` rounds; each round runs every variant once, in an order that
 * rotates (and reverses every other round) so that no variant always runs first or after the same one.
 */
export const measure = async (variants: ReadonlyArray<Variant>, plan: Plan): Promise<Array<Measured>> => {
  for (const variant of variants) await variant.run(plan.warmup)
  const walls = variants.map((): Array<number> => [])
  const cpus = variants.map((): Array<number> => [])
  const users = variants.map((): Array<number> => [])
  for (let round = 0; round < plan.rounds; round++) {
    const order = variants.map((_, i) => (i + round) % variants.length)
    if (round % 2 === 1) order.reverse()
    for (const i of order) {
      const { cpuUs, userUs, wallUs } = await sample(variants[i]!, plan.operations)
      walls[i]!.push(wallUs)
      cpus[i]!.push(cpuUs)
      users[i]!.push(userUs)
    }
  }
  return variants.map((variant, i) => ({
    kind: variant.kind,
    transport: variant.transport,
    wallUs: median(walls[i]!),
    cpuUs: median(cpus[i]!),
    userUs: median(users[i]!),
    roundsUs: walls[i]!
  }))
}

/** The machine, for the JSON report. */
export const machine = () => ({
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  loadAverage: os.loadavg(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30)
})

/** Formats a number with thousands separators and `digits` decimals. */
export const format = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value)
    ? "–"
    : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** A Markdown table: numbers right-aligned, the rest left-aligned. */
export const table = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  right: ReadonlyArray<boolean>
): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, i) => right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)).join(" | ")} |`
  const rule = `|${widths.map((w, i) => right[i] ? `${"-".repeat(w + 1)}:` : `${"-".repeat(w + 2)}`).join("|")}|`
  return [line(header), rule, ...rows.map(line)].join("\n")
}
