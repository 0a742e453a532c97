/**
 * Publisher: a scoped, batching publisher for one topic. Concurrent `publish` calls are gathered into
 * `Topic.publish` requests by count, bytes and time, sent one at a time in call order, retried on
 * retryable errors, with a bounded buffer that makes callers wait instead of growing memory.
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
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricKey from "effect/MetricKey"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { AmsError } from "./AmsError.js"
import { AmsDecodeError, AmsMessageError, isRetryable } from "./AmsError.js"
import * as AmsHttp from "./AmsHttp.js"
import * as Base64 from "./internal/base64.js"
import * as Gate from "./internal/gate.js"
import * as Outgoing from "./internal/outgoing.js"
import * as Payload from "./internal/payload.js"
import * as Publish from "./internal/publish.js"
import type * as Message from "./Message.js"

/**
 * What a publisher has done so far.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  /** Messages the server stored and gave an id for. */
  readonly published: number
  /** Publish requests that succeeded. */
  readonly batches: number
  /** Publish requests sent again after a retryable error (each may have stored its messages twice). */
  readonly retried: number
  /** Messages whose batch failed for good: their callers got the error. */
  readonly failed: number
  /** Messages accepted by `publish` and not yet settled (waiting or in the request being sent). */
  readonly buffered: number
}

/**
 * A running publisher. `publish` resolves with the message's id once its batch is stored.
 *
 * @since 0.1.0
 * @category models
 */
export interface Publisher<In = Message.Outgoing> {
  /** The topic's short name. */
  readonly topic: string
  /**
   * Publishes one message and returns its id. Fails alone with `AmsMessageError` (before any request)
   * if the message can never be sent; fails with its batch's error if that request fails after the
   * retries. Waits while the buffer is full. An interrupted caller's message, once buffered, is still
   * published; the id is then dropped.
   */
  readonly publish: (message: In) => Effect.Effect<string, AmsError>
  /**
   * Buffers one message and returns as soon as it is in the buffer (after waiting for room); the inner
   * effect waits for its id. Offering in sequence keeps the order while many messages are in flight.
   */
  readonly offer: (message: In) => Effect.Effect<Effect.Effect<string, AmsError>, AmsError>
  /**
   * Sends what is buffered now without waiting for `maxDelay`, and waits until it is settled (published
   * or failed; the callers get the outcome).
   */
  readonly flush: Effect.Effect<void>
  /** The counters, readable while the publisher runs. */
  readonly stats: Effect.Effect<Stats>
}

/**
 * A message with a typed payload, for a publisher made with a `schema`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Typed<A> {
  readonly data: A
  readonly attributes?: Readonly<Record<string, string>> | undefined
}

/**
 * Options of `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The project of the topic (default: the `AmsHttp` layer's). */
  readonly project?: string | undefined
  /** The most messages in one publish request (default 100). */
  readonly maxMessages?: number | undefined
  /**
   * The most bytes of JSON body in one publish request (default 1,000,000). A message bigger than this
   * (but within the server's record limit, `Message.encode`) is sent alone.
   */
  readonly maxBytes?: number | undefined
  /** How long the first message of a batch waits for more before the request goes (default 10 ms). */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** The most messages buffered at once; further `publish` calls wait (default 10,000). */
  readonly bufferMessages?: number | undefined
  /** The most bytes buffered at once; further `publish` calls wait (default 10,000,000). */
  readonly bufferBytes?: number | undefined
  /**
   * How to retry a failed request; only retryable errors are retried (`AmsError.isRetryable`). Default:
   * 5 more attempts, 100 ms doubling up to 5 s apart. A retried publish may store its messages twice:
   * the failed attempt may have been processed before its answer was lost.
   */
  readonly retry?: Schedule.Schedule<unknown, AmsError> | undefined
}

/**
 * Options of `make` with a typed payload.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypedOptions<A, I, R> extends Options {
  /** Encodes each message's `data` before it is checked and buffered. */
  readonly schema: Schema.Schema<A, I, R>
  /** How the encoded value is written into the data: `json` (default), `text` or `bytes`. */
  readonly format?: Payload.Format | undefined
}

