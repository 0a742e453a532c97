/** A tracer for unit tests that keeps every span it starts, to check what ends up recorded on them. */
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

/** Runs `effect` under a tracer that records its spans, and returns them with the result. */
export const recording = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<{ readonly result: A; readonly spans: ReadonlyArray<Tracer.Span> }, E, R> =>
  Effect.flatMap(Effect.tracer, (native) => {
    const spans: Array<Tracer.Span> = []
    const tracer = Tracer.make({
      span: (name, parent, context, links, startTime, kind, options) => {
        const span = native.span(name, parent, context, links, startTime, kind, options)
        spans.push(span)
        return span
      },
      context: native.context
    })
    return Effect.map(Effect.withTracer(effect, tracer), (result) => ({ result, spans }))
  })

/** Every attribute value of every span, as text. */
export const attributeValues = (spans: ReadonlyArray<Tracer.Span>): ReadonlyArray<string> =>
  spans.flatMap((span) => [...span.attributes.values()].map(String))
