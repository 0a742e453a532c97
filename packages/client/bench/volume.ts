// At volume: `Publisher` against raw posting at the same batch size, `Subscriber.consume` and `.stream` against a raw
// pull-1,000-then-ack loop, and the memory the two hold (per buffered message; flat while consuming).
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as AmsHttp from "../src/AmsHttp.js"
import * as Publisher from "../src/Publisher.js"
import * as Subscriber from "../src/Subscriber.js"
import type { Outgoing, Raw } from "./baselines.js"
import { project, subscription, text, topic } from "./fixture.js"
import { collect, format, measure, type Measured, type Plan, type Variant } from "./harness.js"

type Run = <A, E>(effect: Effect.Effect<A, E, AmsHttp.AmsHttp>) => Promise<A>

/** The client on each transport measured: the transport's name and how to run a program on it. */
export type Clients = ReadonlyArray<readonly [transport: Variant["transport"], run: Run]>

/** The publisher's batch: 500 messages of 1 KiB (about 700 KB of JSON, under its 1 MB `maxBytes`). */
export const publishBatch = 500

const mib = (bytes: number) => bytes / 2 ** 20

const heap = () => {
  collect()
  return process.memoryUsage().heapUsed
}

/**
 * `Publisher.publishAll` of `count` messages against the same messages posted `publishBatch` at a time,
 * by hand and inside an Effect (the floor).
 */
export const publisher = (raw: Raw, clients: Clients, count: number, plan: Plan): Promise<Array<Measured>> => {
  const messages: Array<Outgoing> = Array.from({ length: count }, () => ({ data: text(1024) }))
  const variants: Array<Variant> = [
    {
      kind: "raw",
      transport: "undici",
      run: async (rounds) => {
        for (let r = 0; r < rounds; r++) {
          for (let i = 0; i < messages.length; i += publishBatch) await raw.publish(messages.slice(i, i + publishBatch))
        }
      }
    },
    {
      kind: "floor",
      transport: "undici",
      run: (rounds) =>
        clients[0]![1](Effect.gen(function*() {
          for (let r = 0; r < rounds; r++) {
            for (let i = 0; i < messages.length; i += publishBatch) {
              yield* Effect.promise(() => raw.publish(messages.slice(i, i + publishBatch)))
            }
          }
        }))
    },
    ...clients.map(([transport, run]): Variant => ({
      kind: "client",
      transport,
      run: (rounds) =>
        run(Effect.scoped(Effect.gen(function*() {
          const publisher = yield* Publisher.make(topic, { maxMessages: publishBatch })
          for (let r = 0; r < rounds; r++) {
            yield* Stream.runDrain(Publisher.publishAll(publisher, Stream.fromIterable(messages)))
          }
        })))
    }))
  ]
  return measure(variants, plan)
}

/** The raw pull-1,000-then-ack loop, by hand, until `count` messages a round are read. */
const rawPullAck = (raw: Raw, count: number): Variant => ({
  kind: "raw",
  transport: "undici",
  run: async (rounds) => {
    for (let read = 0; read < count * rounds;) {
      const received = await raw.pull(1_000)
      await raw.acknowledge(received.at(-1)!.ackId)
      read += received.length
    }
  }
})

/**
 * `Subscriber.consume` of `count` messages (1,000 a pull) against a raw pull-1,000-then-ack loop, by hand
 * and inside an Effect with an Effect handler per message (the floor).
 */
export const subscriber = (raw: Raw, clients: Clients, count: number, plan: Plan): Promise<Array<Measured>> => {
  const variants: Array<Variant> = [
    rawPullAck(raw, count),
    {
      // Each message handed to an Effect handler, as a consumer must: the least a consume loop costs.
      kind: "floor",
      transport: "undici",
      run: (rounds) =>
        clients[0]![1](Effect.gen(function*() {
          for (let read = 0; read < count * rounds;) {
            const received = yield* Effect.promise(() => raw.pull(1_000))
            yield* Effect.forEach(received, () => Effect.void, { discard: true })
            yield* Effect.promise(() => raw.acknowledge(received.at(-1)!.ackId))
            read += received.length
          }
        }))
    },
    ...clients.map(([transport, run]): Variant => ({
      kind: "client",
      transport,
      run: (rounds) =>
        run(Subscriber.consume(subscription, () => Effect.void, { maxMessages: 1_000, stopAfter: count * rounds }))
          .then(() => undefined)
    }))
  ]
  return measure(variants, plan)
}

