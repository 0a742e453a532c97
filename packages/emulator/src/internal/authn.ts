// The x509 authentication service's pieces: certificate subject → DN string and its error bodies.
import { forge } from "./tls.js"

/** An authn error answer: status and the `{"error":{"message","code","status"}}` body (1-space indent). */
export interface AuthnAnswer {
  readonly status: number
  readonly body: string
}

/** An authn error, in argo-api-authn's key order (message, code, status). */
export const error = (code: number, message: string, status: string): AuthnAnswer => ({
  status: code,
  body: JSON.stringify({ error: { message, code, status } }, null, 1)
})

/** The token answer. */
export const token = (value: string): AuthnAnswer => ({ status: 200, body: JSON.stringify({ token: value }, null, 1) })

// Go's pkix.Name.ToRDNSequence order; String() prints it reversed (most specific first).
const rdnOrder: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
  [["C", "countryName"], "C"],
  [["ST", "stateOrProvinceName"], "ST"],
  [["L", "localityName"], "L"],
  [["streetAddress"], "STREET"],
  [["postalCode"], "POSTALCODE"],
  [["O", "organizationName"], "O"],
  [["OU", "organizationalUnitName"], "OU"],
  [["CN", "commonName"], "CN"],
  [["serialNumber"], "SERIALNUMBER"]
]

const escapeValue = (value: string): string =>
  value.replace(/[,+"\\<>;]/g, (c) => `\\${c}`).replace(/^[ #]/, (c) => `\\${c}`).replace(/ $/, "\\ ")

interface Attribute {
  readonly name?: string
  readonly shortName?: string
  readonly type?: string
  readonly value?: unknown
}

/**
 * The DN string argo-api-authn binds certificates by: Go's RDN sequence string of the standard attributes
 * (`CN=...,OU=...,O=...,L=...,ST=...,C=...`), with `E=` (email) first and `DC=a+DC=b` last when present.
 */
export const subjectDn = (attributes: ReadonlyArray<Attribute>): string => {
  const valuesOf = (names: ReadonlyArray<string>) =>
    attributes.filter((a) => names.includes(a.shortName ?? "") || names.includes(a.name ?? "")).map((a) =>
      String(a.value)
    )
  const parts: Array<string> = []
  for (const [names, label] of [...rdnOrder].reverse()) {
    for (const value of valuesOf(names).reverse()) parts.push(`${label}=${escapeValue(value)}`)
  }
  const emails = valuesOf(["E", "emailAddress"])
  const dcs = attributes.filter((a) =>
    a.type === "0.9.2342.19200300.100.1.25" || a.name === "domainComponent" || a.shortName === "DC"
  ).map((a) => String(a.value))
  return [
    ...(emails.length === 0 ? [] : [emails.map((e) => `E=${e}`).join("+")]),
    ...parts,
    ...(dcs.length === 0 ? [] : [dcs.map((d) => `DC=${d}`).join("+")])
  ].join(",")
}

/** The DN of a DER certificate (as Node's `getPeerCertificate().raw` gives it). */
export const dnOfDer = (der: Buffer): string => {
  const certificate = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString("binary"))))
  return subjectDn(certificate.subject.attributes as ReadonlyArray<Attribute>)
}
