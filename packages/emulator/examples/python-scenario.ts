/**
 * Drives the emulator over HTTPS with plain `fetch`, sending exactly what the Python client
 * (`argo-ams-library` 1.0.0) sends: `x-api-key`, no Content-Type, pre-serialised bodies, string pull
 * parameters, `projects/P/topics/T` topic references, `details=True&nextPageToken=` on user listings,
 * and its time-to-offset formatting. It checks every answer the way the Python code reads it.
 *
 *   node --import tsx packages/emulator/examples/python-scenario.ts
 *
 * With no AMS_ENDPOINT it starts `ams-emulator --tls` itself and runs again trusting its CA
 * (NODE_EXTRA_CA_CERTS); with AMS_ENDPOINT (and the CA already trusted) it runs the checks against it.
 * Exits 0 when every check passes.
 */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const adminToken = process.env["AMS_ADMIN_TOKEN"] ?? "admin-token"
const publisherToken = process.env["AMS_PUBLISHER_TOKEN"] ?? "publisher-token"
const consumerToken = process.env["AMS_CONSUMER_TOKEN"] ?? "consumer-token"
const project = process.env["AMS_PROJECT"] ?? "demo"

interface Answer {
  readonly status: number
  readonly text: string
  readonly json: unknown
}

/** What `requests` does for the Python client: the token in x-api-key, a string body, no Content-Type. */
const call = async (endpoint: string, method: string, path: string, token: string, body?: string): Promise<Answer> => {
  const response = await fetch(`${endpoint}/v1${path}`, {
    method,
    headers: { "x-api-key": token },
    ...(body === undefined ? {} : { body })
  })
  const text = await response.text()
  let json: unknown
  try {
    json = text === "" ? {} : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, text, json }
}

const results: Array<{ readonly name: string; readonly error?: string }> = []

const check = async (name: string, body: () => Promise<void>) => {
  if (process.env["TRACE"]) process.stderr.write(`> ${name}\n`)
  try {
    await body()
    results.push({ name })
  } catch (error) {
    results.push({ name, error: error instanceof Error ? error.message : String(error) })
  }
}

const expectEqual = (actual: unknown, expected: unknown, what: string) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

const amsError = (answer: Answer, code: number, message: string, status: string) =>
  expectEqual({ status: answer.status, json: answer.json }, {
    status: code,
    json: { error: { code, message, status } }
  }, "error")

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64")

/** Python: `timestamp.isoformat()[:-3] + "Z"` for a naive datetime with microseconds. */
const pythonIsoMillis = (date: Date) => `${date.toISOString().slice(0, 23)}Z`
/** Python's zero-microsecond branch: `strftime("%Y-%m-%d %H:%M:%S.000Z")` (a space, rejected by AMS). */
const pythonZeroMicros = (date: Date) => `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)}.000Z`

