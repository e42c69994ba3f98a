import CGumbo

/// Turns a parsed HTML page into readable markdown: headings, paragraphs, lists, tables, links with
/// absolute URLs; scripts, styles, navigation, footers, asides, forms and boilerplate blocks dropped.
///
/// Content root: the first `<main>` (or `role="main"`), else the page's only `<article>`, else `<body>`.
struct MarkdownRenderer {
    /// Resolves `href`s against the page URL (and `<base href>`).
    let links: LinkResolver
    /// Whether class/id words such as `sidebar` or `cookie` drop an element.
    var dropsBoilerplateClasses = true

    /// A rendered page.
    struct Page: Equatable {
        /// The `<title>` text, whitespace collapsed ("" when there is none).
        let title: String
        /// The markdown text.
        let markdown: String
    }

    /// Class and id words that mark page furniture rather than content.
    static let boilerplateWords: Set<String> = [
        "nav", "navbar", "navigation", "menu", "sidebar", "footer", "breadcrumb", "breadcrumbs", "cookie", "cookies",
        "consent", "banner", "advert", "advertisement", "ads", "ad", "sponsored", "promo", "social", "share",
        "sharing", "newsletter", "subscribe", "popup", "modal", "related", "comments", "skip", "toolbar",
    ]

    /// ARIA roles of page furniture.
    private static let boilerplateRoles: Set<String> = [
        "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar",
    ]

    /// Renders `document`, whose URL is `pageURL`.
    static func render(_ document: HTMLDocument, pageURL: String) -> Page {
        let links = LinkResolver(baseURL: pageURL)
        let root = document.root
        let head = root.children.first { $0.isElement && $0.tag == GUMBO_TAG_HEAD }
        if let base = head?.children.first(where: { $0.isElement && $0.tag == GUMBO_TAG_BASE }),
           let href = base.attribute("href") {
            links.rebase(href)
        }
        var title = InlineBuilder()
        if let titleNode = head?.first(where: { $0.tag == GUMBO_TAG_TITLE }) { title.appendText(titleNode.textContent) }

        let body = root.children.first { $0.isElement && $0.tag == GUMBO_TAG_BODY } ?? root
        let landmarks = body.all { $0.tag == GUMBO_TAG_MAIN || $0.tag == GUMBO_TAG_ARTICLE || $0.attribute("role") == "main" }
        let main = landmarks.first { $0.tag == GUMBO_TAG_MAIN || $0.attribute("role") == "main" }
        let articles = landmarks.filter { $0.tag == GUMBO_TAG_ARTICLE }
        let content = main ?? (articles.count == 1 ? articles[0] : body)

        var renderer = MarkdownRenderer(links: links)
        var markdown = renderer.renderDocument(content, inContent: content.tag != GUMBO_TAG_BODY)
        if markdown.isEmpty, content.tag != GUMBO_TAG_BODY {
            markdown = renderer.renderDocument(body, inContent: false)
        }
        if markdown.isEmpty {
            // A page whose wrapper carries a word like "sidebar" would vanish whole; render it plainly instead.
            renderer.dropsBoilerplateClasses = false
            markdown = renderer.renderDocument(body, inContent: false)
        }
        return Page(title: title.finished, markdown: markdown)
    }

    private func renderDocument(_ node: Node, inContent: Bool) -> String {
        blocks(of: node, inContent: inContent).joined(separator: "\n\n")
    }

    // MARK: Blocks

    /// The markdown blocks of an element's children.
    func blocks(of node: Node, inContent: Bool) -> [String] {
        var blocks: [String] = []
        var inline = InlineBuilder()
        for child in node.children { renderFlow(child, blocks: &blocks, inline: &inline, inContent: inContent) }
        flush(&inline, into: &blocks)
        return blocks
    }

    private func flush(_ inline: inout InlineBuilder, into blocks: inout [String]) {
        let text = inline.finished
        if !text.isEmpty { blocks.append(text) }
        inline = InlineBuilder()
    }

