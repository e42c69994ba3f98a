import AgentCore
import Foundation
import Yams

extension Manifest {
    /// The largest manifest file Loom reads (checked before reading).
    public static let maxFileBytes = 1 << 20

    /// Loads and validates a manifest from a JSON or YAML file.
    ///
    /// - Throws: `PluginHostError.manifestTooLarge`, `.unreadableManifest` or `.invalidManifest` naming the
    ///   field, what was expected and what was found.
    public static func load(from url: URL) throws -> Manifest {
        let file = url.path
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: file) } catch {
            throw PluginHostError.unreadableManifest(file: file, reason: "no such file")
        }
        if attributes[.type] as? FileAttributeType == .typeDirectory {
            throw PluginHostError.unreadableManifest(file: file, reason: "is a directory, not a manifest file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxFileBytes else {
            throw PluginHostError.manifestTooLarge(file: file, bytes: size, limit: maxFileBytes)
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw PluginHostError.unreadableManifest(file: file, reason: "cannot read the file")
        }
        guard data.count <= maxFileBytes else {
            throw PluginHostError.manifestTooLarge(file: file, bytes: data.count, limit: maxFileBytes)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PluginHostError.unreadableManifest(file: file, reason: "not UTF-8 text")
        }
        let isYAML = ["yaml", "yml"].contains(url.pathExtension.lowercased())
        let value = try parseDocument(text, yaml: isYAML, file: file)
        return try parse(value, file: file)
    }

    /// Parses manifest text: JSON, or YAML when `yaml` is true.
    static func parseDocument(_ text: String, yaml: Bool, file: String) throws -> JSONValue {
        if !yaml { return try ManifestJSONParser.parse(text, file: file) }
        let tree: Node?
        do { tree = try Yams.compose(yaml: text) } catch {
            throw PluginHostError.unreadableManifest(file: file, reason: "not valid YAML (\(error))")
        }
        guard let tree else {
            throw PluginHostError.unreadableManifest(file: file, reason: "YAML document is empty or not plain data")
        }
        return try jsonValue(tree, path: "", depth: 0, file: file)
    }

    /// A composed YAML node as JSON: mappings with plain scalar keys, sequences, and scalars as YAML
    /// resolves them (null, bool, int, float; anything else a string).
    ///
    /// Converted here rather than with `Yams.load`, whose constructors trap on some input (a sequence
    /// used as a key; a base-60 integer such as `-959554:4:4:54` that overflows `Int`). Throws for a key
    /// given twice in one mapping (Yams keeps the last one silently), naming the field and where the second
    /// one is, for a key that is not a scalar, and for nesting deeper than JSON manifests may have.
    private static func jsonValue(_ node: Node, path: String, depth: Int, file: String) throws -> JSONValue {
        if case .scalar(let scalar) = node { return scalarValue(scalar, tag: Tag.Name(rawValue: node.tag.description)) }
        guard depth < ManifestJSONParser.maxDepth else {
            throw PluginHostError.unreadableManifest(
                file: file, reason: "YAML nested too deeply: more than \(ManifestJSONParser.maxDepth) levels"
                    + (node.mark.map { " at line \($0.line), column \($0.column)" } ?? "")
                    + (path.isEmpty ? "" : ", inside field '\(path.prefix(120))'"))
        }
        switch node {
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw PluginHostError.invalidManifest(
                        file: file, field: path.isEmpty ? "manifest" : String(path.prefix(120)),
                        expected: "field names that are plain strings",
                        found: "a \(key.mapping != nil ? "mapping" : "sequence") used as a key"
                            + (key.mark.map { " at line \($0.line), column \($0.column)" } ?? ""))
                }
                let name = scalar.string
                let field = path.isEmpty ? name : "\(path).\(name)"
                guard members[name] == nil else {
                    throw PluginHostError.invalidManifest(
                        file: file, field: String(field.prefix(120)), expected: "each field at most once in an object",
                        found: "'\(name.prefix(120))' a second time" + (key.mark.map { " at line \($0.line), column \($0.column)" } ?? ""))
                }
                members[name] = try jsonValue(value, path: field, depth: depth + 1, file: file)
            }
            return .object(members)
        case .sequence(let sequence):
            return .array(try sequence.enumerated().map { index, item in
                try jsonValue(item, path: "\(path)[\(index)]", depth: depth + 1, file: file)
            })
        case .scalar(let scalar):
            return scalarValue(scalar, tag: Tag.Name(rawValue: node.tag.description))
        }
    }

    /// A scalar as its resolved tag (`Tag.description` is its name) says: base-60 and out-of-range
    /// integers become doubles.
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

    /// The field editors add to point at the JSON Schema (for completion); accepted and ignored.
    static let schemaField = "$schema"

    /// Validates a decoded document; `file` names the source in errors.
    ///
    /// Every field other than the known ones and `$schema` (a string, ignored) is an error: a typo must
    /// not silently drop a limit.
    public static func parse(_ document: JSONValue, file: String) throws -> Manifest {
        let reader = FieldReader(file: file)
        let root = try reader.object(document, "manifest", allowed: CodingKeys.allCases.map(\.rawValue) + [schemaField])
        _ = try reader.optionalString(root[schemaField], schemaField, maxLength: 4096)
        let name = try reader.string(root["name"], "name", pattern: .pluginName)
        let version = try reader.string(root["version"], "version", maxLength: 64)
        let description = try reader.optionalString(root["description"], "description", maxLength: 1000) ?? ""
        var command: [String] = []
        var url: String?
        var headers: [String: String] = [:]
        if let endpoint = root["url"], endpoint != .null {
            if let given = root["command"] {
                throw reader.error("command", "either 'command' (a local server) or 'url' (a server over HTTP), not both",
                                   found: given)
            }
            url = try reader.httpURL(endpoint, "url")
            headers = try reader.headers(root["headers"], "headers")
        } else {
            if let given = root["headers"] {
                throw reader.error("headers", "headers only with 'url' (a server over HTTP)", found: given)
            }
            command = try reader.stringArray(root["command"], "command", minCount: 1, maxCount: 256)
            guard let first = command.first, !first.isEmpty else {
                throw reader.error("command[0]", "the executable's name or path", found: root["command"]?.arrayValue?.first)
            }
        }
        let env = try reader.environment(root["env"], "env")
        let sandbox = try root["sandbox"].map { try reader.sandbox($0) } ?? Sandbox()
        var tools: [String]?
        if let list = root["tools"], list != .null {
            let names = try reader.stringArray(list, "tools", minCount: 0, maxCount: 256)
            for (index, tool) in names.enumerated() where tool.isEmpty || tool.count > 128 {
                throw reader.error("tools[\(index)]", "a tool name of 1 to 128 characters", found: .string(tool))
            }
            if let dup = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                throw reader.error("tools", "distinct tool names", found: .string("'\(dup)' twice"))
            }
            tools = names
        }
        return Manifest(name: name, version: version, description: description, command: command, env: env,
                        sandbox: sandbox, tools: tools, url: url, headers: headers)
    }

}
