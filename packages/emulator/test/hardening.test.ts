// Issue 7, emulator items: what the real server (Go net/http + gorilla/mux 1.8.1) does with hostile input on the
// wire, checked over raw sockets so that the exact request-target and headers reach the emulator.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Net from "node:net"
import * as AmsEmulator from "../src/AmsEmulator.js"
import type { Emulator, EmulatorResponse } from "../src/Emulator.js"
import { request, wire, type WireResponse } from "./client.js"
import * as H from "./helpers.js"

const seeded = {
  seed: {
    projects: [{ name: "demo" }],
    users: [{ name: "admin", token: "admin-token", service_roles: ["service_admin"] }],
    topics: [{ project: "demo", name: "t1" }]
  }
}

/**
 * Streams a chunked body of `total` bytes, 64 KiB at a time, and stops sending as soon as an answer arrives; reads
 * until the server closes. Resolves with the answer and how many body bytes were sent.
 */
const stream = (port: number, target: string, total: number) =>
  Effect.async<{ readonly response: WireResponse; readonly sent: number }, Error>((resume) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const frame = Buffer.concat([Buffer.from(`${chunk.byteLength.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])
    const received: Array<Buffer> = []
    let sent = 0
    const socket = Net.connect(port, "127.0.0.1")
    const pump = () => {
      while (received.length === 0 && sent < total && !socket.destroyed) {
        sent += chunk.byteLength
        if (!socket.write(frame)) return void socket.once("drain", pump)
      }
      if (sent >= total && received.length === 0) socket.write("0\r\n\r\n")
    }
    socket.on("connect", () => {
      socket.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n`)
      pump()
    })
    socket.on("data", (data: Buffer) => received.push(data))
    // Writing into a socket the server closed fails with EPIPE/ECONNRESET: the answer read before still counts.
    socket.on("error", () => undefined)
    socket.on("close", () => {
      const text = Buffer.concat(received).toString("latin1")
      const end = text.indexOf("\r\n\r\n")
      const headers = text.slice(0, end).split("\r\n").slice(1).map((line) => {
        const colon = line.indexOf(":")
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const
      })
      resume(Effect.succeed({
        sent,
        response: {
          status: Number(text.split(" ")[1]),
          headers,
          header: (name) => headers.find(([key]) => key === name)?.[1],
          body: text.slice(end + 4)
        }
      }))
    })
    return Effect.sync(() => socket.destroy())
  })

const tooLarge = H.errorBody(413, "Message size is too large", "INVALID_ARGUMENT")

describe("issue 7.7 no request kills or hangs the HTTP server", () => {
  it.scopedLive("a streamed body over the limit gets the server's 413 before it ends; /v1/status still answers", () =>
    Effect.gen(function*() {
      const { endpoint, port } = yield* AmsEmulator.serve({ ...seeded, maxBodyBytes: 1024 * 1024 })
      // 600 MB would end the process if it were kept (node's longest string is about 512 MiB).
      const { response, sent } = yield* stream(port, "/v1/nope", 600 * 1024 * 1024)
      assert.strictEqual(response.status, 413)
      assert.strictEqual(response.body, tooLarge)
      assert.strictEqual(response.header("content-type"), "application/json; charset=utf-8")
      assert.isBelow(sent, 600 * 1024 * 1024)
      const status = yield* request(`${endpoint}/v1/status`)
      assert.strictEqual(status.status, 200)
    }))

  it.scopedLive("a declared length over the limit is answered at once, before any body byte; the default is 64 MiB", () =>
    Effect.gen(function*() {
      const { endpoint, port } = yield* AmsEmulator.serve(seeded)
      const declared = yield* wire(
        port,
        "POST /v1/projects/demo/topics/t1:publish HTTP/1.1\r\nx-api-key: admin-token\r\nContent-Length: 540000000"
      )
      assert.strictEqual(declared.status, 413)
      assert.strictEqual(declared.body, tooLarge)
      const justOver = yield* wire(port, `POST /v1/nope HTTP/1.1\r\nContent-Length: ${64 * 1024 * 1024 + 1}`)
      assert.strictEqual(justOver.status, 413)
      // A body within the limit is read as before.
      const within = yield* request(`${endpoint}/v1/projects/demo/topics/t1:publish`, {
        method: "POST",
        headers: { "x-api-key": "admin-token" },
        body: JSON.stringify({ messages: [{ data: Buffer.alloc(1024 * 1024).toString("base64") }] })
      })
      assert.strictEqual(within.status, 200)
      assert.strictEqual((yield* request(`${endpoint}/v1/status`)).status, 200)
    }))

  it.scopedLive("an answer node cannot write (bad status, bad header) is a plain 500, never a hanging request", () =>
    Effect.gen(function*() {
      const answers: Record<string, EmulatorResponse> = {
        "/status": { status: 1000, headers: {}, body: "" },
        "/header": { status: 200, headers: { "x-bad": "a\r\nb" }, body: "" },
        "/name": { status: 200, headers: { "x bad": "a" }, body: "" }
      }
      const emulator: Emulator = {
        handle: (r) =>
          r.url === "/die"
            ? Effect.die("boom")
            : Effect.succeed(answers[r.url] ?? { status: 200, headers: {}, body: "" })
      }
      const { endpoint } = yield* AmsEmulator.serveEmulator(emulator)
      for (const path of [...Object.keys(answers), "/die"]) {
        const r = yield* Effect.timeoutFail(request(`${endpoint}${path}`), {
          duration: "10 seconds",
          onTimeout: () => new Error(`${path} was never answered`)
        })
        assert.strictEqual(r.status, 500, path)
        assert.strictEqual(r.body.toString(), "Internal Server Error\n", path)
      }
      assert.strictEqual((yield* request(`${endpoint}/ok`)).status, 200)
    }))

  it.scopedLive("a body limit no string could hold is refused when the server starts", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(AmsEmulator.serve({ maxBodyBytes: 2 ** 40 }))
      assert.include(error.message, "maxBodyBytes")
    }))
})

