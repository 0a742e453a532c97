import { mergeConfig, type ViteUserConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

// The end-to-end tests start `ams` as a child process (about a second each on a busy machine).
const config: ViteUserConfig = {
  test: {
    globalSetup: ["test/setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 120_000
  }
}

export default mergeConfig(shared, config)
