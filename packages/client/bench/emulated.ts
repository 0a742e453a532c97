// End to end on the emulator, in this process: over its HTTP server (the client on undici) and in-process
// (its `HttpClient` layer), so that users can size their tests: messages per second, bytes per retained message.
import { AmsEmulator, Seed } from "@argo-ams/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as AmsHttp from "../src/AmsHttp.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import { text } from "./fixture.js"
import { collect, format, median, table } from "./harness.js"

/** What one transport measured, medians over the rounds. */
export interface Emulated {
  readonly transport: "http" | "in-process"
  readonly messages: number
  readonly publishPerSecond: number
  readonly consumePerSecond: number
  /** Heap growth of the emulator per published 1 KiB message it retains (in-process only). */
  readonly bytesPerRetainedMessage: number | undefined
}

const batch = 1_000

const heap = () => {
  collect()
  return process.memoryUsage().heapUsed
}

const seconds = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.timed(effect), ([duration]) => Math.max(Duration.toMillis(duration), 1e-3) / 1000)

/** Publishes `messages` 1 KiB messages 1,000 per request, then pulls 1,000 and acknowledges until all are read. */
const cycle = (messages: number, measureHeap: boolean) =>
  Effect.gen(function*() {
    yield* Topic.create("e2e")
    yield* Subscription.create("e2e-sub", { topic: "e2e" })
    const payload = Array.from({ length: batch }, () => ({ data: text(1024) }))
    const before = measureHeap ? heap() : 0
    const publishing = yield* seconds(Effect.gen(function*() {
      for (let sent = 0; sent < messages; sent += batch) yield* Topic.publish("e2e", payload)
    }))
    const retained = measureHeap ? (heap() - before) / messages : undefined
    const consuming = yield* seconds(Effect.gen(function*() {
      for (let read = 0; read < messages;) {
        const received = yield* Subscription.pull("e2e-sub", { maxMessages: batch })
        if (received.length === 0) return yield* Effect.dieMessage(`the emulator lost messages: ${read} of ${messages}`)
        yield* Subscription.acknowledge("e2e-sub", [received.at(-1)!.ackId])
        read += received.length
      }
    }))
    return { publishing, consuming, retained }
  })

const client = (endpoint: string) =>
  AmsHttp.layer({ endpoint, token: Redacted.make(Seed.adminToken), project: Seed.demoProject })

const overHttp = (messages: number) =>
  Effect.scoped(Effect.gen(function*() {
    const server = yield* AmsEmulator.serve({ host: "127.0.0.1", port: 0 })
    return yield* cycle(messages, false).pipe(
      Effect.provide(client(server.endpoint).pipe(Layer.provide(NodeHttpClient.layerUndici)))
    )
  }))

const inProcess = (messages: number) =>
  cycle(messages, true).pipe(
    Effect.provide(
      client("https://ams.test").pipe(Layer.provide(AmsEmulator.layer()))
    )
  )

/** Runs both transports `rounds` times, interleaved, after a warm-up round of a tenth of the messages. */
export const run = async (messages: number, rounds: number): Promise<Array<Emulated>> => {
  const runs = { http: overHttp, "in-process": inProcess } as const
  const results = { http: [] as Array<Results>, "in-process": [] as Array<Results> }
  type Results = Effect.Effect.Success<ReturnType<typeof inProcess>>
  for (const make of Object.values(runs)) await Effect.runPromise(make(Math.max(batch, messages / 10)))
  for (let round = 0; round < rounds; round++) {
    for (const transport of ["http", "in-process"] as const) {
      results[transport].push(await Effect.runPromise(runs[transport](messages)))
    }
  }
  return (["http", "in-process"] as const).map((transport) => {
    const all = results[transport]
    return {
      transport,
      messages,
      publishPerSecond: median(all.map((r) => messages / r.publishing)),
      consumePerSecond: median(all.map((r) => messages / r.consuming)),
      bytesPerRetainedMessage: transport === "http" ? undefined : median(all.map((r) => r.retained!))
    }
  })
}

export const render = (results: ReadonlyArray<Emulated>): string =>
  table(
    [
      "emulator, 1 KiB messages",
      "messages",
      "publish (1,000/request)",
      "pull 1,000 + ack",
      "heap per retained message"
    ],
    results.map((r) => [
      r.transport === "http" ? "over its HTTP server (undici)" : "in-process layer",
      format(r.messages),
      `${format(r.publishPerSecond)} msg/s`,
      `${format(r.consumePerSecond)} msg/s`,
      r.bytesPerRetainedMessage === undefined ? "–" : `${format(r.bytesPerRetainedMessage)} B`
    ]),
    [false, true, true, true, true]
  )