describe("issue 7.8 router clean-up like gorilla/mux", () => {
  it.scopedLive("`.`, `..`, `//` and `%2e%2e` get a 301 to the cleaned path, query kept, never another host", () =>
    Effect.gen(function*() {
      const { port } = yield* AmsEmulator.serve(seeded)
      const redirects: ReadonlyArray<readonly [string, string]> = [
        ["/v1/projects/demo/topics/../topics/t1", "/v1/projects/demo/topics/t1"],
        ["/v1/projects/demo/topics/./t1", "/v1/projects/demo/topics/t1"],
        ["/v1/projects/demo/topics/%2e%2e/topics/t1", "/v1/projects/demo/topics/t1"],
        ["/v1/projects/demo/topics/%2E%2E/topics/t1?key=admin-token", "/v1/projects/demo/topics/t1?key=admin-token"],
        ["/v1/projects/demo//topics/t1", "/v1/projects/demo/topics/t1"],
        ["//v1/status", "/v1/status"],
        ["//evil.example/v1/status", "/evil.example/v1/status"],
        ["/v1/./status?details=true", "/v1/status?details=true"],
        ["/../../v1/status", "/v1/status"],
        ["/v1/projects/demo/topics/../", "/v1/projects/demo/"],
        ["/v1/x/../projects/d%C3%A9mo", "/v1/projects/d%C3%A9mo"],
        ["http://ams.example:8443/v1/projects/demo/topics/../topics", "http://ams.example:8443/v1/projects/demo/topics"]
      ]
      for (const [target, location] of redirects) {
        const r = yield* wire(port, `GET ${target} HTTP/1.1\r\nx-api-key: admin-token`)
        assert.strictEqual(r.status, 301, target)
        assert.strictEqual(r.header("location"), location, target)
        assert.strictEqual(r.body, "", target)
      }
      // A trailing slash is kept (and is a 404: StrictSlash is off); a clean path is routed as it is.
      const slash = yield* wire(port, "GET /v1/projects/demo/topics/ HTTP/1.1\r\nx-api-key: admin-token")
      assert.strictEqual(slash.status, 404)
      const clean = yield* wire(port, "GET /v1/projects/demo/topics/t1 HTTP/1.1\r\nx-api-key: admin-token")
      assert.strictEqual(clean.status, 200)
      assert.strictEqual(JSON.parse(clean.body).name, "/projects/demo/topics/t1")
    }))

  it.scopedLive("a request-target Go's URL parser refuses is a plain 400 before routing; ports are not range-checked", () =>
    Effect.gen(function*() {
      const { port } = yield* AmsEmulator.serve(seeded)
      for (
        const target of [
          "http://[/v1/status",
          "http://x:8a/v1/status",
          "http://us{er@x/v1/status",
          "http://ex^ample/v1/status",
          "/v1/projects/demo/topics/%zz",
          "/v1/projects/demo/topics/t1%",
          "/v1/projects/demo/topics/t1%4",
          "v1/status"
        ]
      ) {
        const r = yield* wire(port, `GET ${target} HTTP/1.1\r\nx-api-key: admin-token`)
        assert.strictEqual(r.status, 400, target)
        assert.strictEqual(r.body, "400 Bad Request", target)
        assert.strictEqual(r.header("content-type"), "text/plain; charset=utf-8", target)
      }
      // Go keeps the port as digits, whatever their value, and the query is not checked by the parser.
      for (const target of ["http://x:99999/v1/status", "http://[::1]:0/v1/status", "/v1/status?x=%zz"]) {
        const r = yield* wire(port, `GET ${target} HTTP/1.1`)
        assert.strictEqual(r.status, 200, `${target}: ${r.body}`)
      }
      // The server still answers afterwards.
      const after = yield* wire(port, "GET /v1/projects/demo/topics/t1 HTTP/1.1\r\nx-api-key: admin-token")
      assert.strictEqual(after.status, 200)
    }))

  it.effect("the in-process handle applies the same rules to the URLs it is given", () =>
    Effect.gen(function*() {
      const c = yield* H.client()
      const up = yield* c.call("GET", "/v1/projects/../status", H.admin)
      assert.strictEqual(up.status, 301)
      assert.strictEqual(up.headers["location"], "/v1/status")
      const bad = yield* c.call("GET", "/v1/projects/%zz", H.admin)
      assert.strictEqual(bad.status, 400)
      assert.strictEqual(bad.body, "400 Bad Request")
    }))
})