const run = async (endpoint: string) => {
  const P = `/projects/${project}`
  const admin = (method: string, path: string, body?: string) => call(endpoint, method, path, adminToken, body)

  await check("has_topic: a missing topic is a 404 the client maps to False", async () => {
    amsError(await admin("GET", `${P}/topics/py-topic`), 404, "Topic doesn't exist", "NOT_FOUND")
  })
  await check("create_topic: PUT with an empty string body", async () => {
    const answer = await admin("PUT", `${P}/topics/py-topic`, "")
    expectEqual(answer.status, 200, "status")
    const topic = answer.json as { name: string; created_on: string }
    expectEqual(topic.name, `/projects/${project}/topics/py-topic`, "name")
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(topic.created_on)) throw new Error(`created_on ${topic.created_on}`)
  })
  await check("create_topic again: 409 ALREADY_EXISTS", async () => {
    amsError(await admin("PUT", `${P}/topics/py-topic`, ""), 409, "Topic already exists", "ALREADY_EXISTS")
  })
  await check("create_sub: GET topic, then PUT with projects/P/topics/T (no leading slash)", async () => {
    expectEqual((await admin("GET", `${P}/topics/py-topic`)).status, 200, "get_topic")
    const body = JSON.stringify({ topic: `projects/${project}/topics/py-topic`, ackDeadlineSeconds: 10 })
    const answer = await admin("PUT", `${P}/subscriptions/py-sub`, body)
    expectEqual(answer.status, 200, "status")
    const sub = answer.json as Record<string, unknown> & { pushConfig: Record<string, unknown> }
    expectEqual(sub["name"], `/projects/${project}/subscriptions/py-sub`, "name")
    expectEqual(sub["topic"], `/projects/${project}/topics/py-topic`, "topic")
    expectEqual(sub["ackDeadlineSeconds"], 10, "ackDeadlineSeconds")
    // AmsSubscription reads these keys and dies with KeyError if one is missing.
    expectEqual(Object.keys(sub.pushConfig), [
      "type",
      "pushEndpoint",
      "maxMessages",
      "authorizationHeader",
      "retryPolicy",
      "verificationHash",
      "verified",
      "mattermostUrl",
      "mattermostUsername",
      "mattermostChannel",
      "base64Decode"
    ], "pushConfig keys")
    expectEqual(sub.pushConfig["pushEndpoint"], "", "pushEndpoint")
  })
  await check("modifyacl_topic / modifyacl_sub: empty 200 bodies; getacl_* read them back", async () => {
    const topicAcl = await admin(
      "POST",
      `${P}/topics/py-topic:modifyAcl`,
      JSON.stringify({ authorized_users: ["publisher"] })
    )
    expectEqual([topicAcl.status, topicAcl.text], [200, ""], "topic modifyAcl")
    const subAcl = await admin(
      "POST",
      `${P}/subscriptions/py-sub:modifyAcl`,
      JSON.stringify({ authorized_users: ["consumer"] })
    )
    expectEqual([subAcl.status, subAcl.text], [200, ""], "sub modifyAcl")
    expectEqual((await admin("GET", `${P}/topics/py-topic:acl`)).json, { authorized_users: ["publisher"] }, "topic acl")
    expectEqual(
      (await admin("GET", `${P}/subscriptions/py-sub:acl`)).json,
      { authorized_users: ["consumer"] },
      "sub acl"
    )
  })
  await check("publish: AmsMessage dicts; messageIds are offsets as strings", async () => {
    const messages = [0, 1, 2].map((n) => ({ attributes: { n: String(n) }, data: b64(`payload ${n}`) }))
    const answer = await call(
      endpoint,
      "POST",
      `${P}/topics/py-topic:publish`,
      publisherToken,
      JSON.stringify({ messages })
    )
    expectEqual(answer.json, { messageIds: ["0", "1", "2"] }, "publish")
  })
  await check("publish by a consumer: 403 FORBIDDEN", async () => {
    const body = JSON.stringify({ messages: [{ data: b64("x") }] })
    amsError(
      await call(endpoint, "POST", `${P}/topics/py-topic:publish`, consumerToken, body),
      403,
      "Access to this resource is forbidden",
      "FORBIDDEN"
    )
  })
  await check("pull_sub: string parameters; message has exactly the four AmsMessage keys", async () => {
    const body = JSON.stringify({ maxMessages: "2", returnImmediately: "false" })
    const answer = await call(endpoint, "POST", `${P}/subscriptions/py-sub:pull`, consumerToken, body)
    const received = (answer.json as { receivedMessages: Array<{ ackId: string; message: Record<string, unknown> }> })
      .receivedMessages
    expectEqual(
      received.map((r) => r.ackId),
      [0, 1].map((n) => `projects/${project}/subscriptions/py-sub:${n}`),
      "ackIds"
    )
    for (const { message } of received) {
      expectEqual(Object.keys(message).sort(), ["attributes", "data", "messageId", "publishTime"], "message keys")
    }
    expectEqual(received.map((r) => Buffer.from(r.message["data"] as string, "base64").toString()), [
      "payload 0",
      "payload 1"
    ], "data")
  })
  await check("pull_sub with a JSON number is a 400, as the server's decoder is strict", async () => {
    const answer = await call(
      endpoint,
      "POST",
      `${P}/subscriptions/py-sub:pull`,
      consumerToken,
      JSON.stringify({ maxMessages: 2 })
    )
    amsError(answer, 400, "Invalid Pull Parameters Arguments", "INVALID_ARGUMENT")
  })
  await check("ack_sub: {} and cumulative; a second ack is 500 no ack pending", async () => {
    const pulled = await call(
      endpoint,
      "POST",
      `${P}/subscriptions/py-sub:pull`,
      consumerToken,
      JSON.stringify({ maxMessages: "2", returnImmediately: "true" })
    )
    const ids = (pulled.json as { receivedMessages: Array<{ ackId: string }> }).receivedMessages.map((r) => r.ackId)
    const ack = await call(
      endpoint,
      "POST",
      `${P}/subscriptions/py-sub:acknowledge`,
      consumerToken,
      JSON.stringify({ ackIds: [ids[1]] })
    )
    expectEqual([ack.status, ack.json], [200, {}], "ack")
    const again = await call(
      endpoint,
      "POST",
      `${P}/subscriptions/py-sub:acknowledge`,
      consumerToken,
      JSON.stringify({ ackIds: [ids[1]] })
    )
    amsError(again, 500, "no ack pending", "INTERNAL_SERVER_ERROR")
  })
  await check("pullack_sub: the rest is delivered, then acked", async () => {
    const pulled = await call(
      endpoint,
      "POST",
      `${P}/subscriptions/py-sub:pull`,
      consumerToken,
      JSON.stringify({ maxMessages: "5", returnImmediately: "true" })
    )
    const received =
      (pulled.json as { receivedMessages: Array<{ ackId: string; message: { messageId: string } }> }).receivedMessages
    expectEqual(received.map((r) => r.message.messageId), ["2"], "ids")
    const ack = await call(
      endpoint,
      "POST",
      `${P}/subscriptions/py-sub:acknowledge`,
      consumerToken,
      JSON.stringify({ ackIds: received.map((r) => r.ackId) })
    )
    expectEqual(ack.status, 200, "ack")
  })
  await check("getoffsets_sub: max/min/current", async () => {
    expectEqual(
      (await admin("GET", `${P}/subscriptions/py-sub:offsets`)).json,
      { max: 3, min: 0, current: 3 },
      "offsets"
    )
  })
  await check("time_to_offset_sub: isoformat()[:-3]+Z works; the zero-microsecond format is rejected", async () => {
    const before = new Date(Date.now() - 3_600_000)
    const answer = await admin("GET", `${P}/subscriptions/py-sub:timeToOffset?time=${pythonIsoMillis(before)}`)
    expectEqual(answer.json, { offset: 0 }, "offset")
    const zero = new Date(Math.floor(before.getTime() / 1000) * 1000)
    const bad = await admin(
      "GET",
      `${P}/subscriptions/py-sub:timeToOffset?time=${encodeURIComponent(pythonZeroMicros(zero))}`
    )
    amsError(bad, 400, "Time is not in valid Zulu format.", "INVALID_ARGUMENT")
  })
  await check("modifyoffset_sub: empty 200 body, and the next pull replays from there", async () => {
    const moved = await admin("POST", `${P}/subscriptions/py-sub:modifyOffset`, JSON.stringify({ offset: 1 }))
    expectEqual([moved.status, moved.text], [200, ""], "modifyOffset")
    const pulled = await call(
      endpoint,
      "POST",
      `${P}/subscriptions/py-sub:pull`,
      consumerToken,
      JSON.stringify({ maxMessages: "1", returnImmediately: "false" })
    )
    expectEqual(
      (pulled.json as { receivedMessages: Array<{ message: { messageId: string } }> }).receivedMessages[0]?.message
        .messageId,
      "1",
      "replay"
    )
  })
  await check("pushconfig_sub as Python sends it (no type): 409 while push is disabled", async () => {
    const body = JSON.stringify({
      pushConfig: { pushEndpoint: "https://127.0.0.1:5000/receive_here", retryPolicy: { type: "linear", period: 300 } }
    })
    amsError(
      await admin("POST", `${P}/subscriptions/py-sub:modifyPushConfig`, body),
      409,
      "Push functionality is currently disabled",
      "CONFLICT"
    )
  })
  await check("an unknown token is 401 Unauthorized", async () => {
    amsError(await call(endpoint, "GET", `${P}/topics`, "not-a-token"), 401, "Unauthorized", "UNAUTHORIZED")
  })
  await check("list_topics / list_subs: no paging parameters, everything, nextPageToken \"\"", async () => {
    const topics = (await admin("GET", `${P}/topics`)).json as {
      topics: Array<unknown>
      nextPageToken: string
      totalSize: number
    }
    expectEqual([topics.topics.length, topics.nextPageToken, topics.totalSize], [1, "", 1], "topics")
    const subs = (await admin("GET", `${P}/subscriptions`)).json as {
      subscriptions: Array<unknown>
      nextPageToken: string
    }
    expectEqual([subs.subscriptions.length, subs.nextPageToken], [1, ""], "subscriptions")
  })
  await check("list_users: details=True&pageSize=0&nextPageToken= (ineffective, but answered)", async () => {
    const answer = await admin("GET", "/users?details=True&pageSize=0&nextPageToken=")
    const page = answer.json as {
      users: Array<{ name: string; projects?: unknown }>
      nextPageToken: string
      totalSize: number
    }
    expectEqual(answer.status, 200, "status")
    expectEqual([page.users.length > 0, page.nextPageToken, typeof page.totalSize], [true, "", "number"], "page")
    // The server reads details only when it is exactly "true": no projects key.
    expectEqual(page.users.some((user) => "projects" in user), false, "details ignored")
  })
  await check("status(): open route, push disabled", async () => {
    const answer = await admin("GET", "/status")
    expectEqual(answer.json, { status: "ok", push_functionality: "disabled" }, "status")
  })
  await check("get_user_profile: the caller's own user, token included", async () => {
    const answer = await call(endpoint, "GET", "/users/profile", publisherToken)
    const user = answer.json as {
      name: string
      token: string
      projects: Array<{ project: string; roles: Array<string> }>
    }
    expectEqual([user.name, user.token, user.projects[0]?.project, user.projects[0]?.roles], [
      "publisher",
      publisherToken,
      project,
      ["publisher"]
    ], "profile")
  })
  await check("create_project_member: the body AmsUserProject builds; AmsUser reads the answer", async () => {
    const body = JSON.stringify({
      projects: [{ project, roles: ["consumer"], topics: [], subscriptions: [] }],
      email: "py-user@example.org"
    })
    const answer = await admin("POST", `${P}/members/py-user`, body)
    const user = answer.json as {
      name: string
      token: string
      email: string
      projects: Array<{ roles: Array<string> }>
    }
    expectEqual([answer.status, user.name, user.email, user.projects[0]?.roles], [
      200,
      "py-user",
      "py-user@example.org",
      ["consumer"]
    ], "member")
    if (!/^[0-9a-f]{64}$/.test(user.token)) throw new Error(`token ${user.token} is not 64 hex characters`)
  })
  await check("delete_sub / delete_topic: empty 200 bodies; has_topic is False after", async () => {
    const sub = await admin("DELETE", `${P}/subscriptions/py-sub`)
    expectEqual([sub.status, sub.text], [200, ""], "delete_sub")
    const topic = await admin("DELETE", `${P}/topics/py-topic`)
    expectEqual([topic.status, topic.text], [200, ""], "delete_topic")
    amsError(await admin("GET", `${P}/topics/py-topic`), 404, "Topic doesn't exist", "NOT_FOUND")
  })
}

