import AgentCore
import Yams

/// Reads a YAML document (a manifest, an agent definition, a settings file) as plain data.
///
/// The document is composed into Yams's node tree and converted here rather than with `Yams.load`,
/// whose constructors trap on some input (a sequence used as a mapping key; a base-60 integer such as
/// `-959554:4:4:54` that overflows `Int`). Mappings must have plain scalar keys, each at most once;
/// scalars become what YAML resolves them to (null, bool, int, float; anything else a string;
/// base-60 and out-of-range integers become doubles); nesting is bounded.
public enum YAMLDocument {
    /// Nesting deeper than this is refused.
    public static let maxDepth = 64

    /// The document as JSON values.
    /// - Throws: `YAMLDocumentError`.
    public static func parse(_ text: String, maxDepth: Int = maxDepth) throws -> JSONValue {
        let tree: Node?
        do { tree = try Yams.compose(yaml: text) } catch {
            throw YAMLDocumentError.syntax(reason: "\(error)")
        }
        guard let tree else { throw YAMLDocumentError.empty }
        return try value(tree, path: "", depth: 0, maxDepth: maxDepth)
    }

    private static func value(_ node: Node, path: String, depth: Int, maxDepth: Int) throws -> JSONValue {
        if case .scalar(let scalar) = node { return scalarValue(scalar, tag: Tag.Name(rawValue: node.tag.description)) }
        guard depth < maxDepth else {
            throw YAMLDocumentError.tooDeep(limit: maxDepth, path: path, at: Position(node.mark))
        }
        switch node {
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, item) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw YAMLDocumentError.nonScalarKey(path: path, kind: key.mapping != nil ? "mapping" : "sequence",
                                                         at: Position(key.mark))
                }
                let name = scalar.string
                let field = path.isEmpty ? name : "\(path).\(name)"
                guard members[name] == nil else {
                    throw YAMLDocumentError.duplicateKey(path: field, key: name, at: Position(key.mark))
                }
                members[name] = try value(item, path: field, depth: depth + 1, maxDepth: maxDepth)
            }
            return .object(members)
        case .sequence(let sequence):
            return .array(try sequence.enumerated().map { index, item in
                try value(item, path: "\(path)[\(index)]", depth: depth + 1, maxDepth: maxDepth)
            })
        case .scalar(let scalar):
            return scalarValue(scalar, tag: Tag.Name(rawValue: node.tag.description))
        }
    }

    /// A scalar as its resolved tag (`Tag.description` is its name) says.
    private static func scalarValue(_ scalar: Node.Scalar, tag: Tag.Name) -> JSONValue {
        switch tag {
        case .null: return .null
        case .bool: return Bool.construct(from: scalar).map(JSONValue.bool) ?? .string(scalar.string)
        case .int:
            if !scalar.string.contains(":"), let value = Int.construct(from: scalar) { return .int(value) }
            return Double.construct(from: scalar).map(JSONValue.double) ?? .string(scalar.string)
        case .float: return Double.construct(from: scalar).map(JSONValue.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    /// A line and column in the document (1-based), when Yams knows it.
    public struct Position: Sendable, Equatable, CustomStringConvertible {
        /// 1-based line and column.
        public let line: Int, column: Int

        init?(_ mark: Mark?) {
            guard let mark else { return nil }
            line = mark.line
            column = mark.column
        }

        public var description: String { "line \(line), column \(column)" }
    }
}

/// Why a YAML document could not be read as plain data.
public enum YAMLDocumentError: Error, Equatable, CustomStringConvertible {
    /// Not valid YAML.
    case syntax(reason: String)
    /// No document, or not plain data.
    case empty
    /// Nested deeper than `limit`; `path` is the field it is inside ("" at the top).
    case tooDeep(limit: Int, path: String, at: YAMLDocument.Position?)
    /// A mapping or sequence used as a key inside the mapping at `path`.
    case nonScalarKey(path: String, kind: String, at: YAMLDocument.Position?)
    /// `key` given a second time; `path` is the field's full name.
    case duplicateKey(path: String, key: String, at: YAMLDocument.Position?)

    public var description: String {
        func place(_ position: YAMLDocument.Position?) -> String { position.map { " at \($0)" } ?? "" }
        switch self {
        case .syntax(let reason): return "not valid YAML (\(reason))"
        case .empty: return "YAML document is empty or not plain data"
        case .tooDeep(let limit, let path, let at):
            return "YAML nested too deeply: more than \(limit) levels\(place(at))"
                + (path.isEmpty ? "" : ", inside field '\(path.prefix(120))'")
        case .nonScalarKey(_, let kind, let at): return "a \(kind) used as a key\(place(at))"
        case .duplicateKey(_, let key, let at): return "'\(key.prefix(120))' a second time\(place(at))"
        }
    }
}
