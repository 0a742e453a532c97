/**
 * The message round trip the socket tests run under a fault plan: 200 messages published in batches of 20
 * (retried), then pulled 50 at a time and acknowledged until every one is, and what arrived.
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { AmsError } from "../../src/AmsError.js"
import type * as AmsHttp from "../../src/AmsHttp.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"

/** Runs an operation as one of the seed's users. */
type As = <A>(effect: Effect.Effect<A, AmsError, AmsHttp.AmsHttp>) => Effect.Effect<A, AmsError>

/**
 * Publishes `m0` ... `m199` to `t` as `publisher`, then drains `s` as `consumer`: `sent`, every payload
 * `received` (redeliveries included), and the payloads whose ack was answered (`acked`).
 */
export const roundTrip = (publisher: As, consumer: As) =>
  Effect.gen(function*() {
    const retry = { retry: Schedule.recurs(5) }
    const sent: Array<string> = []
    for (let batch = 0; batch < 10; batch++) {
      const data = Array.from({ length: 20 }, (_, i) => `m${batch * 20 + i}`)
      yield* publisher(Topic.publish("t", data.map((d) => ({ data: d })), retry))
      sent.push(...data)
    }
    const received: Array<string> = []
    const acked = new Set<string>()
    for (let round = 0; round < 50 && acked.size < sent.length; round++) {
      const pulled = yield* consumer(Subscription.pull("s", { maxMessages: 50, ...retry }))
      if (pulled.length === 0) continue
      const texts = pulled.map((r) => new TextDecoder().decode(r.message.data))
      received.push(...texts)
      // An ack whose answer was lost may have been applied: the redelivery (if any) shows in `received`.
      const ack = yield* consumer(Subscription.acknowledge("s", [pulled.at(-1)!.ackId], retry)).pipe(Effect.either)
      if (ack._tag === "Right") { for (const text of texts) acked.add(text) }
    }
    const lost = sent.filter((d) => !received.includes(d))
    const duplicated = received.length - new Set(received).size
    return { sent, received, acked, lost, duplicated }
  })