describe("issue 7.9 headers like Go's server", () => {
  const get = (port: number, head: string) => wire(port, `GET /v1/projects/demo/topics/t1 HTTP/1.1\r\n${head}`)

  it.scopedLive("of repeated x-api-key headers the first one counts", () =>
    Effect.gen(function*() {
      const { port } = yield* AmsEmulator.serve(seeded)
      assert.strictEqual((yield* get(port, "x-api-key: admin-token\r\nx-api-key: wrong")).status, 200)
      assert.strictEqual((yield* get(port, "x-api-key: wrong\r\nX-Api-Key: admin-token")).status, 401)
    }))

  it.scopedLive("headers up to 1 MB are read (a long key is just a wrong key); beyond, Go's 431", () =>
    Effect.gen(function*() {
      const { port } = yield* AmsEmulator.serve(seeded)
      for (const size of [17 * 1024, 900 * 1024]) {
        const r = yield* get(port, `x-api-key: ${"k".repeat(size)}`)
        assert.strictEqual(r.status, 401, String(size))
        assert.strictEqual(r.body, H.errorBody(401, "Unauthorized", "UNAUTHORIZED"))
      }
      const huge = yield* get(port, `x-api-key: ${"k".repeat(1100 * 1024)}`)
      assert.strictEqual(huge.status, 431)
      assert.strictEqual(huge.body, "431 Request Header Fields Too Large")
      assert.strictEqual((yield* get(port, "x-api-key: admin-token")).status, 200)
    }))

  it.scopedLive("lower-case and unknown methods are routed as gorilla does: 405 on a known path, 404 elsewhere", () =>
    Effect.gen(function*() {
      const { port } = yield* AmsEmulator.serve(seeded)
      for (const method of ["get", "Get", "FOO", "PURGE"]) {
        const known = yield* wire(port, `${method} /v1/projects/demo/topics/t1 HTTP/1.1\r\nx-api-key: admin-token`)
        assert.strictEqual(known.status, 405, method)
        assert.strictEqual(known.body, "", method)
        const unknown = yield* wire(port, `${method} /v1/nope HTTP/1.1`)
        assert.strictEqual(unknown.status, 404, method)
        assert.strictEqual(unknown.body, "404 page not found\n", method)
      }
      // Malformed requests still get net/http's plain 400.
      const garbage = yield* wire(port, "GET /v1/status HTTP/9.9")
      assert.strictEqual(garbage.status, 400)
      assert.strictEqual(garbage.body, "400 Bad Request")
    }))
})