/**
 * The defaults of `make`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  maxMessages: 100,
  maxBytes: 1_000_000,
  maxDelay: Duration.millis(10),
  bufferMessages: 10_000,
  bufferBytes: 10_000_000
} as const

/**
 * The default retry of a publish request: 5 more attempts, 100 ms doubling, at most 5 s apart.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetry: Schedule.Schedule<unknown, AmsError> = Schedule.exponential(Duration.millis(100), 2).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(5))),
  Schedule.intersect(Schedule.recurs(5))
)

// The metrics are made from their keys, so that the tagged ones can be keys too (as in `Subscriber`):
// `Metric.tagged` builds a new label list on every update, and each update then looks its metric up in
// the registry again, which cost `publish` more than the rest of its work.
const counterKey = (name: string, description: string) =>
  MetricKey.counter(`ams.publisher.${name}`, { description, incremental: true })

const keys = {
  published: counterKey("published", "messages stored by AMS"),
  batches: counterKey("batches", "publish requests that succeeded"),
  retried: counterKey("retried", "publish requests sent again"),
  failed: counterKey("failed", "messages whose batch failed"),
  buffered: MetricKey.gauge("ams.publisher.buffered", { description: "messages buffered, not yet settled" })
}

/**
 * The publisher's Effect metrics, tagged `ams.topic` with the topic's name: counters `published`,
 * `batches`, `retried`, `failed` and the gauge `buffered`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics: {
  readonly published: Metric.Metric.Counter<number>
  readonly batches: Metric.Metric.Counter<number>
  readonly retried: Metric.Metric.Counter<number>
  readonly failed: Metric.Metric.Counter<number>
  readonly buffered: Metric.Metric.Gauge<number>
} = {
  published: Metric.fromMetricKey(keys.published),
  batches: Metric.fromMetricKey(keys.batches),
  retried: Metric.fromMetricKey(keys.retried),
  failed: Metric.fromMetricKey(keys.failed),
  buffered: Metric.fromMetricKey(keys.buffered)
}

/**
 * Where the outcomes of one run of messages buffered together go: each message's id or its batch's
 * failure, in its slot. One ticket per run, not per message; the fibers waiting for it are resumed once
 * every message is settled (a callback each: a `Deferred` or a `Latch` would cost several times more
 * to make, for every `publish`).
 */
interface Ticket {
  readonly results: Array<Exit.Exit<string, AmsError>>
  /** Messages not yet settled. */
  left: number
  /** The waiting fibers' resumes, while some are waiting. */
  waiting: Array<() => void> | undefined
}

/** Waits until every message of `ticket` is settled, then runs `then`. */
const whenSettled = <A, E>(ticket: Ticket, then: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    if (ticket.left === 0) return resume(then())
    const waiter = () => resume(then())
    ;(ticket.waiting ??= []).push(waiter)
    // An interrupted caller leaves the list.
    return Effect.sync(() => {
      const index = ticket.waiting?.indexOf(waiter) ?? -1
      if (index >= 0) ticket.waiting!.splice(index, 1)
    })
  })

/** Settles one message of `ticket`; the last one resumes the fibers waiting for it. */
const settleOne = (ticket: Ticket, slot: number, result: Exit.Exit<string, AmsError>): void => {
  ticket.results[slot] = result
  if (--ticket.left > 0) return
  const waiting = ticket.waiting
  ticket.waiting = undefined
  if (waiting !== undefined) { for (const resume of waiting) resume() }
}

interface Item {
  /** Position in call order, from 1. */
  readonly seq: number
  readonly message: Outgoing.Checked
  readonly bytes: number
  readonly ticket: Ticket
  readonly slot: number
}

/**
 * A message checked once, when it is offered, with its share of a request's body. Its data is written
 * as base64 only when its batch is sent: the buffer holds the caller's text, not a larger copy of it.
 */
interface Checked {
  readonly message: Outgoing.Checked
  readonly bytes: number
}

/**
 * What `publishAll` gets from a publisher for a run of messages offered in order: the effect buffers
 * them (waiting for room) and returns the effect that waits for their outcome.
 */
type OfferRun<In> = (
  run: ReadonlyArray<In>
) => Effect.Effect<{ readonly offered: boolean; readonly settled: Effect.Effect<Outcome> }>

/** `publishAll`'s way into a publisher: runs of at most `size` messages go through `offer`. */
interface Runs<In> {
  readonly offer: OfferRun<In>
  readonly size: number
}

/** The ids of a run, in order, up to the first message that failed (offering it or publishing it). */
interface Outcome {
  readonly ids: Array<string>
  readonly failure: Cause.Cause<AmsError> | undefined
}

