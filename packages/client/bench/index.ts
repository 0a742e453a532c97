// The client benchmark: the client against the raw transports and a bare Effect program, on a fixed-answer
// AMS in a child process; then end to end on the emulator. Prints a table and writes a JSON report.
//
//   pnpm bench                      # the full run (about 2 minutes on a quiet machine)
//   pnpm bench -- --smoke           # a few operations of every case: checks that the benchmark runs
//   pnpm bench -- --consume 1000000 # Subscriber.consume's heap over a million messages (default 100,000)
//   pnpm bench -- --out report.json # where the JSON goes (default bench-results/client.json)
//   pnpm bench -- --only request    # some parts only: request, throughput, volume, memory, emulator
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { Agent } from "undici"
import * as AmsHttp from "../src/AmsHttp.js"
import * as AmsUndici from "../src/AmsUndici.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import { bare, type Outgoing, rawFetch, rawUndici } from "./baselines.js"
import { startServer } from "./child.js"
import * as Emulated from "./emulated.js"
import { project, subscription, text, token, topic } from "./fixture.js"
import { format, machine, measure, type Measured, type Plan, table, type Variant } from "./harness.js"
import * as Volume from "./volume.js"

const argv = process.argv.slice(2)
const { values } = parseArgs({
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: {
    smoke: { type: "boolean", default: false },
    rounds: { type: "string" },
    consume: { type: "string" },
    out: { type: "string" },
    only: { type: "string" }
  }
})
const smoke = values.smoke === true
const rounds = values.rounds === undefined ? (smoke ? 1 : 5) : Number(values.rounds)
const consumeCount = values.consume === undefined ? (smoke ? 2_000 : 100_000) : Number(values.consume)
const parts = new Set((values.only ?? "request,throughput,volume,memory,emulator").split(","))
const part = async <A>(name: string, run: () => Promise<A>, skipped: A): Promise<A> => parts.has(name) ? run() : skipped
const here = dirname(fileURLToPath(import.meta.url))
const out = resolve(values.out ?? resolve(here, "../../../bench-results/client.json"))

/** Operations per round, warm-up operations: a full run, or a smoke run that only proves every case runs. */
const plan = (operations: number, warmup = operations): Plan =>
  smoke ? { operations: 1, rounds, warmup: 1 } : { operations, rounds, warmup }

// ---------------------------------------------------------------------------------------------------------
// Contenders.

type Transport = "undici" | "fetch"

const transports: Record<Transport, Layer.Layer<HttpClient.HttpClient>> = {
  undici: NodeHttpClient.layerUndici,
  fetch: FetchHttpClient.layer
}

const clientLayer = (origin: string) =>
  AmsHttp.layer({ endpoint: origin, token: Redacted.make(token), project }).pipe(Layer.orDie)

const repeat =
  <E, R>(runtime: ManagedRuntime.ManagedRuntime<R, never>, make: () => Effect.Effect<unknown, E, R>) =>
  (operations: number) =>
    runtime.runPromise(Effect.gen(function*() {
      for (let i = 0; i < operations; i++) yield* make()
    }))

const loop = (make: () => Promise<unknown>) => async (operations: number) => {
  for (let i = 0; i < operations; i++) await make()
}

interface Contenders {
  readonly raw: Record<Transport, ReturnType<typeof rawUndici>>
  readonly bare: Record<Transport, ManagedRuntime.ManagedRuntime<HttpClient.HttpClient, never>>
  readonly client: Record<Transport, ManagedRuntime.ManagedRuntime<AmsHttp.AmsHttp, never>>
  /** The client on `AmsHttp.layerFetch`: `fetch` called directly, no `HttpClient`. */
  readonly direct: ManagedRuntime.ManagedRuntime<AmsHttp.AmsHttp, never>
  /** The client on `AmsUndici.layer`: undici's `request` called directly, no `HttpClient`. */
  readonly undici: ManagedRuntime.ManagedRuntime<AmsHttp.AmsHttp, never>
  readonly bareOps: ReturnType<typeof bare>
}

/** One operation written three ways. */
interface Operation {
  readonly raw: (raw: ReturnType<typeof rawUndici>) => Promise<unknown>
  readonly bare: (ops: ReturnType<typeof bare>) => Effect.Effect<unknown, unknown, HttpClient.HttpClient>
  readonly client: () => Effect.Effect<unknown, unknown, AmsHttp.AmsHttp>
}

const trio = (c: Contenders, operation: Operation, transport: Transport): Array<Variant> => [
  rawOn(c, operation, transport),
  { kind: "bare", transport, run: repeat(c.bare[transport], () => operation.bare(c.bareOps)) },
  { kind: "client", transport, run: repeat(c.client[transport], operation.client) }
]

