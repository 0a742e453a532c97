/**
 * Subscriber: consumes a subscription at volume under AMS's rules (ams-api.md §6): one pull in flight,
 * a handler per message, and one cumulative acknowledgement per pull that covers only the longest
 * prefix handled, sent before the ack deadline. At least once, nothing lost, order kept.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricKey from "effect/MetricKey"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Take from "effect/Take"
import type { AmsError } from "./AmsError.js"
import { AmsDecodeError, isRetryable } from "./AmsError.js"
import * as AmsHttp from "./AmsHttp.js"
import * as Payload from "./internal/payload.js"
import { excerpt } from "./internal/response.js"
import type * as Message from "./Message.js"
import * as Subscription from "./Subscription.js"
import * as Topic from "./Topic.js"

/**
 * What a subscriber has done so far.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  /** Messages returned by pulls, redeliveries included. */
  readonly received: number
  /** Handler calls that succeeded (for `stream`: elements acked). */
  readonly handled: number
  /** Handled, skipped or dead-lettered messages known to be acknowledged (the cursor passed them). */
  readonly acknowledged: number
  /** Received messages this subscriber had received before. */
  readonly redelivered: number
  /** Handler calls that failed (for `stream`: elements nacked), and dead-letter publishes that failed. */
  readonly handlerFailures: number
  /** Acknowledgements AMS refused as too late (`408 ack timeout`). */
  readonly ackTimeouts: number
  /** Acknowledgements whose outcome is unknown (dropped connection, balancer page): the next pull tells. */
  readonly inDoubtAcks: number
  /** Acknowledgements AMS refused otherwise (`no ack pending`, `wrong ack`: another consumer pulled). */
  readonly ackRejected: number
  /** Messages that did not decode and were acknowledged unhandled (`onDecodeError: "skip"`). */
  readonly skipped: number
  /** Messages that did not decode and were published to the dead-letter topic. */
  readonly deadLettered: number
  /** Pull requests that succeeded. */
  readonly pulls: number
}

const zero: Stats = {
  received: 0,
  handled: 0,
  acknowledged: 0,
  redelivered: 0,
  handlerFailures: 0,
  ackTimeouts: 0,
  inDoubtAcks: 0,
  ackRejected: 0,
  skipped: 0,
  deadLettered: 0,
  pulls: 0
}

/**
 * Counters to read while a subscriber runs: make them, pass them as `{ counters }`, read `get`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly get: Effect.Effect<Stats>
  /** Adds to the counters (what the subscriber does as it goes). */
  readonly add: (changes: Partial<Stats>) => Effect.Effect<void>
}

/**
 * Fresh counters, all zero.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCounters: Effect.Effect<Counters> = Effect.sync(() => {
  // Plain state: each change runs inside one `Effect.sync`, so it is atomic; `get` hands out a copy.
  const state: { -readonly [K in keyof Stats]: number } = { ...zero }
  const counters: Counters & Tally = {
    get: Effect.sync(() => ({ ...state })),
    add: (changes) => Effect.sync(() => add(state, changes)),
    [tally]: (key) => {
      state[key]++
    }
  }
  return counters
})

const add = (state: { -readonly [K in keyof Stats]: number }, changes: Partial<Stats>) => {
  for (const key of Object.keys(changes) as Array<keyof Stats>) state[key] += changes[key] ?? 0
}

/**
 * Counters made by `makeCounters` also count one message at a time without an effect: the subscriber
 * does so inside a step of its own fiber (so the change is as atomic as `add`'s), once per message.
 */
const tally = Symbol.for("@argo-ams/client/Subscriber/tally")
interface Tally {
  readonly [tally]: (key: keyof Stats) => void
}
const tallyOf = (counters: Counters): Tally[typeof tally] | undefined =>
  tally in counters ? (counters as Counters & Tally)[tally] : undefined

// The metrics are made from their keys, so that the tagged ones can be keys too: `Metric.tagged` builds
// a new label list on every update, and each update then looks its metric up in the registry again.
const counterKey = (name: keyof Stats, description: string) =>
  MetricKey.counter(`ams.subscriber.${name}`, { description, incremental: true })

const keys: { readonly [K in keyof Stats]: MetricKey.MetricKey.Counter<number> } = {
  received: counterKey("received", "messages returned by pulls"),
  handled: counterKey("handled", "handler calls that succeeded"),
  acknowledged: counterKey("acknowledged", "messages known to be acknowledged"),
  redelivered: counterKey("redelivered", "messages received again"),
  handlerFailures: counterKey("handlerFailures", "handler calls that failed"),
  ackTimeouts: counterKey("ackTimeouts", "acknowledgements refused as too late"),
  inDoubtAcks: counterKey("inDoubtAcks", "acknowledgements with an unknown outcome"),
  ackRejected: counterKey("ackRejected", "acknowledgements refused by AMS"),
  skipped: counterKey("skipped", "undecodable messages acknowledged unhandled"),
  deadLettered: counterKey("deadLettered", "undecodable messages sent to the dead-letter topic"),
  pulls: counterKey("pulls", "pull requests that succeeded")
}

