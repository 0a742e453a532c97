// The request-target as the real server reads it: Go's `url.ParseRequestURI` (what net/http applies before any
// handler runs), gorilla/mux 1.8.1's `cleanPath` redirect (the router runs without SkipClean), and Go's query
// parsing. Plain functions over strings: no Effect, no WHATWG URL (which resolves `..` and refuses what Go keeps).

/** A request-target Go's parser accepted. */
export interface Target {
  /** Lower-cased; "" in origin-form (`/v1/...`). */
  readonly scheme: string
  /** The raw `user@host:port` of an absolute-form target with `//`; undefined without one. */
  readonly authority: string | undefined
  /** A rootless target after a scheme (`http:foo`), kept as it is. */
  readonly opaque: string
  /** The decoded path (Go's `URL.Path`): what gorilla matches routes against. */
  readonly path: string
  readonly rawQuery: string
  /** A lone trailing `?` with nothing after it. */
  readonly forceQuery: boolean
}

const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c)

const isAlnum = (c: string): boolean => /^[a-zA-Z0-9]$/.test(c)

/** Every `%` starts a two-digit hex escape (Go's `unescape` error otherwise). */
const validEscapes = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "%") continue
    if (!isHex(s[i + 1] ?? "") || !isHex(s[i + 2] ?? "")) return false
    i += 2
  }
  return true
}

const encoder = /*#__PURE__*/ new TextEncoder()
const decoder = /*#__PURE__*/ new TextDecoder()

/** `%XX` → the byte, the bytes read as UTF-8 (Go keeps invalid UTF-8 bytes; they can match no route anyway). */
const unescape = (s: string, plusIsSpace: boolean): string => {
  const input = encoder.encode(s)
  const bytes = new Uint8Array(input.length)
  let n = 0
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!
    if (byte === 0x25) {
      bytes[n++] = Number.parseInt(String.fromCharCode(input[i + 1]!, input[i + 2]!), 16)
      i += 2
    } else {
      bytes[n++] = byte === 0x2b && plusIsSpace ? 0x20 : byte
    }
  }
  return decoder.decode(bytes.subarray(0, n))
}

// Go's shouldEscape in host mode: what a host may hold unescaped.
const hostChars = /^[a-zA-Z0-9!$&'()*+,;=:[\]<>"\-_.~\u0080-\uffff]$/
const userinfoChars = /^[a-zA-Z0-9\-._:~!$&'()*+,;=%@]$/

const validOptionalPort = (port: string): boolean => port === "" || /^:[0-9]*$/.test(port)

/** Go's `parseHost`: brackets closed, digits-only port (no range check), host characters and escapes. */
const validHost = (host: string): boolean => {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]")
    if (close < 0 || !validOptionalPort(host.slice(close + 1))) return false
  } else {
    const colon = host.lastIndexOf(":")
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) return false
  }
  for (let i = 0; i < host.length; i++) {
    const c = host[i]!
    if (c === "%") {
      const escape = host.slice(i, i + 3)
      // Only %25 (a zone's `%`) and escapes of non-ASCII bytes are allowed in a host.
      if (!isHex(escape[1] ?? "") || !isHex(escape[2] ?? "")) return false
      if (escape !== "%25" && Number.parseInt(escape[1]!, 16) < 8) return false
      i += 2
    } else if (!hostChars.test(c)) {
      return false
    }
  }
  return true
}

const validAuthority = (authority: string): boolean => {
  const at = authority.lastIndexOf("@")
  if (!validHost(authority.slice(at + 1))) return false
  if (at < 0) return true
  const userinfo = authority.slice(0, at)
  return [...userinfo].every((c) => userinfoChars.test(c)) && validEscapes(userinfo)
}

/** Go's `getScheme`: letters first, then letters, digits, `+-.`, up to a `:`. */
const splitScheme = (raw: string): { readonly scheme: string; readonly rest: string } | undefined => {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!
    if (/[a-zA-Z]/.test(c)) continue
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return { scheme: "", rest: raw }
      continue
    }
    if (c === ":") return i === 0 ? undefined : { scheme: raw.slice(0, i).toLowerCase(), rest: raw.slice(i + 1) }
    return { scheme: "", rest: raw }
  }
  return { scheme: "", rest: raw }
}

