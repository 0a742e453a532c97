// Bundle budgets of the built client (packages/client/dist, as published): esbuild and Rollup bundles of a
// few typical programs, minified and gzipped, against a floor that holds no AMS code. Fails when a budget
// is exceeded. Usage: node scripts/size.mjs [--why]   (after pnpm build; --why lists what (b) adds to (a))
import nodeResolve from "@rollup/plugin-node-resolve"
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Zlib from "node:zlib"
import { rollup } from "rollup"
import { browserBundle, linkBuiltClient, root } from "./packages.mjs"

const layer = `const Ams = AmsHttp.layer({ endpoint: "https://ams.example", token: Redacted.make("t"), project: "p" })
  .pipe(Layer.provide(FetchHttpClient.layer))`
const effectImports = `import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"`
const entries = {
  a: {
    title: "floor: FetchHttpClient POST JSON + Schema decode, no AMS",
    // Shaped like (b), so (b) - (a) is the client's own cost: a Redacted token, the HttpClient through a Layer.
    code: `import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
class Api extends Context.Tag("Api")() {}
const Published = Schema.Struct({ messageIds: Schema.Array(Schema.String) })
const token = Redacted.make("t")
const program = Effect.gen(function*() {
  const client = yield* Api
  const request = HttpClientRequest.post("https://ams.example/v1/projects/p/topics/t:publish").pipe(
    HttpClientRequest.setHeader("x-api-key", Redacted.value(token)),
    HttpClientRequest.bodyUnsafeJson({ messages: [{ data: "aGk=" }] })
  )
  return yield* HttpClientResponse.schemaBodyJson(Published)(yield* client.execute(request))
})
const Live = Layer.effect(Api, HttpClient.HttpClient).pipe(Layer.provide(FetchHttpClient.layer))
Effect.runPromise(program.pipe(Effect.provide(Live))).then(console.log)
`
  },
  b: {
    title: "Topic.publish + AmsHttp, by path",
    code: `import * as AmsHttp from "@argo-ams/client/AmsHttp"
import * as Topic from "@argo-ams/client/Topic"
${effectImports}
${layer}
Effect.runPromise(Topic.publish("t", [{ data: "hi" }]).pipe(Effect.provide(Ams))).then(console.log)
`
  },
  c: {
    title: "Topic.publish + AmsHttp, from the barrel",
    code: `import { AmsHttp, Topic } from "@argo-ams/client"
${effectImports}
${layer}
Effect.runPromise(Topic.publish("t", [{ data: "hi" }]).pipe(Effect.provide(Ams))).then(console.log)
`
  },
  d: {
    title: "Subscription.pull + acknowledge, by path",
    code: `import * as AmsHttp from "@argo-ams/client/AmsHttp"
import * as Subscription from "@argo-ams/client/Subscription"
${effectImports}
${layer}
const program = Effect.flatMap(Subscription.pull("s"), (received) =>
  Subscription.acknowledge("s", received.map((r) => r.ackId)))
Effect.runPromise(program.pipe(Effect.provide(Ams))).then(console.log)
`
  },
  e: {
    title: "the whole client (every export of the barrel)",
    code: `export * from "@argo-ams/client"\n`
  }
}

