/** Whether a span made now can be seen by anyone: the rule by which operations skip spans nobody sees. */
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Tracer from "effect/Tracer"

// Effect's built-in tracer, which every fiber has unless a tracing layer (OpenTelemetry, DevTools, a
// tracer of one's own) replaces it: its spans are kept nowhere and exported to nobody.
const builtIn = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/** Tracing is on for this fiber, and its tracer is not Effect's built-in one. */
export const observed = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean =>
  fiber.getFiberRef(FiberRef.currentTracerEnabled) &&
  Context.get(fiber.getFiberRef(DefaultServices.currentServices), Tracer.Tracer) !== builtIn
