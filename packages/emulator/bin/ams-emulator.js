#!/usr/bin/env node
// The ams-emulator command: tsx compiles the TypeScript sources as they load, so no build step is needed.
import { register } from "tsx/esm/api"

register()
await import("./cli.ts")