/**
 * The subscriber's Effect metrics, one counter per field of `Stats`, tagged `ams.subscription`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics: { readonly [K in keyof Stats]: Metric.Metric.Counter<number> } = Object.fromEntries(
  (Object.keys(keys) as Array<keyof Stats>).map((key) => [key, Metric.fromMetricKey(keys[key])])
) as { readonly [K in keyof Stats]: Metric.Metric.Counter<number> }

/**
 * A message whose data was decoded by the subscriber's `schema`: the message, plus `value`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Typed<A> extends Message.Message {
  readonly value: A
}

/**
 * What to do with a message whose data does not decode: `"fail"` (the default) acknowledges the
 * handled messages before it and fails the consumer with `AmsDecodeError`, leaving the message on the
 * subscription; `"skip"` acknowledges it unhandled (counted in `skipped`, logged at Warning);
 * `{ deadLetter: topic }` publishes it (data and attributes, plus `ams-dead-letter-subscription` and
 * `ams-dead-letter-message-id`) to that topic, then acknowledges it. A failed dead-letter publish is
 * a handler failure: the message comes back.
 *
 * @since 0.1.0
 * @category models
 */
export type DecodePolicy = "fail" | "skip" | { readonly deadLetter: string }

/**
 * Options of `consume` and `stream`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The subscription's project (default: the `AmsHttp` layer's). */
  readonly project?: string | undefined
  /** The most messages per pull (default 100). */
  readonly maxMessages?: number | undefined
  /**
   * How many handlers run at once (default 1: in order). With more, acknowledgements still cover only
   * the contiguous handled prefix of each pull.
   */
  readonly concurrency?: number | undefined
  /** The subscription's ack deadline; by default it is read once with `Subscription.get`. */
  readonly ackDeadlineSeconds?: number | undefined
  /**
   * How long before the ack deadline the handled prefix is acknowledged when a batch takes longer
   * (default 2 seconds, at most half the deadline).
   */
  readonly ackMargin?: Duration.DurationInput | undefined
  /**
   * The pause after an empty pull, reset by the next message (default: 100 ms doubling up to 5 s,
   * forever). When it ends, the consumer ends.
   */
  readonly idle?: Schedule.Schedule<unknown, void> | undefined
  /**
   * How pulls (and dead-letter publishes) are retried; only retryable errors are (default: 100 ms
   * doubling up to 10 s, forever). Acknowledgements are never retried: the next pull tells.
   */
  readonly retry?: Schedule.Schedule<unknown, AmsError> | undefined
  /** Stop once this many messages are handled (skipped and dead-lettered ones count too). */
  readonly stopAfter?: number | undefined
  /** Stop at the first empty pull: the subscription is drained. */
  readonly stopWhenEmpty?: boolean | undefined
  /**
   * On interruption: let running handlers finish before acknowledging (default `true`), or interrupt
   * them (their messages come back).
   */
  readonly finishInFlight?: boolean | undefined
  /** Counters to read while it runs (`makeCounters`). */
  readonly counters?: Counters | undefined
}

/**
 * Options with a typed payload.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypedOptions<A, I, R> extends Options {
  /** Decodes each message's data before the handler sees it (as `value`). */
  readonly schema: Schema.Schema<A, I, R>
  /** How the data carries the value: `json` (default), `text` or `bytes`. */
  readonly format?: Payload.Format | undefined
  /** What to do with a message that does not decode (default `"fail"`). */
  readonly onDecodeError?: DecodePolicy | undefined
}

/**
 * The defaults of `consume` and `stream`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  maxMessages: 100,
  concurrency: 1,
  ackMargin: Duration.seconds(2)
} as const

/**
 * The default pause after an empty pull: 100 ms doubling, at most 5 s, forever.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultIdle: Schedule.Schedule<unknown, void> = Schedule.exponential(Duration.millis(100), 2).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(5)))
)

/**
 * The default retry of pulls: 100 ms doubling, at most 10 s, forever.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetry: Schedule.Schedule<unknown, AmsError> = Schedule.exponential(Duration.millis(100), 2).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(10)))
)

/** What the subscriber makes of a pulled message before delivering it. */
type Prepared<M> =
  | { readonly _tag: "Deliver"; readonly message: M }
  | { readonly _tag: "Skip"; readonly reason: string }
  | { readonly _tag: "DeadLetter"; readonly topic: string; readonly reason: string }
  | { readonly _tag: "Fatal"; readonly error: AmsDecodeError }

/**
 * How messages reach the user: the subscriber runs a handler for each (`consume`), or hands each
 * pull's messages out as deliveries that settle when acked or nacked (`stream`).
 */
type Engine<M, R> = Handlers<M, R> | HandOut<M>

/** `consume`: a handler per message, `concurrency` at a time. */
interface Handlers<M, R> {
  readonly _tag: "Handlers"
  /**
   * Made once per consumer, with the counters handlers see: runs a delivered message's handler and
   * says whether it was handled.
   */
  readonly handle: (counters: Counters) => (message: M) => Effect.Effect<boolean, never, R>
  readonly finishInFlight: boolean
  readonly concurrency: number
}

/** `stream`: each pull's deliveries go out at once, in order, as one chunk. */
interface HandOut<M> {
  readonly _tag: "HandOut"
  readonly emit: (deliveries: ReadonlyArray<Delivery<M>>) => Effect.Effect<void>
}

/** The offset of a received message, from its ack id (`projects/P/subscriptions/S:<offset>`). */
const offsetOf = (received: Message.Received): number =>
  Number(received.ackId.slice(received.ackId.lastIndexOf(":") + 1))

const whole = (name: string, value: number, min: number): Effect.Effect<number> =>
  Number.isSafeInteger(value) && value >= min
    ? Effect.succeed(value)
    : Effect.dieMessage(`Subscriber: ${name} must be a whole number ≥ ${min}, not ${value}`)