const rawOn = (c: Contenders, operation: Operation, transport: Transport): Variant => ({
  kind: "raw",
  transport,
  run: loop(() => operation.raw(c.raw[transport]))
})

// The raw operation as an Effect program runs it: the floor under any Effect client's cost.
const floorOn = (c: Contenders, operation: Operation, transport: Transport): Variant => ({
  kind: "floor",
  transport,
  run: repeat(c.undici, () => Effect.promise(() => operation.raw(c.raw[transport])))
})

const direct = (c: Contenders, operation: Operation): Variant => ({
  kind: "client",
  transport: "layerFetch",
  run: repeat(c.direct, operation.client)
})

const amsUndici = (c: Contenders, operation: Operation): Variant => ({
  kind: "client",
  transport: "AmsUndici",
  run: repeat(c.undici, operation.client)
})

// ---------------------------------------------------------------------------------------------------------
// Cases and rows.

/** A row of the table: one case on one transport, with its goal. */
interface Row {
  readonly name: string
  readonly transport: string
  /** Messages per operation for throughput rows; `undefined` for per-request rows (microseconds). */
  readonly messages: number | undefined
  readonly raw: Measured
  /** The raw operation inside an Effect: the least an Effect client can cost. */
  readonly floor: Measured | undefined
  readonly bare: Measured | undefined
  readonly client: Measured
  /** client / raw for per-request rows (lower is better), client's msg/s / raw's for throughput rows. */
  readonly ratio: number
  /** The same ratio on this process's CPU time: steadier than wall time on a busy machine. */
  readonly cpuRatio: number
  /** `ratio` for the floor: the best ratio any Effect client could reach here. */
  readonly floorRatio: number | undefined
  /**
   * `ratio` in each round, the client against raw in the same round (they run next to each other): how
   * far a ratio moves within one run, and in how many rounds the goal was met.
   */
  readonly perRound: ReadonlyArray<number>
  readonly roundsMet: number
  readonly goal: string
  readonly met: boolean
}

const row = (
  name: string,
  measured: ReadonlyArray<Measured>,
  transport: Variant["transport"],
  messages: number | undefined,
  limit: number
): Row => {
  // The direct transports are held against the raw and bare programs on the transport they call.
  const baseline = transport === "layerFetch" ? "fetch" : transport === "AmsUndici" ? "undici" : transport
  const pick = (kind: Measured["kind"], on: Variant["transport"]) =>
    measured.find((m) => m.kind === kind && m.transport === on)
  const [raw, bareRun, client] = [pick("raw", baseline)!, pick("bare", baseline), pick("client", transport)!]
  const floor = pick("floor", baseline)
  const against = (m: Measured, per: "wallUs" | "cpuUs") =>
    messages === undefined ? m[per] / raw[per] : raw[per] / m[per]
  const ratio = against(client, "wallUs")
  const meets = (r: number) => messages === undefined ? r <= limit : r >= limit
  const perRound = client.roundsUs.map((us, i) =>
    messages === undefined ? us / raw.roundsUs[i]! : raw.roundsUs[i]! / us
  )
  return {
    name,
    transport: transportNames[transport],
    messages,
    raw,
    floor,
    bare: bareRun,
    client,
    ratio,
    cpuRatio: against(client, "cpuUs"),
    floorRatio: floor === undefined ? undefined : against(floor, "wallUs"),
    perRound,
    roundsMet: perRound.filter(meets).length,
    goal: messages === undefined ? `≤ ${limit}x` : `≥ ${limit}`,
    met: meets(ratio)
  }
}

const perRequestLimit: Record<Variant["transport"], number> = {
  undici: 1.3,
  fetch: 1.2,
  layerFetch: 1.2,
  AmsUndici: 1.3
}

const transportNames: Record<Variant["transport"], string> = {
  undici: "undici",
  fetch: "fetch",
  layerFetch: "fetch, `layerFetch`",
  AmsUndici: "undici, `AmsUndici`"
}

const messagesOf = (count: number, bytes: number): Array<Outgoing> =>
  Array.from({ length: count }, () => ({ data: text(bytes) }))

