// Profiles the volume cases one at a time: `node --cpu-prof bench/run.mjs bench/volprof.ts <case> [messages]`,
// cases `publisher`, `consume`, `publish100`, `publish500`, `publish1000`, `pull1000`, and without a network
// (an AmsHttp that answers from memory) `consume-memory`, `pull-memory`, `publisher-memory`,
// `publish500-memory`, `offer-memory`; prints CPU µs per message. `TRANSPORT=AmsUndici` runs them on `AmsUndici.layer`
// instead of `NodeHttpClient.layerUndici`. Run it through bench/run.mjs to measure compiled code.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as AmsHttp from "../src/AmsHttp.js"
import * as AmsUndici from "../src/AmsUndici.js"
import * as Publisher from "../src/Publisher.js"
import * as Subscriber from "../src/Subscriber.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import { startServer } from "./child.js"
import { project, subscription, text, token, topic } from "./fixture.js"

const which = process.argv[2] ?? "publisher"
const count = Number(process.argv[3] ?? 20_000)

startServer().then(async ({ origin, stop }) => {
  const options = { endpoint: origin, token: Redacted.make(token), project }
  const layer = process.env.TRANSPORT === "AmsUndici"
    ? Layer.orDie(AmsUndici.layer(options))
    : AmsHttp.layer(options).pipe(Layer.provide(NodeHttpClient.layerUndici))
  const runtime = ManagedRuntime.make(layer)
  const messages = Array.from({ length: count }, () => ({ data: text(1024) }))
  const batches = (size: number) =>
    Effect.gen(function*() {
      for (let i = 0; i < count; i += size) yield* Topic.publish(topic, messages.slice(i, i + size))
    })
  // An AmsHttp that answers pulls from memory, already decoded: what `consume` costs on its own.
  const payload = new Uint8Array(1024)
  let next = 0
  const inMemory = Layer.succeed(AmsHttp.AmsHttp, {
    baseUrl: "http://127.0.0.1:9/v1",
    project,
    execute: <A, I>(request: AmsHttp.AmsRequest<A, I>) =>
      Effect.sync(() => {
        if (request.path.endsWith(":publish")) {
          return { messageIds: (request.body as { messages: Array<unknown> }).messages.map((_, i) => String(i)) } as A
        }
        if (!request.path.endsWith(":pull")) return {} as A
        const max = Number((request.body as { maxMessages: string }).maxMessages)
        const receivedMessages = Array.from({ length: max }, (_, i) => ({
          ackId: `projects/${project}/subscriptions/${subscription}:${next + i}`,
          message: {
            messageId: String(next + i),
            data: payload,
            rawData: "",
            attributes: {},
            publishTime: undefined,
            rawPublishTime: ""
          }
        }))
        next += max
        return { receivedMessages } as A
      })
  })
  const cases: Record<string, () => Effect.Effect<unknown, unknown, AmsHttp.AmsHttp>> = {
    "consume-memory": () =>
      Effect.provide(
        Subscriber.consume(subscription, () => Effect.void, {
          maxMessages: 1_000,
          stopAfter: count,
          ackDeadlineSeconds: 60
        }),
        inMemory
      ),
    publisher: () =>
      Effect.scoped(Effect.gen(function*() {
        const publisher = yield* Publisher.make(topic, { maxMessages: 500 })
        yield* Stream.runDrain(
          Publisher.publishAll(publisher, Stream.fromIterable(messages), {
            inFlight: Number(process.env.INFLIGHT ?? 10_000)
          })
        )
      })),
    consume: () => Subscriber.consume(subscription, () => Effect.void, { maxMessages: 1_000, stopAfter: count }),
    "pull-memory": () =>
      Effect.provide(
        Effect.gen(function*() {
          for (let read = 0; read < count;) {
            const r = yield* Subscription.pull(subscription, { maxMessages: 1000 })
            yield* Subscription.acknowledge(subscription, [r.at(-1)!.ackId])
            read += r.length
          }
        }),
        inMemory
      ),
    "publisher-memory": () =>
      Effect.provide(
        Effect.scoped(Effect.gen(function*() {
          const publisher = yield* Publisher.make(topic, { maxMessages: 500 })
          yield* Stream.runDrain(Publisher.publishAll(publisher, Stream.fromIterable(messages)))
        })),
        inMemory
      ),
    "publish500-memory": () => Effect.provide(batches(500), inMemory),
    // `offer` one message at a time, as concurrent `publish` callers do, 500 offered then awaited.
    "offer-memory": () =>
      Effect.provide(
        Effect.scoped(Effect.gen(function*() {
          const publisher = yield* Publisher.make(topic, { maxMessages: 500 })
          for (let i = 0; i < count; i += 500) {
            yield* Effect.all(yield* Effect.forEach(messages.slice(i, i + 500), publisher.offer))
          }
        })),
        inMemory
      ),
    publish100: () => batches(100),
    publish1000: () => batches(1000),
    publish500: () => batches(500),
    pull1000: () =>
      Effect.gen(function*() {
        for (let read = 0; read < count;) {
          const r = yield* Subscription.pull(subscription, { maxMessages: 1000 })
          yield* Subscription.acknowledge(subscription, [r.at(-1)!.ackId])
          read += r.length
        }
      })
  }
  for (let round = 0; round < 4; round++) {
    const cpu = process.cpuUsage()
    const start = performance.now()
    await runtime.runPromise(cases[which]!())
    const wall = performance.now() - start
    const used = process.cpuUsage(cpu)
    console.log(
      `${which} round ${round}: ${(wall * 1000 / count).toFixed(1)} µs wall, ` +
        `${((used.user + used.system) / count).toFixed(1)} µs CPU per message`
    )
  }
  await runtime.dispose()
  stop()
})