const prepareWith = <A, I, R>(
  name: string,
  options: TypedOptions<A, I, R>
): (received: Message.Received) => Effect.Effect<Prepared<Typed<A>>, never, R> => {
  const decode = Payload.decode(options.schema, options.format ?? "json")
  const policy = options.onDecodeError ?? "fail"
  return (received) =>
    decode(received.message.data).pipe(
      Effect.match({
        onSuccess: (value): Prepared<Typed<A>> => ({ _tag: "Deliver", message: { ...received.message, value } }),
        onFailure: (reason): Prepared<Typed<A>> => {
          if (policy === "skip") return { _tag: "Skip", reason }
          if (policy !== "fail") return { _tag: "DeadLetter", topic: policy.deadLetter, reason }
          return {
            _tag: "Fatal",
            error: new AmsDecodeError({
              operation: "subscriber.decode",
              expected: reason,
              excerpt: excerpt(received.message.rawData),
              message: `subscriber.decode: message ${received.message.messageId} of ${name} does not decode: ${reason}`
            })
          }
        }
      })
    )
}

// Plain, not an Effect: the untyped case is the hot one.
const untyped = (received: Message.Received): Prepared<Message.Message> => ({
  _tag: "Deliver",
  message: received.message
})

/**
 * How messages are prepared for the handler. Without a schema the untyped overloads are the ones in
 * play, whose handlers take a plain `Message`: the cast only names that case in the typed signature.
 */
const preparer = <A, I, RS>(
  subscription: string,
  options: Options | TypedOptions<A, I, RS> | undefined
): Prepare<Typed<A>, RS> =>
  options !== undefined && "schema" in options
    ? prepareWith(subscription, options)
    : (untyped as unknown as Prepare<Typed<A>, never>)

/** What a message becomes before delivery: at once (no schema) or by an effect (decoding). */
type Prepare<M, R> = (received: Message.Received) => Prepared<M> | Effect.Effect<Prepared<M>, never, R>