const perRequest = async (c: Contenders): Promise<Array<Row>> => {
  const one: Array<Outgoing> = [{ data: text(64), attributes: { source: "bench" } }]
  const cases: ReadonlyArray<readonly [string, Operation]> = [
    ["`Topic.get`", { raw: (r) => r.get(), bare: (b) => b.get(), client: () => Topic.get(topic) }],
    [
      "`Topic.publish`, 1 message",
      { raw: (r) => r.publish(one), bare: (b) => b.publish(one), client: () => Topic.publish(topic, one) }
    ],
    [
      "`Subscription.pull`, 1 message",
      { raw: (r) => r.pull(1), bare: (b) => b.pull(1), client: () => Subscription.pull(subscription) }
    ]
  ]
  const rows: Array<Row> = []
  for (const [name, operation] of cases) {
    const contenders = [
      ...trio(c, operation, "undici"),
      floorOn(c, operation, "undici"),
      amsUndici(c, operation),
      ...trio(c, operation, "fetch"),
      floorOn(c, operation, "fetch"),
      direct(c, operation)
    ]
    // A long warm-up: the client's path through Effect is far longer than a raw loop, and is not optimized
    // by V8 after a hundred calls; a service that sends requests all day runs it hot.
    const measured = await measure(contenders, plan(200, 1_500))
    for (const transport of ["undici", "AmsUndici", "fetch", "layerFetch"] as const) {
      rows.push(row(name, measured, transport, undefined, perRequestLimit[transport]))
      report(rows.at(-1)!)
    }
  }
  return rows
}

/** Throughput: the three on undici and the client on `AmsUndici`, and the client on `layerFetch` against raw `fetch`. */
const throughputContenders = (c: Contenders, operation: Operation) => [
  ...trio(c, operation, "undici"),
  floorOn(c, operation, "undici"),
  amsUndici(c, operation),
  rawOn(c, operation, "fetch"),
  floorOn(c, operation, "fetch"),
  direct(c, operation)
]

const throughputTransports = ["undici", "AmsUndici", "layerFetch"] as const

const throughput = async (c: Contenders): Promise<Array<Row>> => {
  const rows: Array<Row> = []
  for (const [batch, requests, warmup] of [[1, 300, 1_500], [100, 30, 30], [1_000, 6, 6]] as const) {
    const messages = messagesOf(batch, 1024)
    const operation: Operation = {
      raw: (r) => r.publish(messages),
      bare: (b) => b.publish(messages),
      client: () => Topic.publish(topic, messages)
    }
    const measured = await measure(throughputContenders(c, operation), plan(requests, warmup))
    for (const transport of throughputTransports) {
      rows.push(row(`publish, ${format(batch)} × 1 KiB per request`, measured, transport, batch, 0.9))
      report(rows.at(-1)!)
    }
  }
  const pullAck: Operation = {
    raw: async (r) => {
      const received = await r.pull(1_000)
      await r.acknowledge(received.at(-1)!.ackId)
    },
    bare: (b) => Effect.flatMap(b.pull(1_000), (received) => b.acknowledge(received.at(-1)!.ackId)),
    client: () =>
      Effect.flatMap(
        Subscription.pull(subscription, { maxMessages: 1_000 }),
        (received) => Subscription.acknowledge(subscription, [received.at(-1)!.ackId])
      )
  }
  const measured = await measure(throughputContenders(c, pullAck), plan(6))
  for (const transport of throughputTransports) {
    rows.push(row("pull 1,000 × 1 KiB + ack", measured, transport, 1_000, 0.9))
    report(rows.at(-1)!)
  }
  return rows
}

/** `Publisher`, `Subscriber.consume` and `Subscriber.stream` against raw loops, `volume` messages per round. */
const atVolume = async (c: Contenders, volume: number): Promise<Array<Row>> => {
  const clients: Volume.Clients = [
    ["undici", (effect) => c.client.undici.runPromise(effect)],
    ["AmsUndici", (effect) => c.undici.runPromise(effect)]
  ]
  const plan: Plan = { operations: 1, rounds, warmup: 1 }
  const rows: Array<Row> = []
  const published = await Volume.publisher(c.raw.undici, clients, volume, plan)
  const consumed = await Volume.subscriber(c.raw.undici, clients, volume, plan)
  for (const [transport] of clients) {
    rows.push(
      row(`\`Publisher.publishAll\`, 1 KiB, ${Volume.publishBatch} per request`, published, transport, volume, 0.9)
    )
    report(rows.at(-1)!)
  }
  for (const [transport] of clients) {
    rows.push(row("`Subscriber.consume`, 1 KiB, 1,000 per pull", consumed, transport, volume, 0.9))
    report(rows.at(-1)!)
  }
  const streamed = await Volume.streamer(c.raw.undici, clients, volume, plan)
  for (const [transport] of clients) {
    rows.push(row("`Subscriber.stream`, 1 KiB, 1,000 per pull, acked one by one", streamed, transport, volume, 0.9))
    report(rows.at(-1)!)
  }
  return rows
}

// ---------------------------------------------------------------------------------------------------------
// Output.

