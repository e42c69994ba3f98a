import CGumbo

extension MarkdownRenderer {
    /// Renders a `<table>` as a markdown table (first row as the header row, `colspan` repeated as empty
    /// cells, `|` escaped), preceded by its caption. A layout table (one column, or tables nested inside)
    /// is rendered as the blocks of its cells instead.
    func renderTable(_ table: Node, inContent: Bool) -> [String] {
        var caption: [String] = []
        var rows: [Node] = []
        collectRows(table, rows: &rows, caption: &caption, inContent: inContent)
        let cellsByRow = rows.map { row in row.children.filter { $0.tag == GUMBO_TAG_TD || $0.tag == GUMBO_TAG_TH } }
        let columns = cellsByRow.map { cells in cells.reduce(0) { $0 + span(of: $1) } }.max() ?? 0
        let hasNestedTable = cellsByRow.joined().contains { cell in cell.first(where: { $0.tag == GUMBO_TAG_TABLE }) != nil }
        if columns <= 1 || hasNestedTable {
            return caption + cellsByRow.joined().flatMap { blocks(of: $0, inContent: inContent) }
        }

        var lines: [String] = []
        for cells in cellsByRow {
            var texts: [String] = []
            for cell in cells {
                let text = blocks(of: cell, inContent: inContent).joined(separator: " ").replacingNewlines()
                texts.append(text.utf8.contains(UInt8(ascii: "|")) ? text.split(separator: Character("|"), omittingEmptySubsequences: false)
                    .joined(separator: "\\|") : text)
                texts += Array(repeating: "", count: span(of: cell) - 1)
            }
            if texts.allSatisfy(\.isEmpty) { continue }
            texts += Array(repeating: "", count: max(0, columns - texts.count))
            lines.append("| " + texts.prefix(columns).joined(separator: " | ") + " |")
            if lines.count == 1 {
                lines.append("|" + Array(repeating: " --- |", count: columns).joined())
            }
        }
        guard !lines.isEmpty else { return caption }
        return caption + [lines.joined(separator: "\n")]
    }

    /// Rows in document order (through `thead`/`tbody`/`tfoot`, not into nested tables), and the caption.
    private func collectRows(_ node: Node, rows: inout [Node], caption: inout [String], inContent: Bool) {
        for child in node.children where child.isElement {
            if child.tag == GUMBO_TAG_TR {
                rows.append(child)
            } else if child.tag == GUMBO_TAG_CAPTION {
                caption += blocks(of: child, inContent: inContent)
            } else if child.tag == GUMBO_TAG_THEAD || child.tag == GUMBO_TAG_TBODY || child.tag == GUMBO_TAG_TFOOT {
                collectRows(child, rows: &rows, caption: &caption, inContent: inContent)
            }
        }
    }

    /// A cell's `colspan`, clamped to 1…50.
    private func span(of cell: Node) -> Int {
        let value = cell.attribute("colspan").flatMap { Int($0.trimmingASCIIWhitespace()) } ?? 1
        return min(max(value, 1), 50)
    }
}