/** The consumer loop shared by `consume` and `stream`. */
const run = <M, R, RP>(
  name: string,
  options: Options | undefined,
  prepare: Prepare<M, RP>,
  engine: Engine<M, R>,
  counters: Counters
): Effect.Effect<Stats, AmsError, AmsHttp.AmsHttp | R | RP> =>
  Effect.gen(function*() {
    const http = yield* AmsHttp.AmsHttp
    const project = options?.project ?? http.project
    const retry = options?.retry ?? defaultRetry
    const maxMessages = yield* whole("maxMessages", options?.maxMessages ?? defaults.maxMessages, 1)
    const stopAfter = options?.stopAfter === undefined ? undefined : yield* whole("stopAfter", options.stopAfter, 0)
    const deadlineSeconds = options?.ackDeadlineSeconds ??
      (yield* Subscription.get(name, { project, retry })).ackDeadlineSeconds
    const deadlineMillis = deadlineSeconds * 1000
    const marginMillis = Math.min(Duration.toMillis(options?.ackMargin ?? defaults.ackMargin), deadlineMillis / 2)
    const idle = yield* Schedule.driver(options?.idle ?? defaultIdle)

    const tagged = Object.fromEntries(
      (Object.keys(metrics) as Array<keyof Stats>).map((key) => [
        key,
        Metric.fromMetricKey(MetricKey.tagged(keys[key], "ams.subscription", name))
      ])
    ) as Record<keyof Stats, Metric.Metric.Counter<number>>
    const count = (changes: Partial<Stats>) =>
      Effect.zipRight(
        counters.add(changes),
        Effect.suspend(() => {
          const changed = Object.keys(changes) as Array<keyof Stats>
          return changed.length === 1
            ? Metric.incrementBy(tagged[changed[0]], changes[changed[0]] ?? 0)
            : Effect.forEach(changed, (key) => Metric.incrementBy(tagged[key], changes[key] ?? 0), { discard: true })
        })
      )

    // The loop's state is local and plain: JavaScript runs one fiber at a time, and a handler fiber only
    // writes its own slot of a batch. Offsets handled (or skipped, or dead-lettered) whose
    // acknowledgement is not known to have happened:
    const unconfirmed = new Set<number>()
    let highest = -1
    let settled = 0

    /** The cursor is at `offset` (or at the end): everything unconfirmed below it was acknowledged. */
    const confirmBelow = (offset: number) =>
      Effect.suspend(() => {
        let n = 0
        for (const o of unconfirmed) {
          if (o < offset) {
            unconfirmed.delete(o)
            n++
          }
        }
        return n === 0 ? Effect.void : count({ acknowledged: n })
      })

    const pull = (limit: number) =>
      Effect.zip(
        Clock.currentTimeMillis,
        Subscription.pull(name, { project, maxMessages: limit, returnImmediately: true })
      ).pipe(
        Effect.retry({ schedule: retry, while: isRetryable }),
        Effect.tap(([, batch]) =>
          Effect.suspend(() => {
            if (batch.length === 0) return Effect.zipRight(count({ pulls: 1 }), confirmBelow(Number.POSITIVE_INFINITY))
            let again = 0
            for (const received of batch) {
              const offset = offsetOf(received)
              if (offset <= highest) again++
              else highest = offset
            }
            return Effect.zipRight(
              count({ pulls: 1, received: batch.length, redelivered: again }),
              confirmBelow(offsetOf(batch[0]))
            )
          })
        )
      )

    /** Acknowledges the first `k` messages of a pull (the highest id covers the rest); never fails. */
    const ack = (batch: ReadonlyArray<Message.Received>, k: number): Effect.Effect<boolean, never, AmsHttp.AmsHttp> =>
      Subscription.acknowledge(name, [batch[k - 1].ackId], { project }).pipe(
        Effect.zipRight(Effect.suspend(() => {
          if (unconfirmed.size > 0) { for (let i = 0; i < k; i++) unconfirmed.delete(offsetOf(batch[i])) }
          return count({ acknowledged: k })
        })),
        Effect.as(true),
        Effect.catchAll((error) => {
          const kind: keyof Stats = error._tag === "AmsTimeoutError" && error.source === "service"
            ? "ackTimeouts"
            : isRetryable(error) || error._tag === "AmsDecodeError"
            ? "inDoubtAcks"
            : "ackRejected"
          return Effect.as(
            Effect.zipRight(
              count({ [kind]: 1 }),
              Effect.logDebug(`subscriber ${name}: acknowledgement not confirmed (${kind}); the next pull tells`, error)
            ),
            false
          )
        })
      )

    const deadLetter = (received: Message.Received, topic: string, reason: string) =>
      Topic.publish(topic, {
        data: received.message.data,
        attributes: {
          ...received.message.attributes,
          "ams-dead-letter-subscription": `projects/${project}/subscriptions/${name}`,
          "ams-dead-letter-message-id": received.message.messageId
        }
      }, { project }).pipe(
        Effect.retry({ schedule: retry, while: isRetryable }),
        Effect.zipRight(count({ deadLettered: 1 })),
        Effect.zipRight(Effect.logWarning(
          `subscriber ${name}: message ${received.message.messageId} does not decode, sent to ${topic}: ${reason}`
        )),
        Effect.as(true),
        Effect.catchAll((error) =>
          Effect.as(
            Effect.zipRight(
              count({ handlerFailures: 1 }),
              Effect.logWarning(`subscriber ${name}: dead-letter publish failed; the message comes back`, error)
            ),
            false
          )
        )
      )

    // What handlers are given as counters: the subscriber's at once, the metrics at the end of each batch
    // (an update of a metric is a fiber-ref read and a registry hook each: too much once per message).
    const owed: Partial<Record<keyof Stats, number>> = {}
    const owe = (key: keyof Stats, n: number) => {
      owed[key] = (owed[key] ?? 0) + n
    }
    const handlerAdd: Counters["add"] = (changes) =>
      Effect.zipRight(
        counters.add(changes),
        Effect.sync(() => {
          for (const key of Object.keys(changes) as Array<keyof Stats>) owe(key, changes[key] ?? 0)
        })
      )
    const plainTally = tallyOf(counters)
    const tallied = (count: Tally[typeof tally]): Counters & Tally => ({
      get: counters.get,
      add: handlerAdd,
      [tally]: (key) => {
        count(key)
        owe(key, 1)
      }
    })
    const handlerCounters: Counters = plainTally === undefined
      ? { get: counters.get, add: handlerAdd }
      : tallied(plainTally)
    const payMetrics = Effect.suspend(() => {
      const changed = Object.keys(owed) as Array<keyof Stats>
      if (changed.length === 0) return Effect.void
      const amounts = changed.map((key) => owed[key] ?? 0)
      for (const key of changed) delete owed[key]
      return Effect.forEach(changed, (key, i) => Metric.incrementBy(tagged[key], amounts[i]), { discard: true })
    })
    // No schema: a message is delivered as it was received.
    const plain = (prepare as unknown) === untyped

    /** The effect that handles a message and says whether it was handled. */
    type Work = Effect.Effect<boolean, never, R | AmsHttp.AmsHttp>
    /** What delivering message `i` is: the work that handles it, or `undefined` when it is handed out. */
    type Deliver = (i: number, message: M) => Effect.Effect<Work | undefined, never, R | RP>

    /** A message handled or not: the prefix grows, a failure stops the batch. */
    interface Progress {
      readonly outcomes: Array<boolean | undefined>
      halted: boolean
      fatal: AmsDecodeError | undefined
    }

    /**
     * What to do with message `i` once it is its turn: `undefined` when it needs no handler (already
     * handled, skipped, handed out, or the batch stops here), else the effect that handles it. A message
     * to deliver goes to `deliver`.
     */
    const begin = (
      batch: ReadonlyArray<Message.Received>,
      i: number,
      progress: Progress,
      deliver: Deliver
    ): Effect.Effect<Work | undefined, never, R | RP> => {
      const prepared = prepare(batch[i])
      return Effect.isEffect(prepared)
        ? Effect.flatMap(prepared, (ready) => decide(batch, i, progress, ready, deliver))
        : decide(batch, i, progress, prepared, deliver)
    }

    const decide = (
      batch: ReadonlyArray<Message.Received>,
      i: number,
      progress: Progress,
      prepared: Prepared<M>,
      deliver: Deliver
    ): Effect.Effect<Work | undefined, never, R | RP> => {
      if (prepared._tag === "Fatal") {
        progress.fatal = prepared.error
        progress.halted = true
        return Effect.succeed(undefined)
      }
      if (prepared._tag === "Skip") {
        progress.outcomes[i] = true
        settled++
        return Effect.as(
          Effect.zipRight(
            count({ skipped: 1 }),
            Effect.logWarning(
              `subscriber ${name}: message ${batch[i].message.messageId} does not decode, skipped: ${prepared.reason}`
            )
          ),
          undefined
        )
      }
      return prepared._tag === "DeadLetter"
        ? Effect.succeed(deadLetter(batch[i], prepared.topic, prepared.reason))
        : deliver(i, prepared.message)
    }

    /** Handles one pull, acknowledges its handled prefix in time, remembers what was handled past it. */
    const handleBatch = (batch: ReadonlyArray<Message.Received>, pulledAt: number) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const n = batch.length
          const progress: Progress = { outcomes: new Array(n).fill(undefined), halted: false, fatal: undefined }
          const outcomes = progress.outcomes

          let windowOpen = true
          let acked = 0
          const ackPrefix = Effect.suspend(() => {
            windowOpen = false
            let k = 0
            while (k < n && outcomes[k] === true) k++
            if (k === 0) return Effect.void
            return Effect.map(ack(batch, k), (ok) => {
              if (ok) acked = k
            })
          })
          const left = Math.max(0, pulledAt + deadlineMillis - marginMillis - (yield* Clock.currentTimeMillis))

          const interrupted = yield* drive(batch, progress, restore, ackPrefix, left)

          if (windowOpen && (yield* Clock.currentTimeMillis) - pulledAt < deadlineMillis) yield* ackPrefix
          for (let i = acked; i < n; i++) {
            if (outcomes[i] === true) unconfirmed.add(offsetOf(batch[i]))
          }
          yield* payMetrics
          yield* Effect.annotateCurrentSpan("ams.batch.acknowledged", acked)
          return { fatal: progress.fatal, interrupted }
        })
      ).pipe(
        // No stack trace: it would point inside the subscriber, never at the caller.
        Effect.withSpan("ams.subscriber.batch", {
          captureStackTrace: false,
          attributes: {
            "ams.project": project,
            "ams.subscription": name,
            "ams.batch.messages": batch.length,
            "ams.batch.first": batch[0].message.messageId
          }
        })
      )

    type Restore = <A, E, R1>(effect: Effect.Effect<A, E, R1>) => Effect.Effect<A, E, R1>

    /**
     * Runs a batch's handlers, acknowledging the handled prefix `left` ms from now if they are not done
     * by then; says whether the consumer was interrupted.
     */
    type Driver = (
      batch: ReadonlyArray<Message.Received>,
      progress: Progress,
      restore: Restore,
      ackPrefix: Effect.Effect<void, never, AmsHttp.AmsHttp>,
      left: number
    ) => Effect.Effect<boolean, never, R | RP | AmsHttp.AmsHttp>

    /** A `consume` engine made for this consumer: its handler, with the counters handlers see. */
    interface Bound {
      readonly handle: (message: M) => Work
      readonly deliver: Deliver
      readonly finishInFlight: boolean
      readonly concurrency: number
    }
    const bound = (handlers: Handlers<M, R>): Bound => {
      const handle = handlers.handle(handlerCounters)
      return {
        handle,
        deliver: (_, message) => Effect.succeed(handle(message)),
        finishInFlight: handlers.finishInFlight,
        concurrency: handlers.concurrency
      }
    }

    /**
     * Concurrency 1: one message after the other in this fiber, no fiber or permit per message. The
     * acknowledgement due before the deadline is a timer fiber's, as a handler may still be running
     * then. A running handler finishes (`finishInFlight`) or is interrupted; either way the batch stops.
     */
    const inOrder = (bound: Bound): Driver => (batch, progress, restore, ackPrefix, left) =>
      Effect.gen(function*() {
        const timer = yield* Effect.fork(Effect.zipRight(Effect.interruptible(Effect.sleep(left)), ackPrefix))
        // Whether the consumer may be interrupted at all (its caller may have made it uninterruptible);
        // entering the interruptible region is also the check for an interruption that came before.
        const interruptible = yield* Effect.exit(restore(Effect.checkInterruptible(Effect.succeed)))
        let interrupted = Exit.isFailure(interruptible) ||
          (yield* Effect.withFiberRuntime<boolean, never, R | RP | AmsHttp.AmsHttp>((fiber) =>
            handleInOrder(
              batch,
              progress,
              restore,
              () => interruptible.value && !Cause.isEmpty(fiber.getFiberRef(FiberRef.interruptedCause)),
              bound
            )
          ))
        // An interruption that came while the last handler finished.
        if (!interrupted && Exit.isFailure(yield* Effect.exit(restore(Effect.void)))) interrupted = true
        yield* Fiber.interrupt(timer)
        return interrupted
      })

    /**
     * The loop of `inOrder`, one effect per message and nothing more for the hot case (`consume` with no
     * schema): a step per message is what the loop costs, so an interruption that came is seen by a
     * look at the fiber (`pending`) rather than by entering an interruptible region each time. Says
     * whether the consumer was interrupted.
     */
    const handleInOrder = (
      batch: ReadonlyArray<Message.Received>,
      progress: Progress,
      restore: Restore,
      pending: () => boolean,
      bound: Bound
    ): Effect.Effect<boolean, never, R | RP | AmsHttp.AmsHttp> => {
      const { outcomes } = progress
      // The message whose handler runs: one at a time, so one continuation serves them all (no
      // closures made per message).
      let current = 0
      const finished = {
        onSuccess: (ok: boolean) => {
          outcomes[current] = ok
          if (!ok) {
            progress.halted = true
            return succeedFalse
          }
          settled++
          return from(current + 1)
        },
        // The handler's own failures are outcomes: only an interruption ends it so.
        onFailure: () => {
          outcomes[current] = false
          progress.halted = true
          return succeedTrue
        }
      }
      // A handler let finish runs uninterruptibly; otherwise its interruption is the consumer's.
      const finish = (i: number, work: Effect.Effect<boolean, never, R | AmsHttp.AmsHttp>) => {
        current = i
        return Effect.matchCauseEffect(bound.finishInFlight ? work : restore(work), finished)
      }
      const from = (first: number): Effect.Effect<boolean, never, R | RP | AmsHttp.AmsHttp> => {
        for (let i = first; i < batch.length && !progress.halted; i++) {
          if (unconfirmed.size > 0 && unconfirmed.has(offsetOf(batch[i]))) {
            outcomes[i] = true
            continue
          }
          if (stopAfter !== undefined && settled >= stopAfter) break
          if (pending()) return succeedTrue
          // The hot case, a plain message for `consume`: its handler is the only step.
          if (plain) return finish(i, bound.handle(batch[i].message as M))
          // Interruptible while a message is prepared.
          return Effect.flatMap(Effect.exit(restore(begin(batch, i, progress, bound.deliver))), (begun) =>
            Exit.isFailure(begun)
              ? succeedTrue
              : begun.value === undefined
              ? from(i + 1)
              : finish(i, begun.value))
        }
        return succeedFalse
      }
      return from(0)
    }

    /** Concurrency above 1: a fiber per message, `concurrency` permits, the prefix acked at the deadline. */
    const concurrently = (bound: Bound): Driver => (batch, progress, restore, ackPrefix, left) =>
      Effect.gen(function*() {
        const { outcomes } = progress
        const n = batch.length
        const fibers: Array<Fiber.RuntimeFiber<void>> = []
        let inFlight = 0
        const scope = yield* Scope.make()
        const permits = yield* Effect.makeSemaphore(bound.concurrency)

        const record = (i: number, ok: boolean) =>
          Effect.sync(() => {
            outcomes[i] = ok
            inFlight--
            if (ok) {
              settled++
            } else progress.halted = true
          })

        const dispatch: Effect.Effect<void, never, R | RP | AmsHttp.AmsHttp> = Effect.gen(function*() {
          for (let i = 0; i < n && !progress.halted; i++) {
            if (unconfirmed.has(offsetOf(batch[i]))) {
              outcomes[i] = true
              continue
            }
            if (stopAfter !== undefined && settled + inFlight >= stopAfter) {
              return
            }
            yield* permits.take(1)
            if (progress.halted) {
              yield* permits.release(1)
              return
            }
            const work = yield* begin(batch, i, progress, bound.deliver)
            if (work === undefined) {
              yield* permits.release(1)
              continue
            }
            inFlight++
            fibers.push(
              yield* Effect.forkIn(
                work.pipe(
                  Effect.onExit((exit) =>
                    record(i, Exit.isSuccess(exit) && exit.value)
                  ),
                  Effect.ensuring(permits.release(1)),
                  Effect.asVoid
                ),
                scope
              )
            )
          }
        })

        const dispatcher = yield* Effect.forkIn(restore(dispatch), scope)
        const finished = Effect.zipRight(Fiber.await(dispatcher), Effect.suspend(() => Fiber.awaitAll(fibers)))
        const stop = Effect.zipRight(
          Fiber.interrupt(dispatcher),
          Effect.suspend(() => bound.finishInFlight ? Fiber.awaitAll(fibers) : Fiber.interruptAll(fibers))
        )

        const interrupted = yield* awaitBatch(finished, restore, ackPrefix, left)
        if (interrupted) yield* stop
        yield* Scope.close(scope, Exit.void)
        return interrupted
      })

    /**
     * Waits for `finished`; if the deadline (`left` ms) comes first, acknowledges the handled prefix then
     * and waits on: what is handled after it is remembered and acknowledged after the next pull
     * delivers it again. Says whether the consumer was interrupted while it waited.
     */
    const awaitBatch = (
      finished: Effect.Effect<unknown>,
      restore: Restore,
      ackPrefix: Effect.Effect<void, never, AmsHttp.AmsHttp>,
      left: number
    ): Effect.Effect<boolean, never, AmsHttp.AmsHttp> =>
      Effect.gen(function*() {
        const first = yield* Effect.exit(restore(Effect.timeoutOption(finished, Duration.millis(left))))
        if (Exit.isFailure(first)) return true
        if (Option.isSome(first.value)) return false
        yield* ackPrefix
        return Exit.isFailure(yield* Effect.exit(restore(finished)))
      })

    /**
     * `stream`: a pull's messages go out at once, in order, as one chunk of deliveries, and each settles
     * when its `ack` or `nack` runs, with no fiber per message. The acked prefix is acknowledged at the
     * deadline and the rest waited for, as with `concurrently`. Once the batch is over (every delivery
     * settled, or the consumer interrupted) a late `ack` or `nack` changes nothing: what it would have
     * settled comes back with the next pull.
     */
    const handOut = (emit: HandOut<M>["emit"]): Driver => {
      const tallyOne = tallyOf(handlerCounters)
      return (batch, progress, restore, ackPrefix, left) =>
        Effect.gen(function*() {
          const { outcomes } = progress
          const deliveries: Array<Delivery<M>> = []
          let open = 0
          let over = false
          let wake: (() => void) | undefined
          const settleAt = (i: number, ok: boolean): Effect.Effect<void> =>
            Effect.suspend(() => {
              if (over || outcomes[i] !== undefined) return Effect.void
              outcomes[i] = ok
              if (ok) settled++
              else progress.halted = true
              if (--open === 0) wake?.()
              const key = ok ? "handled" : "handlerFailures"
              if (tallyOne === undefined) return handlerCounters.add({ [key]: 1 })
              tallyOne(key)
              return Effect.void
            })
          const handOutOne = (i: number, message: M) => {
            open++
            deliveries.push({ message, ack: settleAt(i, true), nack: settleAt(i, false) })
          }
          const deliver: Deliver = (i, message) =>
            Effect.sync(() => {
              handOutOne(i, message)
              return undefined
            })

          let interrupted = false
          for (let i = 0; i < batch.length && !progress.halted; i++) {
            if (unconfirmed.size > 0 && unconfirmed.has(offsetOf(batch[i]))) {
              outcomes[i] = true
              continue
            }
            if (stopAfter !== undefined && settled + open >= stopAfter) break
            // No schema: nothing to prepare, nothing to wait for.
            if (plain) {
              handOutOne(i, batch[i].message as M)
              continue
            }
            const begun = yield* Effect.exit(restore(begin(batch, i, progress, deliver)))
            if (Exit.isFailure(begun)) {
              interrupted = true
              break
            }
            // A dead letter's publish: the subscriber's own work, done before the next message.
            if (begun.value !== undefined) {
              const done = yield* Effect.exit(restore(begun.value))
              if (Exit.isFailure(done)) {
                interrupted = true
                break
              }
              outcomes[i] = done.value
              if (done.value) settled++
              else progress.halted = true
            }
          }
          if (!interrupted && deliveries.length > 0 && Exit.isFailure(yield* Effect.exit(restore(emit(deliveries))))) {
            interrupted = true
          }

          const allSettled = Effect.async<void>((resume) => {
            if (open === 0) return resume(Effect.void)
            wake = () => resume(Effect.void)
            return Effect.sync(() => {
              wake = undefined
            })
          })
          if (!interrupted) interrupted = yield* awaitBatch(allSettled, restore, ackPrefix, left)
          over = true
          return interrupted
        })
    }

    const drive: Driver = engine._tag === "HandOut"
      ? handOut(engine.emit)
      : engine.concurrency === 1
      ? inOrder(bound(engine))
      : concurrently(bound(engine))

    /** After the last batch: pull again to acknowledge what was handled but not confirmed. */
    const settle = Effect.gen(function*() {
      for (let round = 0; round < 3 && unconfirmed.size > 0; round++) {
        const [, batch] = yield* pull(unconfirmed.size)
        if (batch.length === 0) return
        let k = 0
        while (k < batch.length && unconfirmed.has(offsetOf(batch[k]))) k++
        if (k === 0) return
        yield* ack(batch, k)
      }
    }).pipe(Effect.catchAll(() => Effect.void))

    while (stopAfter === undefined || settled < stopAfter) {
      const limit = stopAfter === undefined
        ? maxMessages
        : Math.min(maxMessages, stopAfter - settled + unconfirmed.size)
      const [pulledAt, batch] = yield* pull(limit)
      if (batch.length === 0) {
        if (options?.stopWhenEmpty === true) break
        const next = yield* Effect.either(idle.next(undefined))
        if (Either.isLeft(next)) break
        continue
      }
      yield* idle.reset
      const outcome = yield* handleBatch(batch, pulledAt)
      if (outcome.fatal !== undefined) return yield* Effect.fail(outcome.fatal)
      if (outcome.interrupted) return yield* Effect.interrupt
    }
    yield* settle
    return yield* counters.get
  })

