/**
 * The README demo: an AMS emulator on a loopback port, driven through the real fetch transport.
 * An admin sets up a topic and a subscription, a `Publisher` fed by a Stream sends the messages in
 * batches, a `Subscriber.consume` handler checks every one until the subscription is empty; offsets
 * are shown before and after, then a short summary.
 *
 *   pnpm demo                      # 1000 messages in batches of 100
 *   pnpm demo --messages 5000 --batch 250
 */
import { AmsHttp, Message, Publisher, Subscriber, Subscription, Topic } from "@argo-ams/client"
import { AmsEmulator, Seed } from "@argo-ams/emulator"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { parseArgs } from "node:util"

// `pnpm demo -- --messages 10` hands the script a leading "--": skip it.
const argv = process.argv.slice(2)
const { values } = parseArgs({
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: { messages: { type: "string", default: "1000" }, batch: { type: "string", default: "100" } }
})
const total = Number(values.messages)
const batch = Number(values.batch)

const topic = "demo-topic"
const subscription = "demo-sub"

/** Who calls AMS is a layer: the same program runs as any user, against any transport. */
const as = (endpoint: string, token: string) =>
  AmsHttp.layer({ endpoint, token: Redacted.make(token), project: Seed.demoProject }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )

const rate = (count: number, millis: number) => Math.round(count / Math.max(millis, 1) * 1000)

const showOffsets = (label: string) =>
  Effect.flatMap(
    Subscription.offsets(subscription),
    ({ current, max, min }) => Console.log(`  offsets ${label.padEnd(16)} min=${min} max=${max} current=${current}`)
  )

const program = Effect.gen(function*() {
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(batch) || batch < 1) {
    return yield* Effect.dieMessage("--messages and --batch take whole numbers ≥ 1")
  }
  const server = yield* AmsEmulator.serve({ host: "127.0.0.1", port: 0 })
  yield* Console.log(`AMS emulator listening on ${server.endpoint} (project "${Seed.demoProject}")`)
  const admin = as(server.endpoint, Seed.adminToken)
  const publisher = as(server.endpoint, Seed.publisherToken)
  const consumer = as(server.endpoint, Seed.consumerToken)

  // The admin creates the topic and the subscription and lets the publisher and the consumer in.
  yield* Effect.gen(function*() {
    yield* Topic.create(topic)
    yield* Subscription.create(subscription, { topic, ackDeadlineSeconds: 30 })
    yield* Topic.modifyAcl(topic, [Seed.publisherUser])
    yield* Subscription.modifyAcl(subscription, [Seed.consumerUser])
    yield* Console.log(`created topic "${topic}" and subscription "${subscription}"`)
    yield* showOffsets("before:")
  }).pipe(Effect.provide(admin))

  // The publisher streams `total` messages through a batching Publisher: `batch` per request.
  const publishStart = yield* Clock.currentTimeMillis
  const sent = yield* Effect.scoped(Effect.gen(function*() {
    const messages = yield* Publisher.make(topic, { maxMessages: batch, maxDelay: "1 second" })
    const outgoing = Stream.range(0, total - 1).pipe(
      Stream.map((n) =>
        Message.make({ data: JSON.stringify({ n, at: new Date().toISOString() }), attributes: { source: "demo" } })
      )
    )
    yield* Stream.runDrain(Publisher.publishAll(messages, outgoing))
    return yield* messages.stats
  })).pipe(Effect.provide(publisher))
  const publishMillis = (yield* Clock.currentTimeMillis) - publishStart
  yield* showOffsets("after publish:").pipe(Effect.provide(admin))

  // The consumer handles every message until the subscription is empty; each one is checked.
  const consumeStart = yield* Clock.currentTimeMillis
  const seen = new Set<number>()
  let duplicates = 0
  const consumed = yield* Subscriber.consume(subscription, (message) =>
    Effect.sync(() => {
      const { n } = JSON.parse(Message.text(message)) as { readonly n: number }
      if (seen.has(n)) duplicates++
      seen.add(n)
    }), { maxMessages: batch, stopWhenEmpty: true }).pipe(Effect.provide(consumer))
  const consumeMillis = (yield* Clock.currentTimeMillis) - consumeStart
  yield* showOffsets("after consume:").pipe(Effect.provide(admin))

  const lost = total - seen.size
  yield* Console.log(
    [
      "",
      "summary",
      `  published ${sent.published} messages in ${sent.batches} requests: ${publishMillis} ms, ` +
      `${rate(sent.published, publishMillis)} msg/s`,
      // The last pull found the subscription empty, which is what ended the consumer.
      `  consumed  ${seen.size} messages in ${consumed.pulls - 1} pull+ack rounds: ${consumeMillis} ms, ` +
      `${rate(seen.size, consumeMillis)} msg/s`,
      `  lost ${lost}, duplicated ${duplicates}`
    ].join("\n")
  )
  if (lost !== 0 || duplicates !== 0) return yield* Effect.dieMessage("the demo lost or duplicated messages")
})

NodeRuntime.runMain(Effect.scoped(program))