/**
 * `Subscriber.stream` of `count` messages (1,000 a pull), each delivery acked as it comes, against the raw
 * pull-1,000-then-ack loop.
 */
export const streamer = (raw: Raw, clients: Clients, count: number, plan: Plan): Promise<Array<Measured>> => {
  const variants: Array<Variant> = [
    rawPullAck(raw, count),
    ...clients.map(([transport, run]): Variant => ({
      kind: "client",
      transport,
      run: (rounds) =>
        run(Stream.runDrain(Stream.mapEffect(
          Subscriber.stream(subscription, { maxMessages: 1_000, stopAfter: count * rounds }),
          (delivery) => delivery.ack
        )))
    }))
  ]
  return measure(variants, plan)
}

/**
 * The heap a `Publisher` holds per buffered message: `count` messages offered to a publisher whose
 * requests get no answer until the heap is measured, so that all but the first batch stay in its buffer.
 */
export const bufferedHeap = (count: number) =>
  Effect.runPromise(Effect.gen(function*() {
    const release = yield* Deferred.make<void>()
    const held = Layer.succeed(AmsHttp.AmsHttp, {
      baseUrl: "http://127.0.0.1:9/v1",
      project,
      // Each publish waits for `release`, then stores everything it carried.
      execute: <A, I>(request: AmsHttp.AmsRequest<A, I>) =>
        Effect.as(
          Deferred.await(release),
          { messageIds: (request.body as { messages: Array<unknown> }).messages.map((_, i) => String(i)) } as A
        )
    })
    const message = { data: text(1024) }
    return yield* Effect.scoped(Effect.gen(function*() {
      // Room for every message: the bound under test is `bufferMessages`, not `bufferBytes`.
      const publisher = yield* Publisher.make(topic, {
        bufferMessages: count,
        bufferBytes: count * 4_096,
        maxMessages: 100
      })
      const before = heap()
      for (let i = 0; i < count; i++) yield* publisher.offer(message)
      const after = heap()
      const stats = yield* publisher.stats
      yield* Deferred.succeed(release, undefined)
      const result = { messages: count, buffered: stats.buffered, bytesPerMessage: (after - before) / count }
      console.log(
        `Publisher: ${format(result.buffered)} messages of 1 KiB buffered: ` +
          `${format(result.bytesPerMessage)} bytes of heap each`
      )
      return result
    })).pipe(Effect.provide(held))
  }))

/** The heap while `Subscriber.consume` handles `count` messages: sampled after a collection, ten times. */
export const consumeHeap = async (run: Run, count: number) => {
  const samples: Array<number> = []
  const every = Math.max(1_000, Math.floor(count / 10))
  let handled = 0
  const start = performance.now()
  await run(Subscriber.consume(subscription, () =>
    Effect.sync(() => {
      if (handled++ % every === 0) samples.push(mib(heap()))
    }), { maxMessages: 1_000, stopAfter: count }))
  samples.push(mib(heap()))
  const result = {
    messages: count,
    seconds: (performance.now() - start) / 1000,
    heapMiB: { first: samples[0]!, max: Math.max(...samples), last: samples.at(-1)! },
    samplesMiB: samples
  }
  console.log(
    `Subscriber.consume of ${format(count)} messages: heap ${format(result.heapMiB.first, 1)} MiB → ` +
      `${format(result.heapMiB.last, 1)} MiB (max ${format(result.heapMiB.max, 1)}) in ${format(result.seconds, 1)} s`
  )
  return result
}
