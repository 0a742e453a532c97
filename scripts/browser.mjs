// @argo-ams/client in a real browser: esbuild bundles scripts/browser/page.js against the built dist/, a
// static server on one loopback port serves it, the built ams-emulator listens on another (so every call
// is cross-origin and goes through CORS), and Debian's Chromium, driven headless by playwright-core,
// publishes, pulls and acknowledges. Fails on any console error, page error or failed request. A second
// page turns tracer propagation on and must be refused by CORS, as AMS refuses it. Screenshots go to
// artifacts/ (ignored by git). Usage: node scripts/browser.mjs   (after pnpm build)
/* global document, URLSearchParams -- document is used inside page.waitForFunction, which runs in the page */
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { chromium } from "playwright-core"
import { startEmulator } from "./emulator.mjs"
import { browserBundle, linkBuiltClient, root } from "./packages.mjs"

const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium"
// The flags this machine needs: no sandbox as root, and nothing that reaches for the (closed) network.
const args = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]
const artifacts = Path.join(root, "artifacts")
Fs.mkdirSync(artifacts, { recursive: true })

const work = Fs.mkdtempSync(Path.join(Os.tmpdir(), "ams-browser-"))
linkBuiltClient(work)
Fs.copyFileSync(Path.join(root, "scripts", "browser", "page.js"), Path.join(work, "page.js"))
await esbuild.build({
  entryPoints: [Path.join(work, "page.js")],
  absWorkingDir: work,
  ...browserBundle,
  outfile: Path.join(work, "out", "page.js")
})
const files = {
  "/": ["text/html; charset=utf-8", Fs.readFileSync(Path.join(root, "scripts", "browser", "index.html"))],
  "/page.js": ["text/javascript; charset=utf-8", Fs.readFileSync(Path.join(work, "out", "page.js"))]
}
Fs.rmSync(work, { recursive: true, force: true })

const server = Http.createServer((request, response) => {
  const file = files[new URL(request.url ?? "/", "http://127.0.0.1").pathname]
  if (file === undefined) {
    response.writeHead(404).end()
    return
  }
  response.writeHead(200, { "content-type": file[0] }).end(file[1])
})
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const pageOrigin = `http://127.0.0.1:${server.address().port}`

const emulator = await startEmulator(Path.join(root, "packages", "emulator", "dist", "bin", "ams-emulator.js"))
console.log(`page on ${pageOrigin}, ams-emulator on ${emulator.endpoint}`)

let failures = 0
const browser = await chromium.launch({ executablePath, headless: true, args })
try {
  console.log(`Chromium ${browser.version()}`)
  const visit = async (name, query) => {
    const page = await browser.newPage()
    const problems = []
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`)
    })
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
    page.on("requestfailed", (request) => problems.push(`failed: ${request.method()} ${request.url()}`))
    const url = `${pageOrigin}/?${new URLSearchParams({ endpoint: emulator.endpoint, ...query })}`
    await page.goto(url)
    await page.waitForFunction(() => !/^running/.test(document.getElementById("status")?.textContent ?? ""), null, {
      timeout: 60_000
    })
    const status = await page.textContent("#status")
    const screenshot = Path.join(artifacts, `browser-${name}.png`)
    await page.screenshot({ path: screenshot })
    await page.close()
    return { problems, screenshot, status }
  }

  const plain = await visit("default", { run: "browser" })
  const ok = /^done: /.test(plain.status ?? "") && plain.problems.length === 0
  failures += ok ? 0 : 1
  console.log(`${ok ? "ok  " : "FAIL"} default headers: ${plain.status} (screenshot ${plain.screenshot})`)
  for (const problem of plain.problems) console.log(`     ${problem}`)

  // With propagation on, the preflight asks for b3/traceparent and the emulator, like AMS, answers 403.
  const traced = await visit("propagation-on", { run: "traced", propagation: "on" })
  const refused = /^failed: AmsConnectionError/.test(traced.status ?? "") &&
    traced.problems.some((problem) => /CORS policy/.test(problem))
  failures += refused ? 0 : 1
  console.log(`${refused ? "ok  " : "FAIL"} tracer propagation on is refused by CORS: ${traced.status}`)
  if (!refused) { for (const problem of traced.problems) console.log(`     ${problem}`) }
} finally {
  await browser.close()
  emulator.stop()
  server.close()
}
console.log(failures === 0 ? "browser: all checks passed" : `browser: ${failures} check(s) failed`)
process.exitCode = failures === 0 ? 0 : 1
