// Shared test helpers: raw requests against an emulator built from a seed.
import * as Effect from "effect/Effect"
import type { Config, Emulator, EmulatorResponse } from "../src/Emulator.js"
import * as Ams from "../src/Emulator.js"
import type { Seed } from "../src/Seed.js"
import * as Seeds from "../src/Seed.js"

/** A client bound to one emulator: `call(method, path, token?, body?)`. */
export interface Client {
  readonly emulator: Emulator
  readonly call: (
    method: string,
    url: string,
    token?: string,
    body?: unknown
  ) => Effect.Effect<EmulatorResponse>
  /** Like `call` but parses the JSON body of a 200 (fails the test otherwise). */
  readonly ok: (method: string, url: string, token?: string, body?: unknown) => Effect.Effect<unknown>
}

/** Builds an emulator and a tiny client around its `handle`. */
export const client = (seed: Seed = Seeds.defaultSeed, config: Config = {}): Effect.Effect<Client> =>
  Effect.gen(function*() {
    const emulator = yield* Effect.orDie(Ams.make(seed, config))
    const call: Client["call"] = (method, url, token, body) =>
      emulator.handle({
        method,
        url,
        headers: token === undefined ? {} : { "x-api-key": token },
        body: body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body)
      })
    const ok: Client["ok"] = (method, url, token, body) =>
      Effect.flatMap(call(method, url, token, body), (response) =>
        response.status === 200
          ? Effect.succeed(response.body === "" ? {} : JSON.parse(response.body) as unknown)
          : Effect.die(new Error(`${method} ${url} → ${response.status} ${response.body}`)))
    return { emulator, call, ok }
  })

/** The error envelope of an AMS error. */
export const errorBody = (code: number, message: string, status: string): string =>
  JSON.stringify({ error: { code, message, status } }, null, 3)

/** Default-seed tokens. */
export const admin = Seeds.adminToken
export const projectAdmin = Seeds.projectAdminToken
export const publisher = Seeds.publisherToken
export const consumer = Seeds.consumerToken

/** Paths in the demo project. */
export const topic = (name: string, suffix = "") => `/v1/projects/demo/topics/${name}${suffix}`
export const sub = (name: string, suffix = "") => `/v1/projects/demo/subscriptions/${name}${suffix}`

/** base64 of a UTF-8 string. */
export const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64")