// Made once: the loops below return them for every message.
const succeedTrue = Effect.succeed(true)
const succeedFalse = Effect.succeed(false)

const consumeEngine = <M, E, R>(handler: (message: M) => Effect.Effect<unknown, E, R>, concurrency: number) => {
  const handle = (counters: Counters) => {
    // Made once: a message's handler run is the handler's own effect and one continuation.
    const plainTally = tallyOf(counters)
    const counted = Effect.as(counters.add({ handled: 1 }), true)
    const outcome = {
      onSuccess: () => {
        if (plainTally === undefined) return counted
        plainTally("handled")
        return succeedTrue
      },
      onFailure: (cause: Cause.Cause<E>) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.succeed(false)
          : Effect.as(
            Effect.zipRight(
              counters.add({ handlerFailures: 1 }),
              Effect.logDebug("subscriber: handler failed; the message comes back with the next pull", cause)
            ),
            false
          )
    }
    return (message: M) => {
      // What `Effect.suspend` would do, without its step: a handler that throws dies.
      let run: Effect.Effect<unknown, E, R>
      try {
        run = handler(message)
      } catch (defect) {
        run = Effect.die(defect)
      }
      return Effect.matchCauseEffect(run, outcome)
    }
  }
  return { _tag: "Handlers", concurrency, finishInFlight: true, handle } as const
}