// Code of these modules must not be in (b): their operation names (`user.get`, ...) survive minification.
const absentFromB = {
  User: /["'`]user\.[a-zA-Z]+["'`]/,
  Project: /["'`]project\.[a-zA-Z]+["'`]/,
  Registration: /["'`]registration\.[a-zA-Z]+["'`]/,
  MessageSchema: /["'`]schema\.[a-zA-Z]+["'`]/,
  Subscription: /["'`]subscription\.[a-zA-Z]+["'`]/,
  Subscriber: /["'`]subscriber\.[a-zA-Z]+["'`]/
}

const KB = 1024
// [name, measure, budget (fails CI), goal (issue 10)]. The budgets sit a little above today's figures so
// that a regression fails; where a goal is not met yet the line says so.
const budgets = [
  // 4.9 until the publish path was made for volume (issue 9): +0.2 KB for the publish body written by
  // hand (half the time of `JSON.stringify` and its bytes), a transport handed the request's fields
  // rather than the request (its body is garbage once it is JSON), and the checks of a message apart
  // from its encoding (so that `Publisher` buffers the caller's data, not its base64).
  // 5.1 until operations made no span where nobody sees one (under Effect's built-in tracer: 60–80 µs
  // less a request over sockets here): +0.09 KB.
  ["(b) - (a), esbuild, gzip", (s) => s.esbuild.b.gzip - s.esbuild.a.gzip, 5.15 * KB, 3 * KB],
  ["(c) - (b), Rollup, gzip, % of (b)", (s) => (s.rollup.c.gzip - s.rollup.b.gzip) / s.rollup.b.gzip * 100, 1, 1],
  // esbuild keeps a whole `export * as X` namespace object once the barrel is imported (evanw/esbuild#1420).
  // A difference: it grows when (b) shrinks and the rest of `Topic` does not.
  ["(c) - (b), esbuild, gzip", (s) => s.esbuild.c.gzip - s.esbuild.b.gzip, 4.53 * KB, undefined],
  // 5.76 until the transport was handed the request's fields rather than the request, and pulled
  // payloads were decoded into shared slabs (issue 9: 3 µs less a message): +0.12 KB. 5.9 until the
  // slabs were sized to an answer's payloads (a pull of one message allocated 64 KiB): +0.06 KB.
  ["(d) - (a), esbuild, gzip", (s) => s.esbuild.d.gzip - s.esbuild.a.gzip, 5.95 * KB, undefined],
  // 26.3 until the Subscriber's in-order loop became a chain of continuations (issue 9): +0.2 KB for a
  // message costing its handler's effect and one step. 26.6 until the publish path was made for volume
  // (issue 9, as (b) above, `Publisher`'s one-step `publish`, pulled payloads in shared slabs): +0.6 KB.
  // 27.2 until `Subscriber.stream` got a driver of its own (a pull's deliveries handed out as one chunk,
  // with no fiber or `Deferred` per message: 148 -> 40 µs a message) and (d)'s sized slabs: +0.38 KB.
  // 27.65 until operations made no span where nobody sees one (as (b)): +0.2 KB. 27.8 until a topic's
  // answer was decoded by hand where it is plainly valid (49 µs less a Topic.get over sockets): +0.11 KB.
  ["(e) - (a), esbuild, gzip", (s) => s.esbuild.e.gzip - s.esbuild.a.gzip, 27.95 * KB, undefined]
]

const work = Fs.mkdtempSync(Path.join(Os.tmpdir(), "ams-size-"))
linkBuiltClient(work)
for (const [key, { code }] of Object.entries(entries)) Fs.writeFileSync(Path.join(work, `${key}.js`), code)

const measure = (bytes) => ({ min: bytes.length, gzip: Zlib.gzipSync(bytes, { level: 9 }).length, text: bytes })

const withEsbuild = async (key) => {
  const result = await esbuild.build({
    entryPoints: [Path.join(work, `${key}.js`)],
    absWorkingDir: work,
    ...browserBundle,
    write: false,
    metafile: true
  })
  return { ...measure(Buffer.from(result.outputFiles[0].contents)), metafile: result.metafile }
}

// Rollup tree-shakes, then esbuild only minifies (as Vite's production build does).
const withRollup = async (key) => {
  const bundle = await rollup({
    input: Path.join(work, `${key}.js`),
    plugins: [nodeResolve({ browser: true })],
    onwarn: () => {}
  })
  const { output } = await bundle.generate({ format: "es" })
  await bundle.close()
  const minified = await esbuild.transform(output[0].code, { minify: true, format: "esm", target: "es2022" })
  return measure(Buffer.from(minified.code))
}

const sizes = { esbuild: {}, rollup: {} }
try {
  for (const key of Object.keys(entries)) sizes.esbuild[key] = await withEsbuild(key)
  for (const key of ["a", "b", "c"]) sizes.rollup[key] = await withRollup(key)
} finally {
  Fs.rmSync(work, { recursive: true, force: true })
}

const kb = (n) => `${(n / KB).toFixed(2)} KB`
const rows = [["", "bundle", "min", "gzip", "gzip - (a)"]]
for (const [bundler, measured] of Object.entries(sizes)) {
  for (const [key, size] of Object.entries(measured)) {
    rows.push([
      `(${key}) ${bundler}`,
      entries[key].title,
      kb(size.min),
      kb(size.gzip),
      key === "a" ? "" : kb(size.gzip - measured.a.gzip)
    ])
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`
console.log(line(rows[0]))
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`)
for (const row of rows.slice(1)) console.log(line(row))

let failed = false
console.log("")
for (const [name, value, budget, goal] of budgets) {
  const actual = value(sizes)
  const ok = actual <= budget
  failed ||= !ok
  const show = name.includes("%") ? (n) => `${n.toFixed(2)} %` : kb
  const aim = goal === undefined ? "" : actual <= goal ? `, goal ${show(goal)} met` : `, goal ${show(goal)} not met`
  console.log(`${ok ? "ok  " : "OVER"} ${name}: ${show(actual)} (budget ${show(budget)}${aim})`)
}
// A marker that the whole client does not hold either would prove nothing: each must be found in (e).
const whole = sizes.esbuild.e.text.toString("utf8")
const vacuous = Object.entries(absentFromB).filter(([, marker]) => !marker.test(whole)).map(([name]) => name)
failed ||= vacuous.length > 0
console.log(
  `${vacuous.length === 0 ? "ok  " : "FAIL"} every marker is found in (e)${
    vacuous.length === 0 ? "" : `: not found for ${vacuous.join(", ")}`
  }`
)
for (const [bundler, measured] of Object.entries(sizes)) {
  const text = measured.b.text.toString("utf8")
  const found = Object.entries(absentFromB).filter(([, marker]) => marker.test(text)).map(([name]) => name)
  failed ||= found.length > 0
  console.log(
    `${found.length === 0 ? "ok  " : "FAIL"} (b) ${bundler} holds no code of ${Object.keys(absentFromB).join(", ")}${
      found.length === 0 ? "" : `: found ${found.join(", ")}`
    }`
  )
}

// The Node-only transport is never in a portable bundle: its marker is in its own built module, and in
// none of (b), (c) or (e).
const nodeOnly = /["'`]AmsUndici\.layer["'`]/
const undiciModule = Fs.readFileSync(Path.join(root, "packages/client/dist/dist/esm/AmsUndici.js"), "utf8")
const withUndici = ["b", "c", "e"].filter((key) => nodeOnly.test(sizes.esbuild[key].text.toString("utf8")))
const undiciOk = nodeOnly.test(undiciModule) && withUndici.length === 0
failed ||= !undiciOk
console.log(
  `${undiciOk ? "ok  " : "FAIL"} no portable bundle holds AmsUndici${
    nodeOnly.test(undiciModule) ? "" : " (its marker is not in dist/dist/esm/AmsUndici.js)"
  }${withUndici.length === 0 ? "" : `: found in ${withUndici.join(", ")}`}`
)

if (process.argv.includes("--why")) {
  // What (b) adds to (a): bytes in the minified output per input file, from esbuild's metafile.
  const inputs = (metafile) => Object.values(metafile.outputs)[0].inputs
  const floor = inputs(sizes.esbuild.a.metafile)
  const added = Object.entries(inputs(sizes.esbuild.b.metafile))
    .map(([file, { bytesInOutput }]) => [file, bytesInOutput - (floor[file]?.bytesInOutput ?? 0)])
    .filter(([, bytes]) => bytes > 0)
    .sort((x, y) => y[1] - x[1])
  console.log("\n(b) - (a) by input file (minified bytes, before gzip):")
  for (const [file, bytes] of added.slice(0, 30)) console.log(`${String(bytes).padStart(7)}  ${file}`)
}
process.exitCode = failed ? 1 : 0