/** Where a publisher made by `make` keeps its run-at-a-time entry for `publishAll`. */
const runs = Symbol.for("@argo-ams/client/Publisher/runs")

// `{"messages":[` and `]}`.
const envelopeBytes = 15

const positive = (name: string, value: number): Effect.Effect<number> =>
  Number.isSafeInteger(value) && value >= 1
    ? Effect.succeed(value)
    : Effect.dieMessage(`Publisher: ${name} must be a whole number ≥ 1, not ${value}`)

/** The outcome of a run once its tickets are done: ids in order up to the first failure. */
const outcome = (tickets: ReadonlyArray<Ticket>, failure: Cause.Cause<AmsError> | undefined): Outcome => {
  const ids: Array<string> = []
  for (const ticket of tickets) {
    for (const result of ticket.results) {
      if (Exit.isFailure(result)) return { ids, failure: result.cause }
      ids.push(result.value)
    }
  }
  return { ids, failure }
}

/**
 * Starts a publisher for `topic` in the current scope. Closing the scope publishes everything buffered
 * and waits for it; `publish` after that dies. Requests go one at a time, so messages are stored in
 * the order they were buffered. With `schema`, `publish` takes `{ data, attributes? }` with a typed
 * `data`.
 *
 * @example
 * import { Publisher } from "@argo-ams/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const publisher = yield* Publisher.make("alerts", { maxDelay: "50 millis" })
 *   const ids = yield* Effect.forEach(
 *     ["a", "b", "c"],
 *     (data) => publisher.publish({ data }),
 *     { concurrency: "unbounded" }
 *   )
 *   return ids
 * }))
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  <A, I, R>(
    topic: string,
    options: TypedOptions<A, I, R>
  ): Effect.Effect<Publisher<Typed<A>>, never, AmsHttp.AmsHttp | Scope.Scope | R>
  (topic: string, options?: Options): Effect.Effect<Publisher, never, AmsHttp.AmsHttp | Scope.Scope>
} = <A, I, R>(
  topic: string,
  options?: Options | TypedOptions<A, I, R>
): Effect.Effect<Publisher<Typed<A> | Message.Outgoing>, never, AmsHttp.AmsHttp | Scope.Scope | R> =>
  Effect.gen(function*() {
    const http = yield* AmsHttp.AmsHttp
    const context = yield* Effect.context<R>()
    const project = options?.project ?? http.project
    const maxMessages = yield* positive("maxMessages", options?.maxMessages ?? defaults.maxMessages)
    const maxBytes = yield* positive("maxBytes", options?.maxBytes ?? defaults.maxBytes)
    const maxDelay = Duration.decode(options?.maxDelay ?? defaults.maxDelay)
    const bufferMessages = yield* positive("bufferMessages", options?.bufferMessages ?? defaults.bufferMessages)
    const bufferBytes = yield* positive("bufferBytes", options?.bufferBytes ?? defaults.bufferBytes)
    const retry = options?.retry ?? defaultRetry
    const tagged = {
      published: Metric.fromMetricKey(MetricKey.tagged(keys.published, "ams.topic", topic)),
      batches: Metric.fromMetricKey(MetricKey.tagged(keys.batches, "ams.topic", topic)),
      retried: Metric.fromMetricKey(MetricKey.tagged(keys.retried, "ams.topic", topic)),
      failed: Metric.fromMetricKey(MetricKey.tagged(keys.failed, "ams.topic", topic)),
      buffered: Metric.fromMetricKey(MetricKey.tagged(keys.buffered, "ams.topic", topic))
    }

    // The counters, touched only inside fiber steps (like the buffer). Each change updates its metric
    // there too, with the fiber's metric labels, as `Metric.update` would.
    const stats: { -readonly [K in keyof Stats]: number } = {
      published: 0,
      batches: 0,
      retried: 0,
      failed: 0,
      buffered: 0
    }
    const countNow = (fiber: Fiber.RuntimeFiber<unknown, unknown>, field: keyof Stats, n: number): void => {
      stats[field] += n
      tagged[field].unsafeUpdate(
        field === "buffered" ? stats.buffered : n,
        fiber.getFiberRef(FiberRef.currentMetricLabels)
      )
    }
    const count = (field: keyof Stats, n: number) =>
      Effect.withFiberRuntime<void>((fiber) => {
        countNow(fiber, field, n)
        return Effect.void
      })

    const gate = yield* Gate.make(bufferMessages, bufferBytes)
    // The buffer, read from `head`: touched only inside the fiber steps of `admit` and `gather`, so each
    // change is atomic; `wake` tells the sender when there is something for it to do.
    let buffer: Array<Item> = []
    let head = 0
    // The request bytes of the messages from `head` on.
    let pendingBytes = 0
    let closed = false
    let admitted = 0
    let last: Item | undefined
    // Everything up to this position goes without waiting for `maxDelay`.
    let flushTo = 0
    const wake = yield* Queue.sliding<void>(1)

    const typed = options !== undefined && "schema" in options
      ? Payload.encode(options.schema, options.format ?? "json")
      : undefined

    const toOutgoing = (message: unknown): Effect.Effect<Message.Outgoing, AmsMessageError> => {
      if (typed === undefined) return Effect.succeed(message as Message.Outgoing)
      const { attributes, data } = message as Typed<A>
      return typed(data).pipe(
        Effect.provide(context),
        Effect.mapError((reason) =>
          new AmsMessageError({
            operation: "publisher.publish",
            index: 0,
            message: `Message 0: the data does not encode: ${reason}`
          })
        ),
        Effect.map((encoded): Message.Outgoing =>
          attributes === undefined ? { data: encoded } : { data: encoded, attributes }
        )
      )
    }

    const check = (outgoing: Message.Outgoing): Either.Either<Checked, AmsMessageError> => {
      const checked = Outgoing.check(outgoing, 0, "publisher.publish")
      if (Either.isLeft(checked)) return Either.left(checked.left)
      const { attributes, data } = checked.right
      const base64Length = Base64.encodedLength(data)
      const refused = Outgoing.tooLarge(base64Length, attributes, 0, "publisher.publish")
      if (refused !== undefined) return refused
      return Either.right({
        // Bytes can change after the call: they are copied (a string cannot).
        message: typeof data === "string" ? checked.right : { data: new Uint8Array(data), attributes },
        bytes: Outgoing.requestBytes(base64Length, attributes)
      })
    }

    // A message bigger than the whole byte budget still gets in, alone.
    const share = (bytes: number) => Math.min(bytes, bufferBytes)
    const usedAfterClose = () => Effect.dieMessage(`Publisher for ${topic} used after its scope closed`)

    /**
     * Puts checked messages at the end of the buffer under one ticket, inside a fiber step. Wakes the
     * sender only when it may be waiting for them: it waits for a first message, then for a full batch
     * (a wake per message would cost it a timer each).
     */
    const enqueue = (fiber: Fiber.RuntimeFiber<unknown, unknown>, run: ReadonlyArray<Checked>): Ticket => {
      const ticket: Ticket = { results: new Array(run.length), left: run.length, waiting: undefined }
      const wasEmpty = head === buffer.length
      const wasReady = ready()
      for (let slot = 0; slot < run.length; slot++) {
        last = { seq: ++admitted, message: run[slot].message, bytes: run[slot].bytes, ticket, slot }
        buffer.push(last)
        pendingBytes += last.bytes
      }
      countNow(fiber, "buffered", run.length)
      if (wasEmpty || (!wasReady && ready())) wake.unsafeOffer(undefined)
      return ticket
    }

    /**
     * Buffers checked messages in one step, after waiting for room for all of them (a run never holds
     * more than the buffer's budgets), and returns their ticket.
     */
    const admit = (run: ReadonlyArray<Checked>): Effect.Effect<Ticket> =>
      Effect.withFiberRuntime((fiber) => {
        if (closed) return usedAfterClose()
        let shares = 0
        for (const checked of run) shares += share(checked.bytes)
        // With room now, all of it in this one step, which nothing can interrupt: the path of almost
        // every `publish`.
        if (gate.tryAcquire(run.length, shares)) return Effect.succeed(enqueue(fiber, run))
        return Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(restore(gate.acquire(run.length, shares)), () =>
            closed
              ? Effect.zipRight(gate.release(run.length, shares), usedAfterClose())
              : Effect.withFiberRuntime((fiber) => Effect.succeed(enqueue(fiber, run))))
        )
      })

    const offer = (message: unknown): Effect.Effect<Effect.Effect<string, AmsError>, AmsError> =>
      Effect.flatMap(toOutgoing(message), (outgoing) => {
        const checked = check(outgoing)
        if (Either.isLeft(checked)) return Effect.fail(checked.left)
        return Effect.map(
          admit([checked.right]),
          (ticket) => whenSettled(ticket, () => ticket.results[0])
        )
      })

    /**
     * Checks messages in order and cuts them into pieces that fit the buffer, up to the first message
     * that cannot be sent. A plain loop: it runs for every message `publishAll` reads.
     */
    const cut = (messages: ReadonlyArray<Message.Outgoing>) => {
      const pieces: Array<Array<Checked>> = []
      let refused: AmsMessageError | undefined
      let piece: Array<Checked> = []
      let pieceBytes = 0
      for (const message of messages) {
        const checked = check(message)
        if (Either.isLeft(checked)) {
          refused = checked.left
          break
        }
        const bytes = share(checked.right.bytes)
        if (piece.length > 0 && (piece.length >= bufferMessages || pieceBytes + bytes > bufferBytes)) {
          pieces.push(piece)
          piece = []
          pieceBytes = 0
        }
        piece.push(checked.right)
        pieceBytes += bytes
      }
      if (piece.length > 0) pieces.push(piece)
      return { pieces, refused }
    }

    /** With a `schema`, each message's data encoded, up to the first that does not encode. */
    const outgoingRun = (
      messages: ReadonlyArray<unknown>
    ): Effect.Effect<{ readonly messages: ReadonlyArray<Message.Outgoing>; readonly refused?: AmsMessageError }> =>
      typed === undefined
        ? Effect.succeed({ messages: messages as ReadonlyArray<Message.Outgoing> })
        : Effect.gen(function*() {
          const encoded: Array<Message.Outgoing> = []
          for (const message of messages) {
            const outgoing = yield* Effect.either(toOutgoing(message))
            if (Either.isLeft(outgoing)) return { messages: encoded, refused: outgoing.left }
            encoded.push(outgoing.right)
          }
          return { messages: encoded }
        })

    /**
     * `publishAll`'s entry: checks a run of messages in order and buffers them in pieces that fit the
     * buffer; the first message that cannot be offered ends the run (the ones before it are published).
     */
    const offerRun: OfferRun<unknown> = (messages) =>
      Effect.flatMap(outgoingRun(messages), (run) => {
        const { pieces, refused } = cut(run.messages)
        const tickets: Array<Ticket> = []
        let failure: Cause.Cause<AmsError> | undefined
        const admitted = Effect.forEach(pieces, (piece) =>
          failure !== undefined ? Effect.void : Effect.map(Effect.exit(admit(piece)), (exit) => {
            if (Exit.isSuccess(exit)) {
              tickets.push(exit.value)
            } else failure = exit.cause
          }), { discard: true })
        return Effect.map(admitted, () => {
          // The first message that cannot be sent ends the run: the ones before it still go.
          const refusal = refused ?? run.refused
          failure ??= refusal === undefined ? undefined : Cause.fail(refusal)
          const ended = failure
          return {
            offered: ended === undefined,
            settled: Effect.map(
              Effect.forEach(tickets, (ticket) =>
                whenSettled(ticket, () =>
                  Effect.void), { discard: true }),
              () =>
                outcome(tickets, ended)
            )
          }
        })
      })

    /** Whether the messages waiting make a full request: no need to wait for more. */
    const ready = () => buffer.length - head >= maxMessages || envelopeBytes + pendingBytes > maxBytes

    /** Takes from the buffer what fits in one request, the first message always. */
    const takeBatch = (): Array<Item> => {
      const batch: Array<Item> = []
      let bytes = envelopeBytes
      while (head < buffer.length && batch.length < maxMessages) {
        const next = buffer[head]
        if (batch.length > 0 && bytes + next.bytes > maxBytes) break
        batch.push(next)
        head++
        bytes += next.bytes
        pendingBytes -= next.bytes
      }
      // Taken items leave the array once they are most of it.
      if (head === buffer.length) {
        buffer = []
        head = 0
      } else if (head > 1024 && head * 2 > buffer.length) {
        buffer = buffer.slice(head)
        head = 0
      }
      return batch
    }

    /**
     * Waits for the first message, then for more until they make a full request, `maxDelay` passed, a
     * flush covers the first one, or the publisher closes; then takes the batch.
     */
    const gather: Effect.Effect<ReadonlyArray<Item> | undefined> = Effect.gen(function*() {
      while (head === buffer.length) {
        if (closed) return undefined
        yield* Queue.take(wake)
      }
      const start = yield* Clock.currentTimeMillis
      while (!closed && !ready() && buffer[head].seq > flushTo) {
        const left = Duration.toMillis(maxDelay) - ((yield* Clock.currentTimeMillis) - start)
        if (left <= 0) break
        const woke = yield* Effect.timeoutOption(Queue.take(wake), Duration.millis(left))
        if (Option.isNone(woke)) break
      }
      return takeBatch()
    })

    /**
     * One publish request of a batch's messages, checked when offered. Their base64 is written for each
     * attempt, and is garbage once the body is JSON: none of it is held while the answer is awaited.
     */
    const attempt = (batch: ReadonlyArray<Item>) =>
      Effect.flatMap(
        Publish.publish(topic, () => Effect.sync(() => batch.map((item) => Outgoing.encoded(item.message))), {
          project
        }),
        (ids) =>
          ids.length === batch.length ? Effect.succeed(ids) : Effect.fail(
            new AmsDecodeError({
              operation: "publisher.publish",
              expected: `${batch.length} message ids`,
              excerpt: JSON.stringify(ids).slice(0, 200),
              message: `publisher.publish: the server answered ${ids.length} ids for ${batch.length} messages`
            })
          )
      )

    /** Puts each message's outcome in its ticket; a ticket opens once all of its messages are settled. */
    const settle = (batch: ReadonlyArray<Item>, exit: Exit.Exit<ReadonlyArray<string>, AmsError>) =>
      Effect.sync(() => {
        const failed = Exit.isFailure(exit) ? Exit.failCause(exit.cause) : undefined
        for (let i = 0; i < batch.length; i++) {
          const { slot, ticket } = batch[i]
          settleOne(ticket, slot, failed ?? Exit.succeed((exit as Exit.Success<ReadonlyArray<string>, never>).value[i]))
        }
      })

    const send = (batch: ReadonlyArray<Item>) =>
      Effect.gen(function*() {
        const driver = yield* Schedule.driver(retry)
        while (true) {
          const exit = yield* Effect.exit(attempt(batch))
          if (Exit.isSuccess(exit)) return exit
          const error = Cause.failureOption(exit.cause)
          if (Option.isNone(error) || !isRetryable(error.value)) return exit
          const next = yield* Effect.exit(driver.next(error.value))
          if (Exit.isFailure(next)) return exit
          yield* count("retried", 1)
        }
      }).pipe(
        Effect.flatMap((exit) =>
          Effect.gen(function*() {
            yield* settle(batch, exit)
            if (Exit.isSuccess(exit)) {
              yield* count("published", batch.length)
              yield* count("batches", 1)
            } else {
              yield* count("failed", batch.length)
            }
            yield* count("buffered", -batch.length)
            yield* gate.release(batch.length, batch.reduce((n, item) => n + share(item.bytes), 0))
          })
        ),
        // No stack trace: it would point inside the publisher, never at the caller.
        Effect.withSpan("ams.publisher.batch", {
          captureStackTrace: false,
          attributes: {
            "ams.project": project,
            "ams.topic": topic,
            "ams.batch.messages": batch.length,
            "ams.batch.bytes": batch.reduce((n, item) => n + item.bytes, envelopeBytes)
          }
        })
      )

    const sender = Effect.gen(function*() {
      while (true) {
        const batch = yield* gather
        if (batch === undefined) return
        yield* send(batch)
      }
    }).pipe(Effect.provideService(AmsHttp.AmsHttp, http))

    const running = yield* Effect.forkScoped(sender)
    yield* Effect.addFinalizer(() =>
      Effect.zipRight(
        Effect.zipRight(Effect.sync(() => (closed = true)), Queue.offer(wake, undefined)),
        Effect.asVoid(running.await)
      )
    )

    const flush = Effect.suspend(() => {
      const until = last
      if (until === undefined) return Effect.void
      flushTo = until.seq
      // The last run buffered holds nothing after `until`: its ticket is done once `until` is settled.
      return Effect.zipRight(Queue.offer(wake, undefined), whenSettled(until.ticket, () => Effect.void))
    })

    const made: Publisher<unknown> & { readonly [runs]: Runs<unknown> } = {
      topic,
      offer,
      flush,
      publish: (message) => Effect.flatten(offer(message)),
      stats: Effect.sync((): Stats => ({ ...stats })),
      [runs]: { offer: offerRun, size: Math.min(maxMessages, bufferMessages) }
    }
    return made
  })

