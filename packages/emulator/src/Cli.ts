/**
 * The `ams-emulator` command line on `@effect/cli`: every `Emulator.Config` and server option as a flag or in a
 * JSON config file, `--help` generated from the same definitions. `command` is reusable as a subcommand.
 * Node only, so reachable by its subpath (`@argo-ams/emulator/Cli`), not through the barrel.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Os from "node:os"
import * as AmsEmulator from "./AmsEmulator.js"
import * as Emulator from "./Emulator.js"
import * as Seed from "./Seed.js"

/**
 * Arguments or a config file that cannot be used; the bin exits with code 2.
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const optionalFile = (name: string, description: string) =>
  Options.file(name).pipe(Options.withDescription(description), Options.optional)

// `--name` / `--no-name`; neither leaves the config file (or the default) in charge, which a bare boolean cannot.
const toggle = (name: string, description: string) =>
  Options.all({
    on: Options.boolean(name).pipe(Options.withDescription(description)),
    off: Options.boolean(`no-${name}`).pipe(Options.withDescription(`the opposite of --${name}`))
  }).pipe(Options.map(({ off, on }) => on ? Option.some(true) : off ? Option.some(false) : Option.none<boolean>()))

/**
 * The flags, each also a key of the config file (its long name without `--`).
 *
 * @since 0.1.0
 * @category options
 */
export const options = {
  config: optionalFile(
    "config",
    "a JSON file holding any of these options by long name, e.g. {\"port\": 8080, \"push-enabled\": true}; "
      + "flags given as well win; paths in it are relative to the file"
  ),
  port: Options.integer("port").pipe(
    Options.withAlias("p"),
    Options.withDescription("port to listen on (default 8080; 0 = any free port)"),
    Options.optional
  ),
  host: optionalText("host", "address to listen on (default 127.0.0.1)"),
  seed: optionalFile("seed", "a JSON seed file (projects, users, topics, subscriptions); default: the demo seed"),
  tls: toggle("tls", "serve HTTPS with a certificate generated for localhost / 127.0.0.1 / ::1"),
  cert: optionalFile("cert", "serve HTTPS with this PEM certificate (with --key; implies --tls)"),
  key: optionalFile("key", "the PEM private key of --cert"),
  caOut: optionalText("ca-out", "where to write the generated CA certificate (default: a file in the temp directory)"),
  authOption: Options.choice("auth-option", ["both", "header", "key"]).pipe(
    Options.withDescription(
      "where the token is read: the x-api-key header, ?key=, or both, header first (default both)"
    ),
    Options.optional
  ),
  serviceToken: optionalText("service-token", "a token that acts as service_admin everywhere"),
  perResourceAuth: toggle("per-resource-auth", "check the per-topic/subscription ACLs (the default)"),
  pushEnabled: toggle("push-enabled", "allow push subscriptions (default: off, as on a server without push)"),
  pushWorkerToken: optionalText("push-worker-token", "the token of the push-worker user (a seed user with it)"),
  proxyHostname: optionalText("proxy-hostname", "the hostname reported by /v1/version (default empty)"),
  roleTable: optionalFile(
    "role-table",
    "a JSON file mapping route names to allowed roles, e.g. {\"topics:list\": [\"consumer\"]} (default: §2.3)"
  ),
  pullWaitLimit: Options.float("pull-wait-limit").pipe(
    Options.withDescription("longest wait of a blocking pull, in seconds (default 300)"),
    Options.optional
  ),
  maxBodyBytes: Options.integer("max-body-bytes").pipe(
    Options.withDescription("largest request body read; a longer one gets 413 (default 67108864 = 64 MiB)"),
    Options.optional
  ),
  pushVerification: Options.choice("push-verification", ["loopback", "any"]).pipe(
    Options.withDescription(
      "hosts :verifyPushEndpoint may fetch: loopback only (the default), or any (reaches the network)"
    ),
    Options.optional
  )
}

type Flags = {
  readonly [K in keyof typeof options]: (typeof options)[K] extends Options.Options<infer A> ? A : never
}

/** What the config file may hold, by flag name, and how each value is checked. */
const fileKeys = {
  port: "number",
  host: "string",
  seed: "path or object",
  tls: "boolean",
  cert: "path",
  key: "path",
  "ca-out": "string",
  "auth-option": "string",
  "service-token": "string",
  "per-resource-auth": "boolean",
  "push-enabled": "boolean",
  "push-worker-token": "string",
  "proxy-hostname": "string",
  "role-table": "path or object",
  "pull-wait-limit": "number",
  "max-body-bytes": "number",
  "push-verification": "string"
} as const

type FileKey = keyof typeof fileKeys

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const readText = (file: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(file)).pipe(
    Effect.mapError((cause) => new UsageError({ message: `cannot read ${file}: ${cause.message}` }))
  )

const readJson = (file: string) =>
  Effect.flatMap(readText(file), (text) =>
    Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: () => new UsageError({ message: `${file} is not JSON` })
    }))

