// The ams-emulator command line; the command itself is `src/Cli.ts` (shared with `ams emulator`).
import * as Cli from "../src/Cli.js"

Cli.main(process.argv)