/**
 * Consumes `subscription` until interrupted, or until `stopAfter` messages are handled, or (with
 * `stopWhenEmpty`) until a pull finds nothing new; then returns the final counters.
 *
 * For each pull (`maxMessages` at a time, `returnImmediately`), `handler` runs on each message in
 * order (`concurrency` at a time) and one acknowledgement covers the longest prefix handled. A handler
 * that fails (or dies) stops the batch: that message and everything after it stay unacknowledged and
 * come back with the next pull, so a message is never acknowledged unhandled. If handling takes
 * longer than the ack deadline, the prefix handled so far is acknowledged `ackMargin` before it; the
 * rest, once handled, is remembered and acknowledged, without calling the handler again, when the next
 * pull delivers it. The same memory settles an acknowledgement whose answer was lost.
 *
 * Interruption stops pulling, lets running handlers finish (`finishInFlight`), acknowledges the
 * handled prefix, then ends. Pulls are retried with `retry`; a pull that fails for good fails the
 * consumer. Handlers run in the consumer's context; their errors never fail it.
 *
 * @example
 * import { Message, Subscriber } from "@argo-ams/client"
 * import { Console } from "effect"
 *
 * const program = Subscriber.consume(
 *   "alerts-sub",
 *   (message) => Console.log(Message.text(message)),
 *   { stopWhenEmpty: true }
 * )
 *
 * @since 0.1.0
 * @category operations
 */
