/// Turns a fetched body into the text the model reads: HTML as markdown, JSON pretty-printed, text as is.
enum PageConverter {
    /// A converted body.
    struct Converted: Equatable {
        /// How the body was read.
        let kind: ContentKind
        /// The page title (HTML only; "" otherwise).
        let title: String
        /// The readable text.
        let text: String
        /// The charset the body was decoded from.
        let charset: String
    }

    /// Converts `body`, served from `url` with `Content-Type: contentType`.
    ///
    /// - Throws: `WebFetchError.binaryContent` when the type (declared or sniffed) is not text.
    static func convert(body: [UInt8], contentType: String, url: String) throws -> Converted {
        let kind = ContentKind.classify(contentType: contentType) ?? ContentKind.sniff(body)
        if kind == .binary {
            let declared = MediaType(contentType).essence
            throw WebFetchError.binaryContent(url: url, contentType: declared.isEmpty ? "undeclared binary data" : declared)
        }
        let decoded = Charset.decode(body, declared: MediaType(contentType).charset, isHTML: kind == .html)
        switch kind {
        case .html:
            let page = html(decoded.text, url: url)
            return Converted(kind: kind, title: page.title, text: page.markdown, charset: decoded.charset)
        case .json:
            let text = JSONFormatter.prettyPrint(decoded.text) ?? decoded.text
            return Converted(kind: kind, title: "", text: text, charset: decoded.charset)
        case .text, .binary:
            return Converted(kind: kind, title: "", text: normalizeLineEnds(decoded.text), charset: decoded.charset)
        }
    }

    /// Renders HTML text as markdown.
    static func html(_ text: String, url: String) -> MarkdownRenderer.Page {
        guard let document = HTMLDocument(text) else { return MarkdownRenderer.Page(title: "", markdown: text) }
        return MarkdownRenderer.render(document, pageURL: url)
    }

    /// Text with CRLF and CR line ends turned into LF and trailing blank lines removed.
    private static func normalizeLineEnds(_ text: String) -> String {
        var result = text.contains("\r") ? text.split(separator: "\r\n", omittingEmptySubsequences: false)
            .joined(separator: "\n").split(separator: "\r", omittingEmptySubsequences: false).joined(separator: "\n") : text
        while result.last == "\n" { result.removeLast() }
        return result
    }
}