const self = fileURLToPath(import.meta.url)

/** Starts `ams-emulator --tls`, then runs this script again against it, trusting its CA. */
const orchestrate = async (): Promise<number> => {
  const caPath = join(mkdtempSync(join(tmpdir(), "ams-scenario-")), "ca.pem")
  const bin = join(self, "..", "..", "bin", "ams-emulator.js")
  const emulator = spawn(process.execPath, [bin, "--port", "0", "--tls", "--ca-out", caPath], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let output = ""
      emulator.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString()
        const found = /listening on (https:\/\/\S+)/.exec(output)
        if (found !== null && output.includes("CA certificate")) resolve(found[1]!)
      })
      emulator.on("exit", (code) => reject(new Error(`ams-emulator exited with ${code}`)))
    })
    const child = spawn(process.execPath, [...process.execArgv, self], {
      stdio: "inherit",
      env: { ...process.env, AMS_ENDPOINT: endpoint, NODE_EXTRA_CA_CERTS: caPath }
    })
    return await new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)))
  } finally {
    emulator.kill("SIGTERM")
  }
}

const endpoint = process.env["AMS_ENDPOINT"]
if (endpoint === undefined) {
  process.exitCode = await orchestrate()
} else {
  await run(endpoint)
  for (const result of results) {
    process.stdout.write(
      `${result.error === undefined ? "ok  " : "FAIL"} ${result.name}${
        result.error === undefined ? "" : `\n     ${result.error}`
      }\n`
    )
  }
  const failed = results.filter((result) => result.error !== undefined).length
  process.stdout.write(
    `python scenario over ${endpoint}: ${results.length - failed} of ${results.length} checks passed\n`
  )
  process.exitCode = failed === 0 ? 0 : 1
}
