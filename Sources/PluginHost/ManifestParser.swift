import AgentCore
import Foundation
import YAMLData

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

    /// Parses manifest text: JSON, or YAML when `yaml` is true (read by `YAMLDocument`, with the same
    /// nesting bound as JSON manifests; a key given twice or a key that is not a plain string is an error
    /// naming the field and where it is).
    static func parseDocument(_ text: String, yaml: Bool, file: String) throws -> JSONValue {
        if !yaml { return try ManifestJSONParser.parse(text, file: file) }
        do {
            return try YAMLDocument.parse(text, maxDepth: ManifestJSONParser.maxDepth)
        } catch let error as YAMLDocumentError {
            switch error {
            case .syntax, .empty, .tooDeep:
                throw PluginHostError.unreadableManifest(file: file, reason: error.description)
            case .nonScalarKey(let path, _, _):
                throw PluginHostError.invalidManifest(file: file, field: path.isEmpty ? "manifest" : String(path.prefix(120)),
                                                      expected: "field names that are plain strings", found: error.description)
            case .duplicateKey(let path, _, _):
                throw PluginHostError.invalidManifest(file: file, field: String(path.prefix(120)),
                                                      expected: "each field at most once in an object", found: error.description)
            }
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
