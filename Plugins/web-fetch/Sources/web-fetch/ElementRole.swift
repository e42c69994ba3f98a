import CGumbo

/// What an HTML element becomes in the markdown output.
enum ElementRole: Equatable {
    /// Not rendered at all (scripts, styles, navigation, forms, embedded media, …).
    case drop
    /// A block: ends the paragraph before it and after it.
    case block
    /// `<header>`: dropped at page level (site banner), a block inside `<article>`/`<main>`.
    case header
    /// `<h1>`…`<h6>`.
    case heading(Int)
    /// `<ul>`/`<ol>`, `<menu>`.
    case list(ordered: Bool)
    /// `<table>`.
    case table
    /// `<pre>`: a fenced code block, whitespace kept.
    case preformatted
    /// `<blockquote>`.
    case quote
    /// `<dl>`.
    case definitionList
    /// `<br>`.
    case lineBreak
    /// `<a>`.
    case link
    /// `<strong>`/`<b>`.
    case strong
    /// `<em>`/`<i>`.
    case emphasis
    /// `<code>`, `<kbd>`, `<samp>`, `<tt>` (outside `<pre>`).
    case code
    /// Anything else: its children are rendered in place (spans, custom elements, …).
    case transparent

    /// Tag names by role; everything not listed is `.transparent`.
    private static let byName: [String: ElementRole] = {
        var table: [String: ElementRole] = [:]
        let dropped = ["head", "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
                       "input", "select", "textarea", "option", "iframe", "frame", "frameset", "svg", "canvas",
                       "object", "embed", "audio", "video", "picture", "source", "track", "map", "dialog", "img",
                       "link", "meta", "base", "title", "applet", "noframes", "progress", "meter"]
        for name in dropped { table[name] = .drop }
        let blocks = ["html", "body", "main", "article", "section", "div", "p", "address", "center", "figure",
                      "figcaption", "details", "summary", "hgroup", "fieldset", "legend", "caption", "li", "dd", "dt",
                      "tr", "td", "th", "thead", "tbody", "tfoot", "hr", "search"]
        for name in blocks { table[name] = .block }
        for level in 1...6 { table["h\(level)"] = .heading(level) }
        let single: [(String, ElementRole)] = [
            ("header", .header), ("ul", .list(ordered: false)), ("menu", .list(ordered: false)),
            ("dir", .list(ordered: false)), ("ol", .list(ordered: true)), ("table", .table),
            ("pre", .preformatted), ("listing", .preformatted), ("xmp", .preformatted), ("plaintext", .preformatted),
            ("blockquote", .quote), ("dl", .definitionList), ("br", .lineBreak), ("a", .link),
            ("strong", .strong), ("b", .strong), ("em", .emphasis), ("i", .emphasis),
        ]
        for (name, role) in single { table[name] = role }
        for name in ["code", "kbd", "samp", "tt", "var"] { table[name] = .code }
        return table
    }()

    /// Roles indexed by `GumboTag` raw value, built once from Gumbo's own tag names.
    private static let byTag: [ElementRole] = (0..<GUMBO_TAG_LAST.rawValue).map { raw in
        guard let name = gumbo_normalized_tagname(GumboTag(rawValue: raw)) else { return .transparent }
        return byName[String(cString: name)] ?? .transparent
    }

    /// The role of an element with this tag.
    static func of(_ tag: GumboTag) -> ElementRole {
        let index = Int(tag.rawValue)
        return index < byTag.count ? byTag[index] : .transparent
    }
}

/// Builds one paragraph of inline markdown, collapsing HTML whitespace as a browser would.
struct InlineBuilder {
    /// The text so far, without a trailing space.
    private(set) var text = ""
    /// Whether whitespace was seen after the last visible character.
    private(set) var pendingSpace = false
    /// Whether the first thing appended was whitespace.
    private(set) var leadingSpace = false

    /// Appends character data, turning each run of whitespace into one space.
    mutating func appendText(_ string: String) {
        let bytes = string.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index].isASCIIWhitespace {
                if text.isEmpty { leadingSpace = true }
                pendingSpace = true
                index = bytes.index(after: index)
                continue
            }
            // A run of non-whitespace; ASCII bytes are always character boundaries in UTF-8.
            let runStart = index
            while index < bytes.endIndex, !bytes[index].isASCIIWhitespace { index = bytes.index(after: index) }
            flushSpace()
            text += string[runStart..<index]
        }
    }

    /// Appends markup or already-rendered inline text as is (after any pending space).
    mutating func appendRaw(_ string: String) {
        guard !string.isEmpty else { return }
        flushSpace()
        text += string
    }

    /// Records a space (it appears only if visible text follows).
    mutating func space() {
        if text.isEmpty { leadingSpace = true }
        pendingSpace = true
    }

    /// A `<br>`: a new line inside the paragraph.
    mutating func lineBreak() {
        guard !text.isEmpty else { return }
        text += "\n"
        pendingSpace = false
    }

    /// Wraps the inline content of a child in markup (`**…**`), keeping spaces outside the markers.
    mutating func appendWrapped(_ inner: InlineBuilder, before: String, after: String) {
        let content = inner.finished
        if inner.leadingSpace { space() }
        guard !content.isEmpty else {
            if inner.pendingSpace { space() }
            return
        }
        appendRaw(before + content + after)
        if inner.pendingSpace { space() }
    }

    /// The paragraph's text: no space or line break at either end.
    var finished: String {
        var result = text
        while result.last == "\n" || result.last == " " { result.removeLast() }
        return result
    }

    private mutating func flushSpace() {
        if pendingSpace, !text.isEmpty, text.last != "\n" { text += " " }
        pendingSpace = false
    }
}

extension UInt8 {
    /// HTML's ASCII whitespace as a UTF-8 byte: space, tab, line feed, form feed, carriage return.
    fileprivate var isASCIIWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0C || self == 0x0D }
}
