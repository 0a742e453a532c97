// Starts an ams-emulator bin on a free loopback port and resolves with its endpoint and a stop function.
import { spawn } from "node:child_process"

export const startEmulator = (bin, args = []) =>
  new Promise((resolve, reject) => {
    const child = spawn(bin, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    const timer = setTimeout(() => {
      child.kill("SIGTERM")
      reject(new Error(`the emulator did not start within 30 s:\n${out}`))
    }, 30_000)
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`the emulator exited (${code}):\n${out}`))
    })
    child.stdout.on("data", (chunk) => {
      out += chunk
      const found = /listening on (\S+)/.exec(out)
      if (found) {
        clearTimeout(timer)
        resolve({ endpoint: found[1], stop: () => child.kill("SIGTERM") })
      }
    })
  })
