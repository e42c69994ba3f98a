import AgentCore
import Tokenizers

/// A JSON Schema compiled to the subset constrained decoding enforces.
///
/// Supported: `type` (one or a list), `properties` with `required` (in any order, each at most once;
/// properties not in the schema are not allowed when `properties` is given; at most 64 are enforced,
/// a larger object is free-form), `items`,
/// `minItems`/`maxItems`, `enum` and `const` (any JSON values), `anyOf`/`oneOf` (both as "any of";
/// exclusivity is not checked), `integer` vs `number`. Anything else (patterns, lengths, bounds,
/// `$ref`) is not enforced, and a schema that says nothing allows any JSON value.
///
/// One extension: an object schema with `"propertyOrder": ["a", "b"]` has its properties written in
/// that order (listed ones first, in order; the rest after, by name), so a model can be made to say
/// what is left to do before it writes the steps, or which result it answers from before the answer.
public struct JSONSchema: Sendable, Hashable {
    /// One compiled schema node; nodes refer to each other by index into `nodes`.
    enum Node: Sendable, Hashable {
        /// Any JSON value.
        case any
        /// An object with known properties (sorted by name and written in any order, or `ordered`:
        /// written in the listed order).
        case object([Property], ordered: Bool)
        /// An object with any keys and values.
        case freeObject
        /// An array whose items match a node.
        case array(items: Int, minItems: Int, maxItems: Int?)
        /// A string.
        case string
        /// A number; `integer` forbids fraction and exponent.
        case number(integer: Bool)
        /// `true` or `false`.
        case boolean
        /// `null`.
        case null
        /// One of fixed JSON texts (enum/const), compact-encoded.
        case literals([[UInt8]])
        /// Any of several nodes.
        case anyOf([Int])
        /// Nothing matches (an empty enum).
        case nothing
    }

    /// A property of an object node.
    struct Property: Sendable, Hashable {
        /// The key as it appears between the quotes (JSON-escaped UTF-8).
        var key: [UInt8]
        /// The value's node.
        var node: Int
        /// Whether the property must appear.
        var required: Bool
    }

    /// Every node; the root is node 0.
    let nodes: [Node]
    /// A node that allows any value (the items and members of free-form values).
    let anyNode: Int

    /// Compiles a schema. Never fails: what is not understood is not enforced.
    public init(_ schema: JSONValue) {
        var builder = Builder()
        _ = builder.compile(schema, depth: 0)
        anyNode = builder.add(.any)
        nodes = builder.nodes
    }

    /// A schema that allows any JSON value.
    public static let anyValue = JSONSchema(.object([:]))

    private struct Builder {
        var nodes: [Node] = []

        mutating func add(_ node: Node) -> Int {
            nodes.append(node)
            return nodes.count - 1
        }

        /// Compiles `schema` into a new node and returns its index.
        mutating func compile(_ schema: JSONValue, depth: Int) -> Int {
            let index = add(.any)
            guard depth < 64, let object = schema.objectValue else { return index }
            nodes[index] = node(for: object, depth: depth)
            return index
        }

        private mutating func node(for s: [String: JSONValue], depth: Int) -> Node {
            if let constant = s["const"] { return .literals([CompactJSON.bytes(constant)]) }
            if let values = s["enum"]?.arrayValue { return values.isEmpty ? .nothing : .literals(values.map(CompactJSON.bytes)) }
            if let options = (s["anyOf"] ?? s["oneOf"])?.arrayValue, !options.isEmpty {
                return .anyOf(options.map { compile($0, depth: depth + 1) })
            }
            let types: [String]
            switch s["type"] {
            case let .string(name)?: types = [name]
            case let .array(names)?: types = names.compactMap(\.stringValue)
            default: types = inferredTypes(s)
            }
            let compiled = types.map { typeNode($0, s, depth: depth) }
            switch compiled.count {
            case 0: return .any
            case 1: return compiled[0]
            default: return .anyOf(compiled.map { add($0) })
            }
        }

        /// Types implied by keywords when `type` is absent.
        private func inferredTypes(_ s: [String: JSONValue]) -> [String] {
            if s["properties"] != nil || s["required"] != nil { return ["object"] }
            if s["items"] != nil { return ["array"] }
            return []
        }

        private mutating func typeNode(_ type: String, _ s: [String: JSONValue], depth: Int) -> Node {
            switch type {
            case "object":
                guard let properties = s["properties"]?.objectValue, (1...64).contains(properties.count) else { return .freeObject }
                let required = Set((s["required"]?.arrayValue ?? []).compactMap(\.stringValue))
                let order = (s["propertyOrder"]?.arrayValue ?? []).compactMap(\.stringValue).filter { properties[$0] != nil }
                let names = order + properties.keys.filter { !order.contains($0) }.sorted()
                return .object(names.map { name in
                    Property(key: Array(CompactJSON.quote(name).utf8.dropFirst().dropLast()),
                             node: compile(properties[name] ?? .object([:]), depth: depth + 1),
                             required: required.contains(name))
                }, ordered: !order.isEmpty)
            case "array":
                let items = compile(s["items"] ?? .object([:]), depth: depth + 1)
                let minItems = max(0, s["minItems"]?.intValue ?? 0)
                let maxItems = s["maxItems"]?.intValue.map { max($0, minItems) }
                return .array(items: items, minItems: minItems, maxItems: maxItems)
            case "string": return .string
            case "integer": return .number(integer: true)
            case "number": return .number(integer: false)
            case "boolean": return .boolean
            case "null": return .null
            default: return .any
            }
        }
    }
}

/// Compact JSON text (no spaces, sorted keys) as bytes: the spelling of `enum`/`const` values.
enum CompactJSON {
    static func bytes(_ value: JSONValue) -> [UInt8] { Array(text(value).utf8) }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .double(d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        case let .string(s): return quote(s)
        case let .array(items): return "[" + items.map(text).joined(separator: ",") + "]"
        case let .object(members):
            return "{" + members.keys.sorted().map { quote($0) + ":" + text(members[$0] ?? .null) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (the spelling `JSONText.quote` gives, as in the chat template's tool JSON).
    static func quote(_ s: String) -> String { JSONText.quote(s) }
}
