/**
 * A consumer with a handler: typed JSON payloads decoded by a Schema, counters printed every 10
 * seconds, until Ctrl-C. Interruption stops pulling, lets the running handler finish, acknowledges what
 * was handled, then ends: nothing unhandled is acknowledged, nothing handled is lost.
 *
 *   AMS_ENDPOINT=msg.argo.grnet.gr AMS_TOKEN=... AMS_PROJECT=ARGO pnpm exec tsx examples/consumer.ts status-sub
 *
 * (or, against `pnpm emulator`: AMS_ENDPOINT=http://127.0.0.1:8080 and a token it prints)
 */
import { AmsHttp, Subscriber } from "@argo-ams/client"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"

const subscription = process.argv[2] ?? "status-sub"

// AMS_ENDPOINT, AMS_TOKEN (kept Redacted) and AMS_PROJECT from the environment.
const Ams = AmsHttp.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))

/** What the publisher example sends. */
const Status = Schema.Struct({ host: Schema.String, up: Schema.Boolean, at: Schema.DateFromString })

const program = Effect.gen(function*() {
  const counters = yield* Subscriber.makeCounters
  yield* counters.get.pipe(
    Effect.flatMap((s) =>
      Console.log(
        `received ${s.received}, handled ${s.handled}, acknowledged ${s.acknowledged}, ` +
          `redelivered ${s.redelivered}, handler failures ${s.handlerFailures}, skipped ${s.skipped}`
      )
    ),
    Effect.repeat(Schedule.spaced("10 seconds")),
    Effect.fork
  )
  // A handler that fails leaves its message (and the rest of its pull) unacknowledged: it comes back.
  yield* Subscriber.consume(
    subscription,
    (message) =>
      Console.log(`${message.value.at.toISOString()} ${message.value.host} is ${message.value.up ? "up" : "DOWN"}`),
    // A payload that is not a Status is acknowledged unhandled, counted and logged, never silently dropped.
    { schema: Status, onDecodeError: "skip", maxMessages: 50, counters }
  )
})

NodeRuntime.runMain(program.pipe(Effect.provide(Ams)))
