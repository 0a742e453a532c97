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
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { AmsError } from "./AmsError.js"
import { AmsDecodeError, AmsMessageError, isRetryable } from "./AmsError.js"
import * as AmsHttp from "./AmsHttp.js"
import * as Gate from "./internal/gate.js"
import * as Payload from "./internal/payload.js"
import * as Publish from "./internal/publish.js"
import * as Wire from "./internal/wire.js"
import * as Message from "./Message.js"

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

/**
 * The publisher's Effect metrics, tagged `ams.topic` with the topic's name: counters `published`,
 * `batches`, `retried`, `failed` and the gauge `buffered`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const metrics = {
  published: Metric.counter("ams.publisher.published", { description: "messages stored by AMS", incremental: true }),
  batches: Metric.counter("ams.publisher.batches", {
    description: "publish requests that succeeded",
    incremental: true
  }),
  retried: Metric.counter("ams.publisher.retried", { description: "publish requests sent again", incremental: true }),
  failed: Metric.counter("ams.publisher.failed", { description: "messages whose batch failed", incremental: true }),
  buffered: Metric.gauge("ams.publisher.buffered", { description: "messages buffered, not yet settled" })
}

/**
 * Where the outcomes of one run of messages buffered together go: each message's id or its batch's
 * failure, in its slot; `done` once every one is settled (one Deferred per run, not per message).
 */
interface Ticket {
  readonly done: Deferred.Deferred<void>
  readonly results: Array<Exit.Exit<string, AmsError>>
  left: number
}

interface Item {
  /** Position in call order, from 1. */
  readonly seq: number
  readonly encoded: Message.Encoded
  readonly bytes: number
  readonly ticket: Ticket
  readonly slot: number
}

