// End-to-end helpers: the emulator's bin on a free port, and `ams` run as a child process against it.
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { inject } from "vitest"

const here = Path.dirname(fileURLToPath(import.meta.url))
/** The launcher users run (tsx on the sources inside the workspace). */
export const launcher = Path.join(here, "..", "..", "bin", "ams.js")
/** The same sources bundled once by test/setup.ts: what the suite runs, for speed. */
const amsBin = inject("amsBundle")
const emulatorBin = Path.join(here, "..", "..", "..", "emulator", "bin", "ams-emulator.js")

/** The tokens of the emulator's default seed. */
export const tokens = {
  admin: "admin-token",
  projectAdmin: "demo-admin-token",
  publisher: "publisher-token",
  consumer: "consumer-token"
} as const

export interface Emulator {
  readonly endpoint: string
  /** A home directory of its own, so that no real profile is ever read. */
  readonly home: string
  readonly stop: Effect.Effect<void>
}

export class EmulatorProcess extends Context.Tag("test/EmulatorProcess")<EmulatorProcess, Emulator>() {}

/** Spawns `ams-emulator --port 0 ...` and waits for its banner; the scope stops it. */
export const spawnEmulator = (args: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(process.execPath, [emulatorBin, "--port", "0", ...args], {
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    const ready = yield* Deferred.make<string, Error>()
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      const match = /listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (match !== null && stdout.includes("Ctrl-C to stop.")) Deferred.unsafeDone(ready, Effect.succeed(match[1]))
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on(
      "exit",
      (code) => Deferred.unsafeDone(ready, Effect.fail(new Error(`emulator exited (${code}): ${stderr}`)))
    )
    const endpoint = yield* Effect.timeoutFail(Deferred.await(ready), {
      duration: "60 seconds",
      onTimeout: () => new Error(`no emulator banner: ${stdout} ${stderr}`)
    })
    const home = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "ams-cli-home-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    )
    const stop = Effect.async<void>((resume) => {
      if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
      child.once("exit", () => resume(Effect.void))
      child.kill("SIGTERM")
    })
    return { endpoint, home, stop } satisfies Emulator
  })

/** One emulator for a whole test file. */
export const layer = (args: ReadonlyArray<string> = []): Layer.Layer<EmulatorProcess, Error> =>
  Layer.scoped(EmulatorProcess, spawnEmulator(args))

export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Replaces the default environment (endpoint, admin token, project `demo`); `undefined` unsets. */
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly stdin?: string
  readonly cwd?: string
  /** The script to run: the bundle (default) or `launcher`. */
  readonly bin?: string
}

/** The environment of a child: the parent's without any AMS_* variable, and a private HOME. */
const baseEnv = (home: string): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("AMS_") && key !== "XDG_CONFIG_HOME") env[key] = value
  }
  env.HOME = home
  env.NO_COLOR = "1"
  return env
}

/** Starts `ams ARGS` and gives the process, for tests that signal it. */
export const start = (emulator: Emulator, args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.gen(function*() {
    const env = baseEnv(emulator.home)
    Object.assign(env, { AMS_ENDPOINT: emulator.endpoint, AMS_TOKEN: tokens.admin, AMS_PROJECT: "demo" })
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key]
      else env[key] = value
    }
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(process.execPath, [options.bin ?? amsBin, ...args], {
          env,
          cwd: options.cwd ?? emulator.home,
          stdio: ["pipe", "pipe", "pipe"]
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const exited = yield* Deferred.make<Result>()
    child.on("close", (code, signal) => Deferred.unsafeDone(exited, Effect.succeed({ code, signal, stdout, stderr })))
    if (options.stdin === undefined) child.stdin.end()
    else child.stdin.end(options.stdin)
    return {
      child,
      output: Effect.sync(() => ({ stdout, stderr })),
      result: Effect.timeoutFail(Deferred.await(exited), {
        duration: "120 seconds",
        onTimeout: () => new Error(`ams ${args.join(" ")} did not end: ${stdout} ${stderr}`)
      })
    }
  })

/** Runs `ams ARGS` to the end. */
export const run = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.flatMap(
    EmulatorProcess,
    (emulator) => Effect.scoped(Effect.flatMap(start(emulator, args, options), (proc) => proc.result))
  )

/** Runs `bin/ams.js ARGS`, the launcher users run (tsx on the sources inside the workspace). */
export const runLauncher = (args: ReadonlyArray<string>) => run(args, { bin: launcher })

/** Runs `ams ARGS --output json` and parses stdout, failing with the output if it did not exit 0. */
export const json = <A = unknown>(args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.flatMap(run([...args, "--output", "json"], options), (result) =>
    result.code === 0
      ? Effect.try(() => JSON.parse(result.stdout) as A)
      : Effect.fail(new Error(`ams ${args.join(" ")} exited ${result.code}: ${result.stderr}`)))

/** Runs `ams ARGS` and fails unless it exits 0. */
export const ok = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.flatMap(run(args, options), (result) =>
    result.code === 0
      ? Effect.succeed(result)
      : Effect.fail(new Error(`ams ${args.join(" ")} exited ${result.code}: ${result.stderr}`)))

/** A name no other test of the file uses. */
export const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`

/** Publishes straight through HTTP (not through `ams`), to set up a test. */
export const publishRaw = (
  topic: string,
  messages: ReadonlyArray<{ data: string; attributes?: Record<string, string> }>
) =>
  Effect.flatMap(EmulatorProcess, (emulator) =>
    Effect.tryPromise(async () => {
      const response = await fetch(`${emulator.endpoint}/v1/projects/demo/topics/${topic}:publish`, {
        method: "POST",
        headers: { "x-api-key": tokens.admin, "content-type": "application/json" },
        body: JSON.stringify({
          messages: messages.map((m) => ({ ...m, data: Buffer.from(m.data).toString("base64") }))
        })
      })
      if (response.status !== 200) throw new Error(`publish: ${response.status} ${await response.text()}`)
      return ((await response.json()) as { messageIds: Array<string> }).messageIds
    }))

/** The JSON lines of an output. */
export const lines = <A = unknown>(text: string): Array<A> =>
  text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as A)

/** An HTTP server that is not AMS (a load balancer page, a broken proxy), for the scope. */
export const fakeServer = (answer: { readonly status: number; readonly body: string; readonly type: string }) =>
  Effect.acquireRelease(
    Effect.async<{ readonly endpoint: string; readonly server: Http.Server }>((resume) => {
      const server = Http.createServer((_request, response) => {
        response.writeHead(answer.status, { "content-type": answer.type })
        response.end(answer.body)
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address() as { port: number }
        resume(Effect.succeed({ endpoint: `http://127.0.0.1:${address.port}`, server }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  )

/** A fresh topic and a subscription on it (`<topic>-s`), made through `ams`. */
export const fixture = Effect.gen(function*() {
  const topic = unique("t")
  const sub = `${topic}-s`
  yield* ok(["topics", "create", topic])
  yield* ok(["subs", "create", sub, "--topic", topic])
  return { topic, sub }
})
