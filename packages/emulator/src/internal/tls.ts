/** A throwaway CA and loopback server certificate, made with node-forge at startup (no openssl, no download). */
import * as Effect from "effect/Effect"
import * as Forge from "node-forge"

// node-forge is CommonJS with no static named exports: native ESM sees only `default`, bundlers see both.
const forge: typeof Forge = (Forge as unknown as { readonly default?: typeof Forge }).default ?? Forge

/** PEM texts: `ca` is what a client must trust; `cert`/`key` are what the server presents. */
export interface Certificate {
  readonly ca: string
  readonly cert: string
  readonly key: string
}

const generateKeyPair = Effect.async<Forge.pki.rsa.KeyPair, Error>((resume) => {
  // node-forge hands this to node:crypto when it can, so it takes milliseconds, not seconds.
  forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 }, (error: Error | null, keypair: Forge.pki.rsa.KeyPair) => {
    resume(error ? Effect.fail(error) : Effect.succeed(keypair))
  })
})

// A positive serial: 16 random bytes with the top bit cleared.
const serialNumber = (): string => {
  const hex = forge.util.bytesToHex(forge.random.getBytesSync(16))
  return (parseInt(hex[0], 16) & 0x7).toString(16) + hex.slice(1)
}

/**
 * Generates a CA (`cA: true`, keyCertSign) and a leaf for `localhost`, `127.0.0.1` and `::1` signed by it.
 * A separate CA keeps strict verifiers happy (OpenSSL 3 / Python 3.13 `VERIFY_X509_STRICT` reject a
 * self-signed leaf used as its own trust anchor). Validity uses the wall clock, not Effect's Clock: TLS
 * peers check it against real time even when a test runs on `TestClock`.
 */
export const generate = (options?: { readonly commonName?: string }): Effect.Effect<Certificate, Error> =>
  Effect.gen(function*() {
    const caKeys = yield* generateKeyPair
    const leafKeys = yield* generateKeyPair
    return yield* Effect.try({
      try: () => {
        const now = new Date()
        const notBefore = new Date(now.getTime() - 24 * 60 * 60 * 1000)
        const notAfter = new Date(now.getTime() + 365 * 24 * 60 * 60 * 1000)

        const ca = forge.pki.createCertificate()
        ca.publicKey = caKeys.publicKey
        ca.serialNumber = serialNumber()
        ca.validity.notBefore = notBefore
        ca.validity.notAfter = notAfter
        const caSubject = [{ name: "commonName", value: "AMS emulator local CA" }, {
          name: "organizationName",
          value: "argo-ams emulator"
        }]
        ca.setSubject(caSubject)
        ca.setIssuer(caSubject)
        ca.setExtensions([
          { name: "basicConstraints", cA: true, critical: true },
          { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
          { name: "subjectKeyIdentifier" }
        ])
        ca.sign(caKeys.privateKey, forge.md.sha256.create())

        const leaf = forge.pki.createCertificate()
        leaf.publicKey = leafKeys.publicKey
        leaf.serialNumber = serialNumber()
        leaf.validity.notBefore = notBefore
        leaf.validity.notAfter = notAfter
        leaf.setSubject([{ name: "commonName", value: options?.commonName ?? "localhost" }])
        leaf.setIssuer(caSubject)
        leaf.setExtensions([
          { name: "basicConstraints", cA: false, critical: true },
          { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
          { name: "extKeyUsage", serverAuth: true },
          {
            name: "subjectAltName",
            altNames: [
              { type: 2, value: "localhost" },
              { type: 7, ip: "127.0.0.1" },
              { type: 7, ip: "::1" }
            ]
          },
          { name: "subjectKeyIdentifier" },
          { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() }
        ])
        leaf.sign(caKeys.privateKey, forge.md.sha256.create())

        return {
          ca: forge.pki.certificateToPem(ca),
          cert: forge.pki.certificateToPem(leaf),
          key: forge.pki.privateKeyToPem(leafKeys.privateKey)
        }
      },
      catch: (cause) => cause instanceof Error ? cause : new Error(String(cause))
    })
  })
