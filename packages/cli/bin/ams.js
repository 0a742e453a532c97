#!/usr/bin/env node
// The ams command. Installed from a tarball it runs the compiled CLI (cli.js, next to this file);
// inside the workspace it runs the TypeScript sources through tsx, so no build step is needed there.
import { existsSync } from "node:fs"

if (existsSync(new URL("./cli.js", import.meta.url))) {
  await import("./cli.js")
} else {
  const { register } = await import("tsx/esm/api")
  register()
  await import("./cli.ts")
}
