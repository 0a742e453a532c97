/**
 * A batched publisher fed by a Stream: typed payloads encoded by a Schema, batched by count, bytes and
 * time, published in order with backpressure (the stream is read only as fast as the buffer drains),
 * each id printed as it is confirmed. Closing the scope flushes what is buffered.
 *
 *   AMS_ENDPOINT=msg.argo.grnet.gr AMS_TOKEN=... AMS_PROJECT=ARGO pnpm exec tsx examples/publisher.ts status 1000
 */
import { AmsHttp, Publisher, Retry } from "@argo-ams/client"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const topic = process.argv[2] ?? "status"
const count = Number(process.argv[3] ?? "1000")

const Ams = AmsHttp.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))

const Status = Schema.Struct({ host: Schema.String, up: Schema.Boolean, at: Schema.DateFromString })

/** Readings from a fleet of hosts: any Stream works (a file, a socket, a queue). */
const readings = Stream.range(1, count).pipe(
  Stream.map((n) => ({
    data: { host: `host-${n % 20}`, up: n % 7 !== 0, at: new Date() },
    attributes: { source: "publisher-example" }
  }))
)

const program = Effect.scoped(Effect.gen(function*() {
  const publisher = yield* Publisher.make(topic, {
    schema: Status,
    maxMessages: 200,
    maxDelay: "50 millis",
    // Retried requests may store a batch twice: consumers must tolerate duplicates (AMS is at-least-once).
    retry: Retry.backoff({ retries: 5, factor: "1 second" })
  })
  yield* Publisher.publishAll(publisher, readings).pipe(
    Stream.runForEach((id) => Console.log(`published ${id}`))
  )
  const stats = yield* publisher.stats
  yield* Console.log(
    `published ${stats.published} in ${stats.batches} requests (${stats.retried} retried, ${stats.failed} failed)`
  )
}))

NodeRuntime.runMain(program.pipe(Effect.provide(Ams)))