/** Reads and checks the config file; its relative paths are resolved against its own folder. */
const readConfigFile = (file: string) =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const json = yield* readJson(file)
    if (!isRecord(json)) return yield* new UsageError({ message: `${file}: expected a JSON object` })
    const values: Partial<Record<FileKey, unknown>> = {}
    for (const [key, value] of Object.entries(json)) {
      if (!(key in fileKeys)) {
        return yield* new UsageError({
          message: `${file}: unknown key "${key}" (expected one of ${Object.keys(fileKeys).join(", ")})`
        })
      }
      const kind = fileKeys[key as FileKey]
      const ok = kind === "path or object"
        ? typeof value === "string" || isRecord(value)
        : kind === "path"
        ? typeof value === "string"
        : typeof value === kind
      if (!ok) return yield* new UsageError({ message: `${file}: "${key}" must be a ${kind}` })
      values[key as FileKey] = kind !== "number" && typeof value === "string" && kind.startsWith("path")
        ? path.resolve(path.dirname(file), value)
        : value
    }
    return values
  })

/** A flag if given, else the config file's value, else undefined (the option's default). */
const pick = <A>(flag: Option.Option<A>, file: unknown): A | undefined =>
  Option.getOrElse(flag, () => file as A | undefined)

const jsonFrom = (value: unknown) => typeof value === "string" ? readJson(value) : Effect.succeed(value)

const describeUser = (user: Seed.SeedUser): string => {
  const roles = [
    ...(user.service_roles ?? []).map((role) => `${role} (service)`),
    ...(user.projects ?? []).map((m) => `${m.roles.join("+")} on ${m.project}`)
  ]
  return `  ${user.name.padEnd(14)} token ${user.token.padEnd(20)} ${roles.join(", ") || "no roles"}`
}

const oneOf = <A extends string>(name: string, value: string | undefined, allowed: ReadonlyArray<A>) =>
  value === undefined || (allowed as ReadonlyArray<string>).includes(value)
    ? Effect.succeed(value as A | undefined)
    : Effect.fail(new UsageError({ message: `invalid --${name} ${value} (expected ${allowed.join(", ")})` }))

/**
 * Starts the emulator as the flags say, prints how to reach it, and runs until interrupted (SIGINT/SIGTERM).
 *
 * @since 0.1.0
 * @category handlers
 */
export const start = (flags: Flags) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = Option.isSome(flags.config) ? yield* readConfigFile(flags.config.value) : {}
    const port = pick(flags.port, file.port) ?? 8080
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return yield* new UsageError({ message: `invalid --port ${port}` })
    }
    const cert = pick(flags.cert, file.cert)
    const key = pick(flags.key, file.key)
    if ((cert === undefined) !== (key === undefined)) {
      return yield* new UsageError({ message: "--cert and --key go together" })
    }
    const seedSource = pick(flags.seed, file.seed)
    const seed = (seedSource === undefined ? Seed.defaultSeed : yield* jsonFrom(seedSource)) as Seed.Seed
    const roleSource = pick(flags.roleTable, file["role-table"])
    const roleTable = roleSource === undefined ? undefined : yield* jsonFrom(roleSource)
    if (
      roleTable !== undefined &&
      !(isRecord(roleTable) &&
        Object.values(roleTable).every((roles) => Array.isArray(roles) && roles.every((r) => typeof r === "string")))
    ) {
      return yield* new UsageError({ message: "--role-table: expected an object of route names to arrays of roles" })
    }
    const waitLimit = pick(flags.pullWaitLimit, file["pull-wait-limit"])
    if (waitLimit !== undefined && !(waitLimit >= 0 && Number.isFinite(waitLimit))) {
      return yield* new UsageError({ message: `invalid --pull-wait-limit ${waitLimit}` })
    }
    const authOption = yield* oneOf("auth-option", pick(flags.authOption, file["auth-option"]), [
      "both",
      "header",
      "key"
    ])
    const verification = yield* oneOf("push-verification", pick(flags.pushVerification, file["push-verification"]), [
      "loopback",
      "any"
    ])
    const serviceToken = pick(flags.serviceToken, file["service-token"])
    const pushWorkerToken = pick(flags.pushWorkerToken, file["push-worker-token"])
    const proxyHostname = pick(flags.proxyHostname, file["proxy-hostname"])
    const perResourceAuth = pick(flags.perResourceAuth, file["per-resource-auth"])
    const pushEnabled = pick(flags.pushEnabled, file["push-enabled"])
    const maxBodyBytes = pick(flags.maxBodyBytes, file["max-body-bytes"])
    const config: Emulator.Config = {
      ...(authOption === undefined ? {} : { authOption }),
      ...(serviceToken === undefined ? {} : { serviceToken }),
      ...(perResourceAuth === undefined ? {} : { perResourceAuth }),
      ...(pushEnabled === undefined ? {} : { pushEnabled }),
      ...(pushWorkerToken === undefined ? {} : { pushWorkerToken }),
      ...(proxyHostname === undefined ? {} : { proxyHostname }),
      ...(roleTable === undefined ? {} : { roleTable: roleTable as Emulator.RoleTable }),
      ...(waitLimit === undefined ? {} : { pullWaitLimit: `${waitLimit} seconds` as const }),
      ...(verification === "any" ? { verifyPushEndpoint: Emulator.fetchVerifier } : {})
    }
    const tls = cert !== undefined && key !== undefined
      ? { cert: yield* readText(cert), key: yield* readText(key) }
      : pick(flags.tls, file.tls) ?? false
    const server = yield* AmsEmulator.serve({
      host: pick(flags.host, file.host) ?? "127.0.0.1",
      port,
      tls,
      seed,
      config,
      ...(maxBodyBytes === undefined ? {} : { maxBodyBytes })
    })

    const lines = [`ams-emulator listening on ${server.endpoint}`]
    const project = seed.projects?.[0]?.name
    if (project !== undefined) lines.push(`default project: ${project}`)
    lines.push("users:", ...(seed.users ?? []).map(describeUser))
    if (serviceToken !== undefined) lines.push(`service token: ${serviceToken}`)
    if (pushWorkerToken !== undefined) lines.push(`push worker token: ${pushWorkerToken}`)
    if (server.certificate !== undefined && tls === true) {
      const caFile = pick(flags.caOut, file["ca-out"]) ?? path.join(Os.tmpdir(), `ams-emulator-ca-${server.port}.pem`)
      yield* fs.writeFileString(caFile, server.certificate.ca).pipe(
        Effect.mapError((cause) => new UsageError({ message: `cannot write ${caFile}: ${cause.message}` }))
      )
      lines.push(
        `CA certificate: ${caFile}`,
        `  trust it with NODE_EXTRA_CA_CERTS=${caFile} (Node), REQUESTS_CA_BUNDLE=${caFile} (Python requests),`,
        `  or new undici.Agent({ connect: { ca: fs.readFileSync("${caFile}") } })`
      )
    }
    lines.push("Ctrl-C to stop.")
    yield* Console.log(lines.join("\n"))
    return yield* Effect.never
  }).pipe(Effect.scoped)

