// Starts the fixed-answer AMS (`server.ts`) in a child process, so its CPU is not billed to the client.
import { fork } from "node:child_process"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))

export const startServer = () =>
  new Promise<{ readonly origin: string; readonly stop: () => void }>((ok, fail) => {
    const child = fork(resolve(here, "server.ts"), [], {
      execArgv: ["--import", import.meta.resolve("tsx")],
      stdio: "inherit"
    })
    child.once("error", fail)
    child.once("message", (message) => {
      const port = (message as { port: number }).port
      ok({ origin: `http://127.0.0.1:${port}`, stop: () => child.kill() })
    })
  })