    /// Renders one node of flow content: text joins the current paragraph, blocks end it.
    private func renderFlow(_ node: Node, blocks: inout [String], inline: inout InlineBuilder, inContent: Bool) {
        if node.isText {
            inline.appendText(node.text)
            return
        }
        guard node.isElement, !isDropped(node, inContent: inContent) else { return }
        let role = ElementRole.of(node.tag)
        let nowInContent = inContent || node.tag == GUMBO_TAG_ARTICLE || node.tag == GUMBO_TAG_MAIN
        switch role {
        case .block, .header:
            flush(&inline, into: &blocks)
            for child in node.children { renderFlow(child, blocks: &blocks, inline: &inline, inContent: nowInContent) }
            flush(&inline, into: &blocks)
        case .heading(let level):
            flush(&inline, into: &blocks)
            let text = inlineText(of: node).replacingNewlines()
            if !text.isEmpty { blocks.append(String(repeating: "#", count: level) + " " + text) }
        case .list(let ordered):
            flush(&inline, into: &blocks)
            let list = renderList(node, ordered: ordered, inContent: nowInContent)
            if !list.isEmpty { blocks.append(list) }
        case .table:
            flush(&inline, into: &blocks)
            blocks += renderTable(node, inContent: nowInContent)
        case .preformatted:
            flush(&inline, into: &blocks)
            let code = trimmedLines(node.textContent)
            if !code.isEmpty { blocks.append("```\n" + code + "\n```") }
        case .quote:
            flush(&inline, into: &blocks)
            let inner = self.blocks(of: node, inContent: nowInContent).joined(separator: "\n\n")
            if !inner.isEmpty { blocks.append(prefixLines(inner, first: "> ", rest: "> ")) }
        case .definitionList:
            flush(&inline, into: &blocks)
            let list = renderDefinitions(node, inContent: nowInContent)
            if !list.isEmpty { blocks.append(list) }
        case .lineBreak, .link, .strong, .emphasis, .code:
            renderInline(node, into: &inline, inContent: inContent)
        case .transparent:
            for child in node.children { renderFlow(child, blocks: &blocks, inline: &inline, inContent: inContent) }
        case .drop:
            return
        }
    }

    private func renderList(_ node: Node, ordered: Bool, inContent: Bool) -> String {
        var number = ordered ? (node.attribute("start").flatMap { Int($0.trimmingASCIIWhitespace()) } ?? 1) : 1
        var items: [String] = []
        for child in node.children where child.isElement && !isDropped(child, inContent: inContent) {
            let body: String
            if child.tag == GUMBO_TAG_LI {
                body = blocks(of: child, inContent: inContent).joined(separator: "\n")
            } else {
                var single: [String] = []
                var inline = InlineBuilder()
                renderFlow(child, blocks: &single, inline: &inline, inContent: inContent)
                flush(&inline, into: &single)
                body = single.joined(separator: "\n")
            }
            let marker = ordered ? "\(number). " : "- "
            if child.tag == GUMBO_TAG_LI { number += 1 }
            guard !body.isEmpty else { continue }
            items.append(prefixLines(body, first: marker, rest: String(repeating: " ", count: marker.count)))
        }
        return items.joined(separator: "\n")
    }

