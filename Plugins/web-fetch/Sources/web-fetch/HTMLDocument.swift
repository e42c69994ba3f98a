import CGumbo

/// An HTML document parsed by Gumbo (HTML5 parsing rules, so malformed markup is repaired as browsers do).
///
/// Owns the parse tree and the UTF-8 buffer Gumbo points into; `Node`s are valid while the document lives.
final class HTMLDocument {
    private let buffer: UnsafeMutableBufferPointer<CChar>
    private let output: UnsafeMutablePointer<GumboOutput>

    /// Parses `html`; nil only when Gumbo could not allocate its output.
    init?(_ html: String) {
        var html = html
        let count = html.utf8.count
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(count, 1))
        html.withUTF8 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer($0)) }
        guard let output = loom_gumbo_parse(buffer.baseAddress, count) else {
            buffer.deallocate()
            return nil
        }
        self.buffer = buffer
        self.output = output
    }

    deinit {
        loom_gumbo_destroy(output)
        buffer.deallocate()
    }

    /// The `<html>` element (Gumbo always creates one, with `<head>` and `<body>` inside).
    var root: Node { Node(output.pointee.root) }
}

/// A node of a Gumbo parse tree.
struct Node {
    /// The Gumbo node.
    let pointer: UnsafeMutablePointer<GumboNode>

    init(_ pointer: UnsafeMutablePointer<GumboNode>) { self.pointer = pointer }

    /// The node's type (element, text, whitespace, …).
    var type: GumboNodeType { pointer.pointee.type }

    /// Whether this is an element (or a `<template>`, which Gumbo types separately).
    var isElement: Bool { type == GUMBO_NODE_ELEMENT || type == GUMBO_NODE_TEMPLATE }

    /// Whether this node holds character data (text, whitespace or CDATA).
    var isText: Bool { type == GUMBO_NODE_TEXT || type == GUMBO_NODE_WHITESPACE || type == GUMBO_NODE_CDATA }

    /// The element's tag (`GUMBO_TAG_UNKNOWN` for custom elements); only meaningful for elements.
    var tag: GumboTag { pointer.pointee.v.element.tag }

    /// The character data of a text node ("" for other nodes).
    var text: String {
        guard isText, let text = pointer.pointee.v.text.text else { return "" }
        return String(cString: text)
    }

    /// The children of an element or the document, in order (a view over Gumbo's vector, no copy).
    var children: Children {
        switch type {
        case GUMBO_NODE_DOCUMENT: return Children(vector: pointer.pointee.v.document.children)
        case GUMBO_NODE_ELEMENT, GUMBO_NODE_TEMPLATE: return Children(vector: pointer.pointee.v.element.children)
        default: return Children(vector: GumboVector(data: nil, length: 0, capacity: 0))
        }
    }

    /// The child nodes of a node, read in place from a `GumboVector` of `GumboNode*`.
    struct Children: RandomAccessCollection {
        let vector: GumboVector

        var startIndex: Int { 0 }
        var endIndex: Int { vector.data == nil ? 0 : Int(vector.length) }

        subscript(position: Int) -> Node {
            // Gumbo never stores NULL in a children vector; `endIndex` is 0 when `data` is NULL.
            Node(vector.data.unsafelyUnwrapped[position].unsafelyUnwrapped.assumingMemoryBound(to: GumboNode.self))
        }
    }

    /// The value of attribute `name` (lowercase), or nil when absent.
    func attribute(_ name: String) -> String? {
        guard isElement else { return nil }
        var attributes = pointer.pointee.v.element.attributes
        guard let attribute = gumbo_get_attribute(&attributes, name), let value = attribute.pointee.value else {
            return nil
        }
        return String(cString: value)
    }

    /// All text below this node, unchanged (for `<pre>` and `<title>`).
    var textContent: String {
        if isText { return text }
        var out = ""
        for child in children { out += child.textContent }
        return out
    }

    /// The first element in document order below this node (itself included) that matches `predicate`.
    func first(where predicate: (Node) -> Bool) -> Node? {
        guard isElement || type == GUMBO_NODE_DOCUMENT else { return nil }
        if isElement, predicate(self) { return self }
        for child in children {
            if let found = child.first(where: predicate) { return found }
        }
        return nil
    }

    /// All elements below this node (itself included) that match `predicate`, not looking inside matches.
    func all(where predicate: (Node) -> Bool) -> [Node] {
        guard isElement else { return [] }
        if predicate(self) { return [self] }
        return children.flatMap { $0.all(where: predicate) }
    }
}
