import CCurl

/// A URL parsed by libcurl's URL API, so web-fetch reads URLs exactly as the transfer will.
struct WebURL: Sendable, Equatable {
    /// The normalized URL text.
    let text: String
    /// The scheme, lowercase (`https`).
    let scheme: String
    /// The host as written in the URL, lowercase, without IPv6 brackets.
    let host: String

    /// Schemes web-fetch fetches; everything else (file, ftp, gopher, dict, …) is refused.
    static let allowedSchemes: Set<String> = ["http", "https"]

    /// Parses an absolute URL and checks its scheme.
    ///
    /// - Throws: `WebFetchError.invalidURL` when libcurl cannot parse it, `.unsupportedScheme` for a
    ///   scheme other than http and https.
    init(_ text: String) throws {
        guard let handle = curl_url() else { throw WebFetchError.setup("curl_url() returned NULL") }
        defer { curl_url_cleanup(handle) }
        let flags = UInt32(CURLU_NON_SUPPORT_SCHEME) | UInt32(CURLU_URLENCODE)
        let code = curl_url_set(handle, CURLUPART_URL, text, flags)
        guard code == CURLUE_OK else {
            throw WebFetchError.invalidURL(url: text, reason: String(cString: curl_url_strerror(code)))
        }
        let scheme = (WebURL.part(handle, CURLUPART_SCHEME) ?? "").lowercased()
        guard WebURL.allowedSchemes.contains(scheme) else {
            throw WebFetchError.unsupportedScheme(url: text, scheme: scheme)
        }
        guard let host = WebURL.part(handle, CURLUPART_HOST), !host.isEmpty,
              let full = WebURL.part(handle, CURLUPART_URL) else {
            throw WebFetchError.invalidURL(url: text, reason: "it has no host")
        }
        self.text = full
        self.scheme = scheme
        self.host = WebURL.stripBrackets(host.lowercased())
    }

    /// Reads one part of a parsed URL; nil when the URL has no such part.
    static func part(_ handle: OpaquePointer, _ which: CURLUPart) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }

    private static func stripBrackets(_ host: String) -> String {
        guard host.hasPrefix("["), host.hasSuffix("]") else { return host }
        return String(host.dropFirst().dropLast())
    }
}

/// Turns the `href`s of one page into absolute http(s) URLs, relative to the page's base URL.
final class LinkResolver {
    private let base: OpaquePointer?

    /// Creates a resolver for links on a page whose base URL is `baseURL`.
    init(baseURL: String) {
        let handle = curl_url()
        if let handle, curl_url_set(handle, CURLUPART_URL, baseURL, UInt32(CURLU_NON_SUPPORT_SCHEME)) != CURLUE_OK {
            curl_url_cleanup(handle)
            base = nil
        } else {
            base = handle
        }
    }

    deinit { if let base { curl_url_cleanup(base) } }

    /// The absolute http(s) URL `href` points to, or nil (fragment-only, `javascript:`, `mailto:`, unparsable).
    func resolve(_ href: String) -> String? {
        let trimmed = href.trimmingASCIIWhitespace()
        guard let base, !trimmed.isEmpty, !trimmed.hasPrefix("#"), let handle = curl_url_dup(base) else { return nil }
        defer { curl_url_cleanup(handle) }
        let flags = UInt32(CURLU_NON_SUPPORT_SCHEME) | UInt32(CURLU_URLENCODE)
        guard curl_url_set(handle, CURLUPART_URL, trimmed, flags) == CURLUE_OK,
              let scheme = WebURL.part(handle, CURLUPART_SCHEME)?.lowercased(),
              WebURL.allowedSchemes.contains(scheme) else { return nil }
        return WebURL.part(handle, CURLUPART_URL)
    }

    /// Moves the base to `href` resolved against the current base (for `<base href>`).
    func rebase(_ href: String) {
        guard let base, let absolute = resolve(href) else { return }
        curl_url_set(base, CURLUPART_URL, absolute, UInt32(CURLU_NON_SUPPORT_SCHEME))
    }
}

extension String {
    /// The string without leading and trailing ASCII whitespace (space, tab, CR, LF, FF).
    func trimmingASCIIWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isASCIIWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isASCIIWhitespace }) ?? first
        return String(scalars[first...last])
    }
}

extension Unicode.Scalar {
    /// HTML's ASCII whitespace: space, tab, line feed, form feed, carriage return.
    var isASCIIWhitespace: Bool {
        value == 0x20 || value == 0x09 || value == 0x0A || value == 0x0C || value == 0x0D
    }
}