/** A message checked and encoded once, when it is offered, with its share of a request's body. */
interface Checked {
  readonly encoded: Message.Encoded
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
      published: Metric.tagged(metrics.published, "ams.topic", topic),
      batches: Metric.tagged(metrics.batches, "ams.topic", topic),
      retried: Metric.tagged(metrics.retried, "ams.topic", topic),
      failed: Metric.tagged(metrics.failed, "ams.topic", topic),
      buffered: Metric.tagged(metrics.buffered, "ams.topic", topic)
    }

    const stats = yield* Ref.make<Stats>({ published: 0, batches: 0, retried: 0, failed: 0, buffered: 0 })
    const count = (field: keyof Stats, n: number) =>
      Effect.zipRight(
        Ref.update(stats, (s) => ({ ...s, [field]: s[field] + n })),
        field === "buffered"
          ? Effect.flatMap(Ref.get(stats), (s) => Metric.set(tagged.buffered, s.buffered))
          : Metric.incrementBy(tagged[field], n)
      )

    const gate = yield* Gate.make(bufferMessages, bufferBytes)
    // The buffer, read from `head`: touched only inside the fiber steps of `admit` and `gather`, so each
    // change is atomic; `wake` tells the sender.
    let buffer: Array<Item> = []
    let head = 0
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
      const encoded = Message.encode(outgoing, 0, "publisher.publish")
      return Either.isLeft(encoded)
        ? Either.left(encoded.left)
        : Either.right({ encoded: encoded.right, bytes: Wire.requestBytes(encoded.right) })
    }

    // A message bigger than the whole byte budget still gets in, alone.
    const share = (bytes: number) => Math.min(bytes, bufferBytes)
    const usedAfterClose = () => Effect.dieMessage(`Publisher for ${topic} used after its scope closed`)

    /**
     * Buffers checked messages in one step, after waiting for room for all of them (a run never holds
     * more than the buffer's budgets), and returns their ticket.
     */
    const admit = (run: ReadonlyArray<Checked>): Effect.Effect<Ticket> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          if (closed) return yield* usedAfterClose()
          let shares = 0
          for (const checked of run) shares += share(checked.bytes)
          yield* restore(gate.acquire(run.length, shares))
          const ticket: Ticket = {
            done: yield* Deferred.make<void>(),
            results: new Array(run.length),
            left: run.length
          }
          if (closed) {
            yield* gate.release(run.length, shares)
            return yield* usedAfterClose()
          }
          for (let slot = 0; slot < run.length; slot++) {
            last = { seq: ++admitted, encoded: run[slot].encoded, bytes: run[slot].bytes, ticket, slot }
            buffer.push(last)
          }
          yield* count("buffered", run.length)
          yield* Queue.offer(wake, undefined)
          return ticket
        })
      )

    const offer = (message: unknown): Effect.Effect<Effect.Effect<string, AmsError>, AmsError> =>
      Effect.flatMap(toOutgoing(message), (outgoing) => {
        const checked = check(outgoing)
        if (Either.isLeft(checked)) return Effect.fail(checked.left)
        return Effect.map(
          admit([checked.right]),
          (ticket) => Effect.zipRight(Deferred.await(ticket.done), Effect.suspend(() => ticket.results[0]))
        )
      })

    /**
     * `publishAll`'s entry: checks a run of messages in order and buffers them in pieces that fit the
     * buffer; the first message that cannot be offered ends the run (the ones before it are published).
     */
    const offerRun: OfferRun<unknown> = (messages) =>
      Effect.gen(function*() {
        const tickets: Array<Ticket> = []
        let failure: Cause.Cause<AmsError> | undefined
        // The first message that cannot be sent: the ones before it still go.
        let refused: Cause.Cause<AmsError> | undefined
        let piece: Array<Checked> = []
        let pieceBytes = 0
        const push = Effect.suspend(() => Effect.exit(admit(piece))).pipe(Effect.map((admitted) => {
          if (Exit.isSuccess(admitted)) tickets.push(admitted.value)
          else failure = admitted.cause
          piece = []
          pieceBytes = 0
        }))
        for (const message of messages) {
          const checked = typed === undefined
            ? check(message as Message.Outgoing)
            : Either.flatMap(yield* Effect.either(toOutgoing(message)), check)
          if (Either.isLeft(checked)) {
            refused = Cause.fail(checked.left)
            break
          }
          const bytes = share(checked.right.bytes)
          if (piece.length > 0 && (piece.length >= bufferMessages || pieceBytes + bytes > bufferBytes)) {
            yield* push
            if (failure !== undefined) break
          }
          piece.push(checked.right)
          pieceBytes += bytes
        }
        if (failure === undefined && piece.length > 0) yield* push
        failure ??= refused
        const offered = failure === undefined
        return {
          offered,
          settled: Effect.as(
            Effect.forEach(tickets, (ticket) => Deferred.await(ticket.done), { discard: true }),
            undefined
          ).pipe(Effect.map(() => outcome(tickets, failure)))
        }
      })

    /** Takes from the buffer what fits in one request, the first message always. */
    const takeBatch = (batch: Array<Item>, bytes: number): number => {
      while (head < buffer.length && batch.length < maxMessages) {
        const next = buffer[head]
        if (batch.length > 0 && bytes + next.bytes > maxBytes) break
        batch.push(next)
        head++
        bytes += next.bytes
      }
      // Taken items leave the array once they are most of it.
      if (head === buffer.length) {
        buffer = []
        head = 0
      } else if (head > 1024 && head * 2 > buffer.length) {
        buffer = buffer.slice(head)
        head = 0
      }
      return bytes
    }

    const full = (batch: ReadonlyArray<Item>, bytes: number) =>
      batch.length >= maxMessages || (head < buffer.length && bytes + buffer[head].bytes > maxBytes)

    /** Waits for the first message, then for more until the batch is full, `maxDelay` passed, or closing. */
    const gather: Effect.Effect<ReadonlyArray<Item> | undefined> = Effect.gen(function*() {
      while (head === buffer.length) {
        if (closed) return undefined
        yield* Queue.take(wake)
      }
      const batch: Array<Item> = []
      let bytes = envelopeBytes
      const start = yield* Clock.currentTimeMillis
      while (true) {
        bytes = takeBatch(batch, bytes)
        if (closed || full(batch, bytes) || batch[batch.length - 1].seq <= flushTo) break
        const left = Duration.toMillis(maxDelay) - ((yield* Clock.currentTimeMillis) - start)
        if (left <= 0) break
        if (head < buffer.length) continue
        const woke = yield* Effect.timeoutOption(Queue.take(wake), Duration.millis(left))
        if (Option.isNone(woke)) break
      }
      return batch
    })

    const attempt = (batch: ReadonlyArray<Item>) =>
      Effect.flatMap(
        // Checked and encoded when offered: sent as they are.
        Publish.publish(topic, () => Effect.succeed(batch.map((item) => item.encoded)), { project }),
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

    /** Puts each message's outcome in its ticket; the tickets now complete are released together. */
    const settle = (batch: ReadonlyArray<Item>, exit: Exit.Exit<ReadonlyArray<string>, AmsError>) =>
      Effect.suspend(() => {
        const done: Array<Deferred.Deferred<void>> = []
        const failed = Exit.isFailure(exit) ? Exit.failCause(exit.cause) : undefined
        for (let i = 0; i < batch.length; i++) {
          const { slot, ticket } = batch[i]
          ticket.results[slot] = failed ?? Exit.succeed((exit as Exit.Success<ReadonlyArray<string>, never>).value[i])
          if (--ticket.left === 0) done.push(ticket.done)
        }
        return Effect.forEach(done, (deferred) => Deferred.succeed(deferred, undefined), { discard: true })
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
        Effect.withSpan("ams.publisher.batch", {
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
      return Effect.zipRight(Queue.offer(wake, undefined), Deferred.await(until.ticket.done))
    })

    const made: Publisher<unknown> & { readonly [runs]: Runs<unknown> } = {
      topic,
      offer,
      flush,
      publish: (message) => Effect.flatten(offer(message)),
      stats: Ref.get(stats),
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
 * chunks in runs that are checked, encoded and buffered together.
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
      Stream.flatMap(({ failure, ids }) =>
        failure === undefined
          ? Stream.fromIterable(ids)
          : Stream.concat(Stream.fromIterable(ids), Stream.failCause(failure))
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