/**
 * Publishes every message of a stream through `publisher`, in order, with backpressure (the stream is
 * read only as fast as the buffer takes it), and emits each message's id in the same order. Up to
 * `inFlight` messages (a whole number ≥ 1; default four requests' worth, `4 × maxMessages`) are
 * offered and not yet emitted at once.
 * A message that cannot be sent (`AmsMessageError`) fails the stream after the ids of the messages
 * before it, which are published; nothing after it is read. Messages are taken from the stream's
 * chunks in runs that are checked and buffered together.
 *
 * @example
 * import { Publisher } from "@argo-ams/client"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const publisher = yield* Publisher.make("alerts")
 *   const messages = Stream.range(1, 1000).pipe(Stream.map((n) => ({ data: String(n) })))
 *   return yield* Stream.runCount(Publisher.publishAll(publisher, messages))
 * }))
 *
 * @since 0.1.0
 * @category streams
 */
export const publishAll = <In, E, R>(
  publisher: Publisher<In>,
  messages: Stream.Stream<In, E, R>,
  options?: { readonly inFlight?: number | undefined }
): Stream.Stream<string, E | AmsError, R> =>
  Stream.unwrap(Effect.gen(function*() {
    const entry = runs in publisher
      ? (publisher as unknown as { readonly [runs]: Runs<In> })[runs]
      : offerEach(publisher)
    // Enough read ahead to keep the sender busy; more only gives the garbage collector more to keep.
    const inFlight = yield* positive("inFlight", options?.inFlight ?? 4 * entry.size)
    // Messages offered whose ids are not yet taken downstream: at most `inFlight`.
    const room = yield* Gate.make(inFlight, 0)
    const size = Math.min(inFlight, entry.size)
    return messages.pipe(
      // Runs of at most `size` messages, cut from the chunks as they come (never waiting for more).
      Stream.mapChunks((chunk) => {
        const all = Chunk.toReadonlyArray(chunk)
        const cut: Array<ReadonlyArray<In>> = []
        for (let i = 0; i < all.length; i += size) cut.push(all.slice(i, i + size))
        return Chunk.unsafeFromArray(cut)
      }),
      Stream.mapEffect((run) =>
        Effect.zipRight(
          room.acquire(run.length, 0),
          Effect.map(entry.offer(run), (offered) => ({ ...offered, size: run.length }))
        )
      ),
      // A run cut short by a message that cannot be sent is the last one read from the input.
      Stream.takeUntil(({ offered }) => !offered),
      // When the input ends, the last batch goes at once instead of after `maxDelay`.
      Stream.concat(Stream.execute(publisher.flush)),
      Stream.buffer({ capacity: "unbounded" }),
      Stream.mapEffect(({ settled, size }) => Effect.tap(settled, () => room.release(size, 0))),
      // Each run's ids as one chunk (`Stream.fromIterable` would cost a microsecond an id).
      Stream.flatMap(({ failure, ids }) =>
        failure === undefined
          ? Stream.fromChunk(Chunk.unsafeFromArray(ids))
          : Stream.concat(Stream.fromChunk(Chunk.unsafeFromArray(ids)), Stream.failCause(failure))
      )
    )
  }))

/** `publishAll`'s way into any other `Publisher`: one `offer` after the other. */
const offerEach = <In>(publisher: Publisher<In>): Runs<In> => ({
  size: defaults.maxMessages,
  offer: (run) =>
    Effect.gen(function*() {
      const waits: Array<Effect.Effect<string, AmsError>> = []
      let failure: Cause.Cause<AmsError> | undefined
      for (const message of run) {
        const offered = yield* Effect.exit(publisher.offer(message))
        if (Exit.isFailure(offered)) {
          failure = offered.cause
          break
        }
        waits.push(offered.value)
      }
      const settled = Effect.gen(function*() {
        const ids: Array<string> = []
        for (const wait of waits) {
          const id = yield* Effect.exit(wait)
          if (Exit.isFailure(id)) return { ids, failure: id.cause }
          ids.push(id.value)
        }
        return { ids, failure }
      })
      return { offered: failure === undefined, settled }
    })
})
