// A tiny stand-in emulator for adapter tests: it echoes what it was sent and answers a few fixed routes.
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { Emulator, EmulatorRequest, EmulatorResponse } from "../src/internal/contract.js"

const json = { "content-type": "application/json; charset=utf-8" }

const route = (request: EmulatorRequest): EmulatorResponse => {
  const path = new URL(request.url, "http://x").pathname
  switch (path) {
    case "/empty":
      return { status: 200, headers: json, body: "" }
    case "/braces":
      return { status: 200, headers: json, body: "{}" }
    case "/teapot":
      return { status: 418, headers: { "content-type": "text/plain", "x-custom": "yes" }, body: "short and stout" }
    case "/missing":
      return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404 page not found\n" }
    case "/unicode":
      return { status: 200, headers: json, body: "{\"text\":\"héllo ✓ 日本\"}" }
    default:
      return { status: 200, headers: json, body: JSON.stringify(request) }
  }
}

/** A fake emulator plus the requests it has seen. */
export const make = Effect.gen(function*() {
  const seen = yield* Ref.make<ReadonlyArray<EmulatorRequest>>([])
  const interrupted = yield* Ref.make(0)
  const emulator: Emulator = {
    handle: (request) =>
      Effect.zipRight(
        Ref.update(seen, (all) => [...all, request]),
        // `/hang` never answers, like a long poll; it counts how often it was interrupted.
        request.url.startsWith("/hang")
          ? Effect.onInterrupt(Effect.never, () => Ref.update(interrupted, (n) => n + 1))
          : Effect.succeed(route(request))
      )
  }
  return { emulator, seen, interrupted }
})
