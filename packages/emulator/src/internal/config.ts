// The emulator's resolved server options (§8.1) as every route sees them.
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { RoleTable } from "./roles.js"

/** The answer of a push endpoint to the verification GET. */
export interface VerificationAnswer {
  readonly status: number
  readonly body: string
}

/**
 * Fetches `url` (`<scheme>://<host:port>/ams_verification_hash`) for `:verifyPushEndpoint`; fails with
 * the transport error text, which the route appends to "Endpoint verification failed.".
 */
export type PushVerifier = (url: string) => Effect.Effect<VerificationAnswer, string>

/** Options with every default filled in. */
export interface ResolvedConfig {
  readonly authOption: "both" | "header" | "key"
  readonly serviceToken: string
  readonly perResourceAuth: boolean
  readonly pushEnabled: boolean
  readonly pushWorkerToken: string
  readonly proxyHostname: string
  readonly roleTable: RoleTable
  readonly pullWaitLimit: Duration.Duration
  readonly verifyPushEndpoint: PushVerifier
}
