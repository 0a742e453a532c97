// Where the time goes at volume, request by request, on the fixed-answer server: `Topic.publish` in a loop
// and `Publisher.publishAll` (500 messages of 1 KiB a request), `Subscription.pull` + `acknowledge` in a loop
// and `Subscriber.consume` (1,000 a pull), all on `AmsUndici`, next to the raw `undici.request` loops. One
// request is in flight at a time in every case, so a case's time splits into the time its requests are in
// flight (dispatched until their answer is read: the server's work, the upload of the body, and whatever
// the client runs meanwhile) and the time between them (the client's own work on the path from one answer
// to the next request). Also the garbage collector's pauses, by kind. Interleaved rounds; per message.
//
//   node bench/run.mjs bench/phases.ts [messages per round] [rounds]
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { constants, PerformanceObserver } from "node:perf_hooks"
import { Agent, type Dispatcher } from "undici"
import * as AmsUndici from "../src/AmsUndici.js"
import * as Publisher from "../src/Publisher.js"
import * as Subscriber from "../src/Subscriber.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import { rawUndici } from "./baselines.js"
import { startServer } from "./child.js"
import { project, subscription, text, token, topic } from "./fixture.js"
import { collect, format, median, table } from "./harness.js"

const count = Number(process.argv[2] ?? 20_000)
const rounds = Number(process.argv[3] ?? 5)
const publishBatch = 500
const pullBatch = 1_000

/** A keep-alive `Agent` that notes when each request is dispatched and when its answer has been read. */
class Timed extends Agent {
  /** Milliseconds the requests dispatched since the last `take` were in flight, summed. */
  private inFlight = 0

  take(): number {
    const value = this.inFlight
    this.inFlight = 0
    return value
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const dispatched = performance.now()
    const done = () => {
      this.inFlight += performance.now() - dispatched
    }
    // Either handler interface: undici 7's (`onResponseEnd`) or the one `request` uses (`onComplete`).
    const timed = new Proxy(handler, {
      get: (target, key) => {
        const value: unknown = Reflect.get(target, key)
        if (typeof value !== "function") return value
        const method = value as (...args: Array<unknown>) => unknown
        return key === "onResponseEnd" || key === "onComplete"
          ? (...args: Array<unknown>) => {
            done()
            return method.apply(target, args)
          }
          : method.bind(target)
      }
    })
    return super.dispatch(options, timed)
  }
}

interface Case {
  readonly name: string
  readonly agent: Timed
  readonly run: () => Promise<unknown>
}

interface Sample {
  readonly wall: number
  readonly inFlight: number
  readonly minor: number
  readonly major: number
}

startServer().then(async ({ origin, stop }) => {
  const rawAgent = new Timed()
  const clientAgent = new Timed()
  const raw = rawUndici(origin, rawAgent)
  const runtime = ManagedRuntime.make(
    AmsUndici.layer({ endpoint: origin, token: Redacted.make(token), project, dispatcher: clientAgent }).pipe(
      Layer.orDie
    )
  )
  const messages = Array.from({ length: count }, () => ({ data: text(1024) }))

  const cases: ReadonlyArray<Case> = [
    {
      name: `raw publish, ${publishBatch} a request`,
      agent: rawAgent,
      run: async () => {
        for (let i = 0; i < count; i += publishBatch) await raw.publish(messages.slice(i, i + publishBatch))
      }
    },
    {
      name: `\`Topic.publish\`, ${publishBatch} a request`,
      agent: clientAgent,
      run: () =>
        runtime.runPromise(Effect.gen(function*() {
          for (let i = 0; i < count; i += publishBatch) yield* Topic.publish(topic, messages.slice(i, i + publishBatch))
        }))
    },
    {
      name: `\`Publisher.publishAll\`, ${publishBatch} a request`,
      agent: clientAgent,
      run: () =>
        runtime.runPromise(Effect.scoped(Effect.gen(function*() {
          const publisher = yield* Publisher.make(topic, { maxMessages: publishBatch })
          yield* Stream.runDrain(Publisher.publishAll(publisher, Stream.fromIterable(messages)))
        })))
    },
    {
      name: `raw pull ${pullBatch} + ack`,
      agent: rawAgent,
      run: async () => {
        for (let read = 0; read < count;) {
          const received = await raw.pull(pullBatch)
          await raw.acknowledge(received.at(-1)!.ackId)
          read += received.length
        }
      }
    },
    {
      name: `\`Subscription.pull\` ${pullBatch} + \`acknowledge\``,
      agent: clientAgent,
      run: () =>
        runtime.runPromise(Effect.gen(function*() {
          for (let read = 0; read < count;) {
            const received = yield* Subscription.pull(subscription, { maxMessages: pullBatch })
            yield* Subscription.acknowledge(subscription, [received.at(-1)!.ackId])
            read += received.length
          }
        }))
    },
    {
      name: `\`Subscriber.consume\`, ${pullBatch} a pull`,
      agent: clientAgent,
      run: () =>
        runtime.runPromise(
          Subscriber.consume(subscription, () => Effect.void, { maxMessages: pullBatch, stopAfter: count })
        )
    }
  ]

  // Pauses are reported after the fact: each is billed to the case whose run it started in.
  const pauses: Array<{ readonly at: number; readonly ms: number; readonly major: boolean }> = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { readonly detail?: { readonly kind?: number } }).detail?.kind
      pauses.push({
        at: entry.startTime,
        ms: entry.duration,
        major: kind !== constants.NODE_PERFORMANCE_GC_MINOR
      })
    }
  })
  observer.observe({ entryTypes: ["gc"] })

  // One run of a case: when it ran, and how long its requests were in flight.
  const runs: Array<{ readonly index: number; readonly from: number; readonly to: number; readonly inFlight: number }> =
    []
  const once = async (index: number) => {
    const { agent, run } = cases[index]!
    collect()
    agent.take()
    const from = performance.now()
    await run()
    runs.push({ index, from, to: performance.now(), inFlight: agent.take() })
  }

  for (let i = 0; i < cases.length; i++) await once(i) // warm-up, not counted
  runs.length = 0
  for (let round = 0; round < rounds; round++) {
    const order = cases.map((_, i) => (i + round) % cases.length)
    if (round % 2 === 1) order.reverse()
    for (const i of order) await once(i)
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  observer.disconnect()

  const perCase = cases.map((): Array<Sample> => [])
  for (const { from, inFlight, index, to } of runs) {
    const during = pauses.filter(({ at }) => at >= from && at < to)
    const sum = (major: boolean) => during.reduce((ms, pause) => pause.major === major ? ms + pause.ms : ms, 0)
    perCase[index]!.push({ wall: to - from, inFlight, minor: sum(false), major: sum(true) })
  }

  const us = (ms: number) => format(ms * 1000 / count, 2)
  const rows = cases.map(({ name }, i) => {
    const of = (pick: (sample: Sample) => number) => us(median(perCase[i]!.map(pick)))
    return [
      name,
      of((s) => s.wall),
      of((s) => s.inFlight),
      of((s) => s.wall - s.inFlight),
      of((s) => s.minor),
      of((s) => s.major)
    ]
  })
  const heading = `${format(count)} messages of 1 KiB a round, medians of ${rounds} rounds, µs per message`
  console.log(`\n${heading} (Node ${process.version})\n`)
  console.log(table(
    ["case", "wall", "requests in flight", "between requests", "GC minor", "GC major"],
    rows,
    [false, true, true, true, true, true]
  ))
  await runtime.dispose()
  await Promise.all([rawAgent.close(), clientAgent.close()])
  stop()
})
