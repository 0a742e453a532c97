// Exit codes and messages, the same for every command: refused tokens, missing resources, a stopped
// server, a load balancer, bad flags, configuration and profiles.
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Ams from "./utils/ams.js"

const writeFile = (name: string, text: string, mode: number) =>
  Effect.map(Ams.EmulatorProcess, (emulator) => {
    const file = Path.join(emulator.home, name)
    Fs.mkdirSync(Path.dirname(file), { recursive: true })
    Fs.writeFileSync(file, text)
    Fs.chmodSync(file, mode)
    return file
  })

const expectExit = (result: Ams.Result, code: number, ...texts: ReadonlyArray<string>) => {
  assert.strictEqual(result.code, code, `exit ${result.code}; stderr: ${result.stderr}`)
  for (const text of texts) assert.include(result.stderr, text)
}

layer(Ams.layer(), { timeout: 120_000, excludeTestServices: true })("ams errors", (it) => {
  it.effect("a refused token says where it came from and how to fix it, and is never printed", () =>
    Effect.gen(function*() {
      const secret = "wrong-token-4711"
      const fromEnv = yield* Ams.run(["topics", "list"], { env: { AMS_TOKEN: secret } })
      expectExit(fromEnv, 1, "AMS refused the token from AMS_TOKEN (401 Unauthorized)", "ams users profile")
      const file = yield* writeFile("bad.token", `${secret}\n`, 0o600)
      const fromFile = yield* Ams.run(["subs", "list", "--token-file", file], { env: { AMS_TOKEN: undefined } })
      expectExit(fromFile, 1, `AMS refused the token from --token-file ${file}`)
      // A valid token whose user has no role in the project is refused the same way, by AMS's rule.
      const stranger = yield* Ams.run(["topics", "list", "--project", "demo"], { env: { AMS_TOKEN: "nobody" } })
      expectExit(stranger, 1, "no role in project \"demo\"")
      // A consumer may not create topics: 403, with the project named.
      const forbidden = yield* Ams.run(["topics", "create", Ams.unique("t")], {
        env: { AMS_TOKEN: Ams.tokens.consumer }
      })
      expectExit(forbidden, 1, "403", "the token from AMS_TOKEN is valid", "in project \"demo\"")
      for (const result of [fromEnv, fromFile, stranger, forbidden]) {
        assert.notInclude(result.stdout + result.stderr, secret)
        assert.notInclude(result.stdout + result.stderr, Ams.tokens.consumer)
      }
    }))

  it.effect("a missing resource is named", () =>
    Effect.gen(function*() {
      expectExit(
        yield* Ams.run(["pull", "no-such-sub"]),
        1,
        "Not found: subscription \"no-such-sub\" in project \"demo\""
      )
      expectExit(
        yield* Ams.run(["topics", "list", "--project", "no-such-project"]),
        1,
        "Not found: project \"no-such-project\""
      )
      expectExit(yield* Ams.run(["topics", "metrics", "gone"]), 1, "Not found: topic \"gone\"")
    }))

  it.effect("a stopped server: exit 3, the endpoint named, may be retried", () =>
    Effect.gen(function*() {
      const other = yield* Ams.spawnEmulator()
      yield* other.stop
      const result = yield* Ams.run(["topics", "list"], { env: { AMS_ENDPOINT: other.endpoint } })
      expectExit(
        result,
        3,
        `Cannot reach AMS at ${other.endpoint}/v1 (from AMS_ENDPOINT)`,
        "may not have reached AMS",
        "It may be retried"
      )
    }).pipe(Effect.scoped))

  it.effect("a load balancer's page: exit 3, may be retried; a server that is not AMS: exit 4", () =>
    Effect.gen(function*() {
      const balancer = yield* Ams.fakeServer({
        status: 502,
        type: "text/html",
        body:
          "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"
      })
      expectExit(
        yield* Ams.run(["topics", "list"], { env: { AMS_ENDPOINT: balancer.endpoint } }),
        3,
        "The load balancer in front of AMS answered 502",
        "It may be retried"
      )
      const notAms = yield* Ams.fakeServer({ status: 200, type: "text/html", body: "<html>welcome</html>" })
      expectExit(
        yield* Ams.run(["topics", "list"], { env: { AMS_ENDPOINT: notAms.endpoint } }),
        4,
        "is it an AMS endpoint?"
      )
    }).pipe(Effect.scoped))

  it.effect("bad flags and arguments: exit 2", () =>
    Effect.gen(function*() {
      const results = yield* Effect.all([
        Ams.run(["topics", "list", "--bogus"]),
        Ams.run(["topics", "get"]),
        Ams.run(["pull", "s", "--max", "many"]),
        Ams.run(["topics", "frobnicate"]),
        Ams.run(["frobnicate"]),
        Ams.run([]),
        Ams.run(["topics", "list", "--output", "yaml"]),
        Ams.run(["topics", "create", "bad name!"]),
        Ams.run(["subs", "create", "s-without-topic"])
      ], { concurrency: 4 })
      for (const result of results) expectExit(result, 2)
      assert.include(results[1].stderr, "Missing argument <TOPIC>")
      assert.include(results[5].stderr, "Give a command")
      assert.include(results[7].stderr, "nothing was sent")
    }))

  it.effect("missing configuration: exit 2, saying where to put it", () =>
    Effect.gen(function*() {
      expectExit(
        yield* Ams.run(["topics", "list"], { env: { AMS_ENDPOINT: undefined } }),
        2,
        "No endpoint: give --endpoint, set AMS_ENDPOINT"
      )
      expectExit(
        yield* Ams.run(["topics", "list"], { env: { AMS_PROJECT: undefined } }),
        2,
        "No project: give --project, set AMS_PROJECT"
      )
      expectExit(
        yield* Ams.run(["topics", "list", "--token-file", "/no/such/file"], { env: { AMS_TOKEN: undefined } }),
        2,
        "Cannot read the token file /no/such/file"
      )
      expectExit(yield* Ams.run(["topics", "list", "--timeout", "0"]), 2, "Invalid --timeout 0")
      expectExit(
        yield* Ams.run(["topics", "list", "--endpoint", "ftp://example.org"]),
        2,
        "nothing was sent"
      )
    }))

  it.effect("profiles: named, flags and environment first, tokens from files or variables", () =>
    Effect.gen(function*() {
      const emulator = yield* Ams.EmulatorProcess
      // A home of its own: the other tests of the file run meanwhile, and must find no profile in theirs.
      const home = Path.join(emulator.home, "profiles-home")
      const tokenFile = yield* writeFile("profiles-home/tokens/demo.token", `${Ams.tokens.admin}\n`, 0o600)
      const config = yield* writeFile(
        "profiles-home/.config/ams/config.json",
        JSON.stringify({
          default: "demo",
          profiles: {
            demo: { endpoint: emulator.endpoint, project: "demo", tokenFile: "~/tokens/demo.token" },
            consumer: { endpoint: emulator.endpoint, project: "demo", tokenEnv: "MY_CONSUMER_TOKEN" },
            broken: { endpoint: "http://127.0.0.1:1", project: "nowhere", tokenFile: "../../tokens/demo.token" }
          }
        }),
        0o600
      )
      const none = { AMS_ENDPOINT: undefined, AMS_TOKEN: undefined, AMS_PROJECT: undefined, HOME: home }
      // The default file, the default profile.
      const who = yield* Ams.json<{ name: string }>(["users", "profile"], { env: none })
      assert.strictEqual(who.name, "admin")
      // A named profile with its token in a variable.
      const consumer = yield* Ams.json<{ name: string }>(["users", "profile", "--profile", "consumer"], {
        env: { ...none, MY_CONSUMER_TOKEN: Ams.tokens.consumer }
      })
      assert.strictEqual(consumer.name, "consumer")
      expectExit(
        yield* Ams.run(["users", "profile", "--profile", "consumer"], { env: none }),
        2,
        "names the variable MY_CONSUMER_TOKEN, which is not set"
      )
      // Flags and the environment come before the profile; a relative tokenFile is read from the profile's folder.
      const overridden = yield* Ams.json<ReadonlyArray<unknown>>(["topics", "list", "--project", "demo"], {
        env: { ...none, AMS_PROFILE: "broken", AMS_ENDPOINT: emulator.endpoint }
      })
      assert.isArray(overridden)
      // A refused token names the profile and its file.
      const refused = yield* Ams.run(["topics", "list", "--profile", "consumer"], {
        env: { ...none, MY_CONSUMER_TOKEN: "not-a-token" }
      })
      expectExit(refused, 1, `profile "consumer" in ${config} (tokenEnv MY_CONSUMER_TOKEN)`)
      expectExit(
        yield* Ams.run(["users", "profile", "--profile", "nope"], { env: none }),
        2,
        "No profile \"nope\"",
        "it has: demo, consumer, broken"
      )
      // AMS_CONFIG names another file.
      expectExit(
        yield* Ams.run(["users", "profile"], { env: { ...none, AMS_CONFIG: "/no/such/config.json" } }),
        2,
        "No profile file at /no/such/config.json"
      )
      assert.isTrue(Fs.existsSync(tokenFile))
    }))

  it.effect("profiles: readable by others warned about, writable by others or holding a token refused", () =>
    Effect.gen(function*() {
      const emulator = yield* Ams.EmulatorProcess
      const none = { AMS_ENDPOINT: undefined, AMS_PROJECT: undefined }
      const profile = JSON.stringify({ profiles: { p: { endpoint: emulator.endpoint, project: "demo" } } })
      const readable = yield* writeFile("readable.json", profile, 0o644)
      const warned = yield* Ams.run(["topics", "list", "--config", readable, "--profile", "p"], { env: none })
      expectExit(warned, 0, `ams: warning: the profile file ${readable} can be read by other users`)
      const writable = yield* writeFile("writable.json", profile, 0o666)
      expectExit(
        yield* Ams.run(["topics", "list", "--config", writable, "--profile", "p"], { env: none }),
        2,
        "may be changed by other users",
        `chmod 600 ${writable}`
      )
      const holding = yield* writeFile(
        "holding.json",
        JSON.stringify({ profiles: { p: { endpoint: emulator.endpoint, token: "admin-token" } } }),
        0o600
      )
      const refused = yield* Ams.run(["topics", "list", "--config", holding, "--profile", "p"], { env: none })
      expectExit(refused, 2, "holds a token: refused", "tokenFile", "tokenEnv")
      assert.notInclude(refused.stderr, "admin-token")
      const typo = yield* writeFile(
        "typo.json",
        JSON.stringify({ profiles: { p: { endpoint: emulator.endpoint, projet: "demo" } } }),
        0o600
      )
      expectExit(yield* Ams.run(["topics", "list", "--config", typo, "--profile", "p"], { env: none }), 2, "projet")
    }))

  it.effect("ams emulator: the emulator's own command, served and answering; its flags checked (exit 2)", () =>
    Effect.gen(function*() {
      const emulator = yield* Ams.EmulatorProcess
      const proc = yield* Ams.start(emulator, ["emulator", "--port", "0", "--service-token", "svc-token"])
      const { stdout } = yield* proc.output.pipe(
        Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: ({ stdout }) => stdout.includes("Ctrl-C") }),
        Effect.timeout("60 seconds"),
        Effect.zipRight(proc.output)
      )
      const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1]
      assert.isString(endpoint, stdout)
      assert.include(stdout, "service token: svc-token")
      const created = yield* Ams.json<{ name: string }>(["topics", "create", "from-ams-emulator"], {
        env: { AMS_ENDPOINT: endpoint, AMS_TOKEN: "svc-token" }
      })
      assert.strictEqual(created.name, "from-ams-emulator")
      proc.child.kill("SIGINT")
      assert.strictEqual((yield* proc.result).code, 130)
      expectExit(yield* Ams.run(["emulator", "--port", "99999"]), 2, "invalid --port 99999")
      expectExit(yield* Ams.run(["emulator", "--bogus"]), 2)
      assert.include((yield* Ams.ok(["emulator", "--help"])).stdout, "$ ams emulator --port 8080")
    }).pipe(Effect.scoped))

  it.effect("--version, --completions, and the launcher on the sources", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* Ams.ok(["--version"])).stdout.trim(), "0.1.0")
      const bash = yield* Ams.ok(["--completions", "bash"])
      assert.include(bash.stdout, "complete -F")
      assert.include(bash.stdout, "topics")
      const zsh = yield* Ams.ok(["--completions", "zsh"])
      assert.include(zsh.stdout, "#compdef ams")
      const launched = yield* Ams.runLauncher(["--version"])
      assert.strictEqual(launched.code, 0, launched.stderr)
      assert.strictEqual(launched.stdout.trim(), "0.1.0")
    }))
})