const report = (r: Row) =>
  console.log(
    `  ${r.name} on ${r.transport}: raw ${cell(r, r.raw)}, floor ${cell(r, r.floor)}, bare ${cell(r, r.bare)}, ` +
      `client ${cell(r, r.client)}; ` +
      `ratio ${format(r.ratio, 2)}, ${spread(r)} by round (goal ${r.goal}: ${r.met ? "met" : "missed"})`
  )

/** The lowest and highest ratio of the rounds, and how many rounds met the goal: `0.62–0.81 (0 of 5)`. */
const spread = (r: Row) =>
  `${ratioCell(r, Math.min(...r.perRound))}–${ratioCell(r, Math.max(...r.perRound))} ` +
  `(${r.roundsMet} of ${r.perRound.length})`

const cell = (r: Row, m: Measured | undefined) =>
  m === undefined
    ? "–"
    : r.messages === undefined
    ? `${format(m.wallUs)} µs`
    : `${format(r.messages * 1e6 / m.wallUs)} msg/s`

const cpu = (r: Row, m: Measured | undefined) =>
  m === undefined ? "–" : r.messages === undefined ? format(m.cpuUs) : format(m.cpuUs / r.messages, 1)

const ratioCell = (r: Row, ratio: number) => r.messages === undefined ? `${format(ratio, 2)}x` : format(ratio, 2)

const render = (rows: ReadonlyArray<Row>) =>
  table(
    [
      "case",
      "transport",
      "raw",
      "bare Effect",
      "client",
      "client / raw",
      "by round (rounds met)",
      "floor / raw",
      "goal",
      "CPU client / raw",
      "CPU µs per request (per message) raw / bare / client"
    ],
    rows.map((r) => [
      r.name,
      r.transport,
      cell(r, r.raw),
      cell(r, r.bare),
      cell(r, r.client),
      ratioCell(r, r.ratio),
      spread(r),
      r.floorRatio === undefined ? "–" : ratioCell(r, r.floorRatio),
      `${r.goal} ${r.met ? "met" : "**missed**"}`,
      ratioCell(r, r.cpuRatio),
      `${cpu(r, r.raw)} / ${cpu(r, r.bare)} / ${cpu(r, r.client)}`
    ]),
    [false, false, true, true, true, true, true, true, false, true, true]
  )

// ---------------------------------------------------------------------------------------------------------

const main = async () => {
  const began = Date.now()
  const server = await startServer()
  const agent = new Agent()
  const runtimes = <R>(layer: (transport: Transport) => Layer.Layer<R>) => ({
    undici: ManagedRuntime.make(layer("undici")),
    fetch: ManagedRuntime.make(layer("fetch"))
  })
  const contenders: Contenders = {
    raw: { undici: rawUndici(server.origin, agent), fetch: rawFetch(server.origin) },
    bare: runtimes((t) => transports[t]),
    client: runtimes((t) => clientLayer(server.origin).pipe(Layer.provide(transports[t]))),
    direct: ManagedRuntime.make(
      AmsHttp.layerFetch({ endpoint: server.origin, token: Redacted.make(token), project }).pipe(Layer.orDie)
    ),
    undici: ManagedRuntime.make(
      AmsUndici.layer({ endpoint: server.origin, token: Redacted.make(token), project }).pipe(Layer.orDie)
    ),
    bareOps: bare(server.origin)
  }
  try {
    console.log(`client benchmark${smoke ? " (smoke)" : ""}: ${rounds} rounds, server ${server.origin}`)
    const rows = [
      ...await part("request", () => perRequest(contenders), []),
      ...await part("throughput", () => throughput(contenders), []),
      ...await part("volume", () => atVolume(contenders, smoke ? 1_000 : 20_000), [])
    ]
    const memory = await part("memory", async () => ({
      publisherBuffered: await Volume.bufferedHeap(smoke ? 1_000 : 10_000),
      consume: await Volume.consumeHeap(
        (effect) => contenders.client.undici.runPromise(effect),
        consumeCount
      )
    }), undefined)
    const emulated = await part("emulator", () => Emulated.run(smoke ? 2_000 : 10_000, smoke ? 1 : 3), [])
    console.log()
    console.log(render(rows))
    console.log()
    console.log(Emulated.render(emulated))
    const document = {
      date: new Date().toISOString(),
      machine: machine(),
      smoke,
      rounds,
      seconds: (Date.now() - began) / 1000,
      rows,
      memory,
      emulator: emulated
    }
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, JSON.stringify(document, null, 2))
    console.log(`\n${format(document.seconds)} s; report written to ${out}`)
  } finally {
    await Promise.all([
      ...Object.values(contenders.bare).map((runtime) => runtime.dispose()),
      ...Object.values(contenders.client).map((runtime) => runtime.dispose()),
      contenders.direct.dispose(),
      contenders.undici.dispose(),
      agent.close()
    ])
    server.stop()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
