#!/usr/bin/env node
// The ams-emulator command: tsx compiles the TypeScript sources as they load, so no build step is needed.
// The command itself is `src/Cli.ts`.
import { register } from "tsx/esm/api"

register()
const Cli = await import("../src/Cli.ts")
Cli.main(process.argv)