export const consume: {
  <A, I, RS, E, R>(
    subscription: string,
    handler: (message: Typed<A>) => Effect.Effect<unknown, E, R>,
    options: TypedOptions<A, I, RS>
  ): Effect.Effect<Stats, AmsError, AmsHttp.AmsHttp | R | RS>
  <E, R>(
    subscription: string,
    handler: (message: Message.Message) => Effect.Effect<unknown, E, R>,
    options?: Options
  ): Effect.Effect<Stats, AmsError, AmsHttp.AmsHttp | R>
} = <A, I, RS, E, R>(
  subscription: string,
  handler: (message: Typed<A>) => Effect.Effect<unknown, E, R>,
  options?: Options | TypedOptions<A, I, RS>
): Effect.Effect<Stats, AmsError, AmsHttp.AmsHttp | R | RS> =>
  Effect.gen(function*() {
    const concurrency = yield* whole("concurrency", options?.concurrency ?? defaults.concurrency, 1)
    const counters = options?.counters ?? (yield* makeCounters)
    const prepare = preparer(subscription, options)
    return yield* run(subscription, options, prepare, {
      ...consumeEngine(handler, concurrency),
      finishInFlight: options?.finishInFlight ?? true
    }, counters)
  })

/**
 * A message from `stream`. The subscriber counts it as handled when `ack` runs, and as failed when
 * `nack` runs; until one of them runs it holds its pull open.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delivery<M> {
  readonly message: M
  /** This message is handled: it may be acknowledged (with everything before it, once handled). */
  readonly ack: Effect.Effect<void>
  /** This message failed: it and everything after it in its pull come back with the next pull. */
  readonly nack: Effect.Effect<void>
}

