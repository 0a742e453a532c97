/**
 * Whatever a JavaScript caller passes, past the types, an operation never throws while the program is
 * built and never dies when it runs: it fails with a typed AmsError (an AmsArgumentError for what it
 * can tell is wrong before any request).
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Seed from "@argo-ams/emulator/Seed"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { isAmsError } from "../../src/AmsError.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as MessageSchema from "../../src/MessageSchema.js"
import * as Project from "../../src/Project.js"
import * as Registration from "../../src/Registration.js"
import * as Service from "../../src/Service.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"
import * as User from "../../src/User.js"

const modules = { MessageSchema, Project, Registration, Service, Subscription, Topic, User } as const

const throwing = new Proxy({}, {
  get: () => {
    throw new Error("a hostile getter")
  }
})

const hostile: ReadonlyArray<readonly [string, unknown]> = [
  ["null", null],
  ["undefined", undefined],
  ["42", 42],
  ["NaN", Number.NaN],
  ["-1", -1],
  ["\"\"", ""],
  ["a bad name", "bad name/../x"],
  ["{}", {}],
  ["[]", []],
  ["[null]", [null]],
  ["a symbol", Symbol("s")],
  ["a bigint", 10n],
  ["a function", () => 1],
  ["an invalid date", new Date(Number.NaN)],
  ["a throwing proxy", throwing]
]

const layer = Layer.provide(
  AmsHttp.layer({ endpoint: "https://ams.test", token: Redacted.make(Seed.adminToken), project: Seed.demoProject }),
  Layer.orDie(AmsEmulator.layer())
)

type Operation = (...args: ReadonlyArray<unknown>) => unknown

const run = (value: unknown): Effect.Effect<unknown, unknown, AmsHttp.AmsHttp> =>
  Stream.StreamTypeId in (value as object)
    ? Stream.runCollect(Stream.take(value as Stream.Stream<unknown, unknown, AmsHttp.AmsHttp>, 3))
    : value as Effect.Effect<unknown, unknown, AmsHttp.AmsHttp>

describe("issue 7.5 every operation checks its arguments inside the Effect", () => {
  for (const [moduleName, module] of Object.entries(modules)) {
    for (const [name, operation] of Object.entries(module)) {
      // Classes and schemas (capitalised) are not operations.
      if (typeof operation !== "function" || /^[A-Z]/.test(name)) continue
      it.effect(`${moduleName}.${name}: no throw while built, no defect when run, whatever it is given`, () =>
        Effect.gen(function*() {
          for (const [label, value] of hostile) {
            // The hostile value in every position, then after one or two plausible leading arguments.
            for (const args of [[value, value, value, value], ["t", value, value, value], ["t", "t", value, value]]) {
              let built: unknown
              try {
                built = (operation as Operation)(...args)
              } catch (error) {
                assert.fail(`${moduleName}.${name} threw on ${label}: ${String(error)}`)
              }
              assert(Effect.isEffect(built) || Stream.StreamTypeId in (built as object), "not an Effect or a Stream")
              const exit = yield* run(built).pipe(Effect.provide(layer), Effect.exit)
              if (Exit.isFailure(exit)) {
                assert(
                  Cause.isFailType(exit.cause) && isAmsError(exit.cause.error),
                  `${moduleName}.${name} on ${label} did not fail with an AmsError: ${Cause.pretty(exit.cause)}`
                )
              }
            }
          }
        }))
    }
  }

  it.effect("Subscription.timeToOffset(null) fails with AmsArgumentError, and so do the other bad times", () =>
    Effect.gen(function*() {
      for (const time of [null, undefined, "2020-01-01", 0, {}, new Date(Number.NaN)]) {
        const error = yield* Subscription.timeToOffset("s", time as unknown as Date).pipe(
          Effect.provide(layer),
          Effect.flip
        )
        expect(error).toMatchObject({
          _tag: "AmsArgumentError",
          operation: "subscription.timeToOffset",
          argument: "time"
        })
      }
    }))

  it.effect("acknowledge, modifyAcl and publish refuse what is not a list, as AmsArgumentError", () =>
    Effect.gen(function*() {
      for (const list of [null, "abc", 42, { length: 1 }]) {
        const errors = yield* Effect.all([
          Subscription.acknowledge("s", list as never).pipe(Effect.flip),
          Topic.modifyAcl("t", list as never).pipe(Effect.flip),
          Topic.publish("t", list as never).pipe(Effect.flip)
        ]).pipe(Effect.provide(layer))
        for (const error of errors) expect(["AmsArgumentError", "AmsMessageError"]).toContain(error._tag)
      }
    }))
})
