/**
 * The checks of `AmsHttp` options, as plain functions: each gives back the cleaned value or says what is
 * wrong, in words that never repeat the input (an endpoint or a token may hold a secret).
 */

/** A checked value, or the problem found. */
export type Checked<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly problem: string }

const ok = <A>(value: A): Checked<A> => ({ ok: true, value })
const problem = (text: string): Checked<never> => ({ ok: false, problem: text })

const schemePattern = /^([a-z][a-z0-9+.-]*):\/\//i
/** Whether the text holds a C0 control character or DEL. */
export const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}

// `/v1` is the only API version: a base URL copied with it is the same base, never `/v1/v1`.
const basePath = /^(\/(v1\/?)?)?$/

/**
 * The base URL (ending in `/v1`) for an endpoint: a bare host (`host`, `host:port`, https implied) or an
 * `http://` / `https://` URL with no credentials, query or fragment, and no path but `/` or `/v1`.
 * Surrounding whitespace is ignored.
 */
export const endpoint = (input: unknown): Checked<string> => {
  if (typeof input !== "string") return problem("the endpoint must be a string")
  const text = input.trim()
  if (text === "") return problem("the endpoint is empty")
  const scheme = schemePattern.exec(text)
  if (scheme !== null && !/^https?$/i.test(scheme[1]!)) {
    return problem("the endpoint's scheme must be http or https")
  }
  const rest = scheme === null ? text : text.slice(scheme[0].length)
  // A URL parser drops tabs and newlines and reads `\` as `/`: refused rather than silently changed.
  if (/[\s\\]/.test(rest) || hasControl(rest)) {
    return problem("the endpoint must not contain whitespace, control characters or `\\`")
  }
  if (rest.includes("?")) return problem("the endpoint must not have a query (`?...`)")
  if (rest.includes("#")) return problem("the endpoint must not have a fragment (`#...`)")
  // The authority ends at the first `/`; what follows is the path.
  const [, authority, path] = /^([^/]*)(.*)$/.exec(rest)! as unknown as [string, string, string]
  if (authority.includes("@")) {
    return problem("the endpoint must not carry credentials (`user:password@`): the token is the only secret")
  }
  if (!basePath.test(path)) return problem("the endpoint must have no path but an optional `/` or `/v1`")
  // The host ends where the port starts: after the closing bracket of an IPv6 literal, else at the last
  // `:` (`indexOf` reads the -1 of no bracket as 0).
  const colon = authority.indexOf(":", authority.lastIndexOf("]"))
  const host = colon === -1 ? authority : authority.slice(0, colon)
  const port = colon === -1 ? undefined : authority.slice(colon + 1)
  if (host === "") return problem("the endpoint has no host")
  if (port !== undefined && (!/^[0-9]{1,5}$/.test(port) || +port < 1 || +port > 65535)) {
    return problem("the endpoint's port must be a number between 1 and 65535")
  }
  let url: URL
  try {
    url = new URL(`${scheme === null ? "https" : scheme[1]!.toLowerCase()}://${authority}/`)
  } catch {
    return problem("the endpoint's host is not a valid host name or address")
  }
  if (url.hostname === "") return problem("the endpoint has no host")
  return ok(`${url.protocol}//${url.host}/v1`)
}

const visibleAscii = /^[\x21-\x7e]+$/

/**
 * The token without surrounding whitespace (a token read from a file ends in a newline); it must then be
 * visible ASCII, which every AMS token is (a header value can carry nothing else safely).
 */
export const token = (input: unknown): Checked<string> => {
  if (typeof input !== "string") return problem("the token must be a string")
  const text = input.trim()
  if (text === "") return problem("the token is empty")
  if (!visibleAscii.test(text)) {
    return problem("the token must be visible ASCII: it holds a space, a control or a non-ASCII character")
  }
  return ok(text)
}