/**
 * The consumer of `consume` as a `Stream` of deliveries, for composing with `Stream` operators.
 *
 * An element counts as handled only when its `ack` runs, never merely by being emitted or pulled past:
 * call `ack` after the work is done, or `nack` if it failed. The acknowledgement rules are those of
 * `consume` with every message of a pull in flight at once: one acknowledgement per pull covers the
 * longest prefix acked, before the ack deadline; a nack stops the pull there; an element neither acked
 * nor nacked keeps its pull open (nothing after it is acknowledged, no further pull is made) until
 * the deadline, after which its pull's prefix is acknowledged and the rest waits for it. When the
 * stream ends or is interrupted, the acked prefix is acknowledged and elements not yet acked come back.
 * The stream ends with `stopAfter` or `stopWhenEmpty`, or fails when a pull fails for good.
 *
 * Each pull's deliveries are emitted together, as one chunk, in order: chunk-wise operators
 * (`Stream.mapChunksEffect`, or `Effect.forEach` over a chunk) settle a pull at the cost of `consume`.
 *
 * @example
 * import { Message, Subscriber } from "@argo-ams/client"
 * import { Console, Effect, Stream } from "effect"
 *
 * const program = Subscriber.stream("alerts-sub", { stopWhenEmpty: true }).pipe(
 *   Stream.mapEffect((delivery) =>
 *     Console.log(Message.text(delivery.message)).pipe(Effect.zipRight(delivery.ack))
 *   ),
 *   Stream.runDrain
 * )
 *
 * @since 0.1.0
 * @category operations
 */
export const stream: {
  <A, I, RS>(
    subscription: string,
    options: TypedOptions<A, I, RS>
  ): Stream.Stream<Delivery<Typed<A>>, AmsError, AmsHttp.AmsHttp | RS>
  (subscription: string, options?: Options): Stream.Stream<Delivery<Message.Message>, AmsError, AmsHttp.AmsHttp>
} = <A, I, RS>(
  subscription: string,
  options?: Options | TypedOptions<A, I, RS>
): Stream.Stream<Delivery<Typed<A>>, AmsError, AmsHttp.AmsHttp | RS> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const counters = options?.counters ?? (yield* makeCounters)
    // A pull's deliveries, then the end: the consumer pulls again only once every delivery is settled.
    const queue = yield* Queue.bounded<Take.Take<Delivery<Typed<A>>, AmsError>>(2)
    const prepare = preparer(subscription, options)
    const engine: Engine<Typed<A>, never> = {
      _tag: "HandOut",
      emit: (deliveries) => Queue.offer(queue, Take.chunk(Chunk.unsafeFromArray(deliveries)))
    }
    yield* Effect.forkScoped(
      run<Typed<A>, never, RS>(subscription, options, prepare, engine, counters).pipe(
        Effect.exit,
        Effect.flatMap((exit) => Queue.offer(queue, Exit.isSuccess(exit) ? Take.end : Take.failCause(exit.cause)))
      )
    )
    return Stream.flattenTake(Stream.fromQueue(queue))
  }))