/**
 * `ams-emulator` as a command named `name` (another CLI can mount it as a subcommand, e.g. `ams emulator`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const Name extends string>(name: Name) =>
  Command.make(name, options, start).pipe(
    Command.withDescription(
      "Runs the in-memory ARGO Messaging Service on a real HTTP(S) socket and prints its endpoint and tokens."
    )
  )

/**
 * The `ams-emulator` command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = make("ams-emulator")

const cli = Command.run(command, { name: "ams-emulator", version: "0.1.0" })

// @effect/cli colours its help and errors: only a terminal should get the escape codes.
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")

const plain = (stream: NodeJS.WriteStream) => process.env["NO_COLOR"] !== undefined || stream.isTTY !== true

/**
 * Runs `effect` with a `Console` that drops ANSI colour codes from what goes to stdout or stderr when
 * that stream is not a terminal or `NO_COLOR` is set: @effect/cli colours its help and errors, which a
 * pipe or a log file should not receive.
 *
 * @since 0.1.0
 * @category running
 */
export const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) => {
    const strip = (on: boolean) => (args: ReadonlyArray<unknown>) =>
      args.map((arg) => (on && typeof arg === "string" ? arg.replace(ansi, "") : arg))
    const out = strip(plain(process.stdout))
    const err = strip(plain(process.stderr))
    return Console.withConsole(effect, {
      ...console,
      log: (...args) => console.log(...out(args)),
      error: (...args) => console.error(...err(args))
    })
  })

/**
 * Runs the command on a full `process.argv` (runtime and script first) and yields the exit code: 0 after
 * `--help` or an interruption, 2 for bad usage, 1 when the emulator cannot start. A leading `--` (from
 * `pnpm emulator -- --port 8080`) is skipped.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  argv: ReadonlyArray<string>
): Effect.Effect<number, never, FileSystem.FileSystem | Path.Path | NodeContext.NodeContext> => {
  const [runtime = "node", script = "ams-emulator", ...rest] = argv
  const args = rest[0] === "--" ? rest.slice(1) : rest
  return cli([runtime, script, ...args]).pipe(
    withPlainConsole,
    Effect.as(0),
    Effect.catchAll((error) =>
      ValidationError.isValidationError(error)
        // @effect/cli has printed what was wrong.
        ? Effect.as(Console.error("Run ams-emulator --help for the options."), 2)
        : Effect.as(
          Console.error(
            error instanceof UsageError
              ? `ams-emulator: ${error.message}\nRun ams-emulator --help for the options.`
              : error instanceof Seed.SeedError
              ? `ams-emulator: bad seed at ${error.path}: ${error.message}`
              : `ams-emulator: ${error.message}`
          ),
          error instanceof UsageError ? 2 : 1
        )
    )
  )
}

/**
 * The bin's entry point: runs on Node until done or interrupted, then exits with `run`'s code.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (argv: ReadonlyArray<string>): void =>
  NodeRuntime.runMain(Effect.provide(run(argv), NodeContext.layer), {
    teardown: (exit, onExit) =>
      onExit(
        Exit.isSuccess(exit)
          ? (typeof exit.value === "number" ? exit.value : 0)
          : Cause.isInterruptedOnly(exit.cause)
          ? 0
          : 1
      )
  })
