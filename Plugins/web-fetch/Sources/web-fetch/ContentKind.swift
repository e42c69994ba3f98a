/// What a response body is, which decides how web-fetch renders it.
enum ContentKind: Equatable {
    /// HTML or XHTML: parsed with Gumbo and rendered as markdown.
    case html
    /// JSON: pretty-printed.
    case json
    /// Other text (plain, CSV, XML, …): passed through.
    case text
    /// Anything else: refused, naming the type.
    case binary

    /// Application types that are text even though they are not `text/*`.
    private static let textApplicationTypes: Set<String> = [
        "application/xml", "application/javascript", "application/ecmascript", "application/x-javascript",
        "application/yaml", "application/x-yaml", "application/toml", "application/x-sh", "application/sql",
        "application/graphql", "application/x-tex", "application/rtf",
    ]

    /// The kind a declared media type names; nil when no type was declared (then the body is sniffed).
    static func classify(contentType: String) -> ContentKind? {
        let media = MediaType(contentType).essence
        if media.isEmpty { return nil }
        switch media {
        case "text/html", "application/xhtml+xml": return .html
        case "application/json", "text/json": return .json
        default: break
        }
        if media.hasSuffix("+json") { return .json }
        if media.hasPrefix("text/") || media.hasSuffix("+xml") || textApplicationTypes.contains(media) { return .text }
        return .binary
    }

    /// Guesses the kind of an undeclared body from its first bytes.
    static func sniff(_ body: [UInt8]) -> ContentKind {
        let head = body.prefix(1024)
        if head.contains(0) { return .binary }
        let text = String(decoding: head, as: UTF8.self).trimmingASCIIWhitespace().lowercased()
        if text.hasPrefix("<!doctype html") || text.hasPrefix("<html") || text.contains("<body")
            || text.contains("<head") || text.contains("<p>") || text.contains("<div") {
            return .html
        }
        if text.hasPrefix("{") || text.hasPrefix("[") { return .json }
        return .text
    }
}

/// A parsed `Content-Type` value: the media type and its parameters.
struct MediaType: Equatable {
    /// `type/subtype`, lowercase, without parameters (`text/html`).
    let essence: String
    /// Parameters by lowercase name, values unquoted (`charset` → `ISO-8859-1`).
    let parameters: [String: String]

    /// Parses a header value such as `text/html; charset="utf-8"`; an empty value gives an empty essence.
    init(_ value: String) {
        let pieces = value.split(separator: ";", omittingEmptySubsequences: false)
        essence = pieces.first.map { String($0).trimmingASCIIWhitespace().lowercased() } ?? ""
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = String(piece[..<equals]).trimmingASCIIWhitespace().lowercased()
            var parameter = String(piece[piece.index(after: equals)...]).trimmingASCIIWhitespace()
            if parameter.count >= 2, parameter.hasPrefix("\""), parameter.hasSuffix("\"") {
                parameter = String(parameter.dropFirst().dropLast())
            }
            if !name.isEmpty, parameters[name] == nil { parameters[name] = parameter }
        }
        self.parameters = parameters
    }

    /// The declared charset, if any.
    var charset: String? { parameters["charset"].flatMap { $0.isEmpty ? nil : $0 } }
}