    private func renderDefinitions(_ node: Node, inContent: Bool) -> String {
        var lines: [String] = []
        for child in node.children where child.isElement && !isDropped(child, inContent: inContent) {
            let text = blocks(of: child, inContent: inContent).joined(separator: " ").replacingNewlines()
            guard !text.isEmpty else { continue }
            lines.append(child.tag == GUMBO_TAG_DD ? ": " + text : text)
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Inline

    /// The inline markdown of an element's children, as one line of text.
    func inlineText(of node: Node) -> String {
        var inline = InlineBuilder()
        for child in node.children { renderInline(child, into: &inline, inContent: true) }
        return inline.finished
    }

    /// Renders a node as inline content; block elements inside inline content become spaces around their text.
    private func renderInline(_ node: Node, into inline: inout InlineBuilder, inContent: Bool) {
        if node.isText {
            inline.appendText(node.text)
            return
        }
        guard node.isElement, !isDropped(node, inContent: inContent) else { return }
        var inner = InlineBuilder()
        let role = ElementRole.of(node.tag)
        if role != .lineBreak {
            for child in node.children { renderInline(child, into: &inner, inContent: inContent) }
        }
        switch role {
        case .lineBreak:
            inline.lineBreak()
        case .link:
            let content = inner.finished.replacingNewlines()
            if let href = node.attribute("href"), let url = links.resolve(href), !content.isEmpty {
                if inner.leadingSpace { inline.space() }
                inline.appendRaw("[\(content)](\(url))")
                if inner.pendingSpace { inline.space() }
            } else {
                inline.appendWrapped(inner, before: "", after: "")
            }
        case .strong:
            inline.appendWrapped(inner, before: "**", after: "**")
        case .emphasis:
            inline.appendWrapped(inner, before: "*", after: "*")
        case .code:
            inline.appendWrapped(inner, before: "`", after: "`")
        case .transparent:
            inline.appendWrapped(inner, before: "", after: "")
        case .drop:
            return
        default:
            // A block inside inline content (a card link around a heading): keep its words apart.
            inline.space()
            inline.appendWrapped(inner, before: "", after: "")
            inline.space()
        }
    }

    // MARK: Dropping

    /// Whether an element is page furniture: dropped tags, hidden elements, navigation roles, boilerplate classes.
    func isDropped(_ node: Node, inContent: Bool) -> Bool {
        let role = ElementRole.of(node.tag)
        if role == .drop { return true }
        if role == .header, !inContent { return true }
        if node.attribute("hidden") != nil { return true }
        if node.attribute("aria-hidden")?.lowercased() == "true" { return true }
        if let role = node.attribute("role")?.lowercased(), MarkdownRenderer.boilerplateRoles.contains(role) {
            return true
        }
        if let style = node.attribute("style")?.lowercased().filter({ $0 != " " }),
           style.contains("display:none") || style.contains("visibility:hidden") {
            return true
        }
        guard dropsBoilerplateClasses, node.tag != GUMBO_TAG_BODY, node.tag != GUMBO_TAG_HTML,
              node.tag != GUMBO_TAG_MAIN, node.tag != GUMBO_TAG_ARTICLE else { return false }
        return [node.attribute("class"), node.attribute("id")].contains { value in
            guard let value, !value.isEmpty else { return false }
            return value.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) })
                .contains { MarkdownRenderer.boilerplateWords.contains(String($0)) }
        }
    }

    // MARK: Text helpers

    /// Prefixes the first line of `text` with `first` and every other line with `rest` (blank lines stay bare).
    func prefixLines(_ text: String, first: String, rest: String) -> String {
        var out = ""
        for (index, line) in text.split(separator: Character("\n"), omittingEmptySubsequences: false).enumerated() {
            if index > 0 { out += "\n" }
            let prefix = index == 0 ? first : rest
            out += line.isEmpty ? String(prefix.reversed().drop(while: { $0 == " " }).reversed()) : prefix + line
        }
        return out
    }

    /// Preformatted text without trailing spaces on lines and without blank lines at either end.
    private func trimmedLines(_ text: String) -> String {
        var lines = text.split(separator: Character("\n"), omittingEmptySubsequences: false).map { line -> Substring in
            var line = line
            while line.last == " " || line.last == "\t" || line.last == "\r" { line.removeLast() }
            return line
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// The string with each line break replaced by a space (for headings, links and table cells).
    func replacingNewlines() -> String {
        guard utf8.contains(UInt8(ascii: "\n")) else { return self }
        return split(separator: Character("\n")).map { $0.trimmingCharacters(in: " ") }.joined(separator: " ")
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(drop(while: { $0 == character }).reversed().drop(while: { $0 == character }).reversed())
    }
}