/**
 * Go's `url.ParseRequestURI`: undefined where net/http answers `400 Bad Request` before any handler (control
 * characters, a bad `%` escape in the path, an unclosed `[`, a port that is not digits, a relative target...).
 */
export const parse = (raw: string): Target | undefined => {
  if (raw === "" || [...raw].some((c) => c < " " || c === "\u007f")) return undefined
  const base = { scheme: "", authority: undefined, opaque: "", rawQuery: "", forceQuery: false }
  if (raw === "*") return { ...base, path: "*" }
  const split = splitScheme(raw)
  if (split === undefined) return undefined
  const { scheme } = split
  let rest = split.rest
  let rawQuery = ""
  let forceQuery = false
  const question = rest.indexOf("?")
  if (question === rest.length - 1) {
    forceQuery = true
    rest = rest.slice(0, -1)
  } else if (question >= 0) {
    rawQuery = rest.slice(question + 1)
    rest = rest.slice(0, question)
  }
  if (!rest.startsWith("/")) {
    return scheme === "" ? undefined : { ...base, scheme, opaque: rest, path: "", rawQuery, forceQuery }
  }
  let authority: string | undefined = undefined
  if (scheme !== "" && rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2)
    authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash)
    rest = slash < 0 ? "" : rest.slice(slash)
    if (!validAuthority(authority)) return undefined
  }
  if (!validEscapes(rest)) return undefined
  return { scheme, authority, opaque: "", path: unescape(rest, false), rawQuery, forceQuery }
}

/** Go's `path.Clean` of a rooted path: no empty, `.` or `..` segments (`..` stops at the root). */
const clean = (path: string): string => {
  const segments: Array<string> = []
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue
    if (segment === "..") segments.pop()
    else segments.push(segment)
  }
  return `/${segments.join("/")}`
}

/** gorilla/mux's `cleanPath`: rooted, cleaned, with a trailing slash kept. */
export const cleanPath = (path: string): string => {
  if (path === "") return "/"
  const rooted = path.startsWith("/") ? path : `/${path}`
  const cleaned = clean(rooted)
  return rooted.endsWith("/") && cleaned !== "/" ? `${cleaned}/` : cleaned
}

/** Go's `escape(s, encodePath)`: unreserved characters and `$&+,/:;=@` stay, every other byte is `%XX`. */
const escapePath = (path: string): string => {
  let out = ""
  for (const byte of encoder.encode(path)) {
    const c = String.fromCharCode(byte)
    out += byte < 0x80 && (isAlnum(c) || "-_.~$&+,/:;=@".includes(c))
      ? c
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
  }
  return out
}

/** Go's `URL.String()` of the target with its path replaced: the `Location` of gorilla's redirect. */
export const withPath = (target: Target, path: string): string => {
  let out = target.scheme === "" ? "" : `${target.scheme}:`
  if (target.opaque !== "") {
    out += target.opaque
  } else {
    if (target.authority !== undefined) out += `//${target.authority}`
    out += escapePath(path)
  }
  return target.forceQuery || target.rawQuery !== "" ? `${out}?${target.rawQuery}` : out
}

/**
 * Go's `url.ParseQuery` as `r.URL.Query()` uses it: pairs split on `&`, `+` is a space, and a pair with a `;`
 * or a bad escape is dropped (Go reports it and keeps the rest).
 */
export const parseQuery = (rawQuery: string): URLSearchParams => {
  const query = new URLSearchParams()
  for (const pair of rawQuery.split("&")) {
    if (pair === "" || pair.includes(";")) continue
    const equals = pair.indexOf("=")
    const key = equals < 0 ? pair : pair.slice(0, equals)
    const value = equals < 0 ? "" : pair.slice(equals + 1)
    if (!validEscapes(key) || !validEscapes(value)) continue
    query.append(unescape(key, true), unescape(value, true))
  }
  return query
}
