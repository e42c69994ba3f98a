import AgentCore
import Foundation

/// Reads typed manifest fields out of a JSON document, throwing errors that name field, expectation and
/// what was found.
struct FieldReader {
    /// Shapes a string field may be required to have.
    enum Pattern {
        /// `^[a-z][a-z0-9-]{0,63}$`.
        case pluginName
        /// `^[A-Za-z_][A-Za-z0-9_]*$`.
        case environmentName

        var expectation: String {
            switch self {
            case .pluginName: return "a name of lowercase letters, digits and '-', starting with a letter, at most 64 characters"
            case .environmentName: return "a variable name of letters, digits and '_', not starting with a digit"
            }
        }

        func matches(_ text: String) -> Bool {
            let scalars = Array(text.unicodeScalars)
            guard let first = scalars.first, scalars.count <= 128 else { return false }
            switch self {
            case .pluginName:
                guard scalars.count <= 64, ("a"..."z").contains(first) else { return false }
                return scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            case .environmentName:
                let isLetter: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "_" }
                return isLetter(first) && scalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
            }
        }
    }

    /// The manifest file, for error messages.
    let file: String

    func error(_ field: String, _ expected: String, found: JSONValue?) -> PluginHostError {
        .invalidManifest(file: file, field: field, expected: expected, found: Self.describe(found))
    }

    /// A short, typed rendering of a found value ("a string \"ten\"", "nothing").
    static func describe(_ value: JSONValue?) -> String {
        guard let value else { return "nothing (the field is missing)" }
        var text = value.compactText
        if text.count > 60 { text = String(text.prefix(57)) + "..." }
        switch value {
        case .null: return "null"
        case .bool: return "the boolean \(text)"
        case .int, .double: return "the number \(text)"
        case .string: return "the string \(text)"
        case .array: return "an array \(text)"
        case .object: return "an object \(text)"
        }
    }

    func object(_ value: JSONValue?, _ field: String, allowed: [String]) throws -> [String: JSONValue] {
        guard let object = value?.objectValue else { throw error(field, "an object", found: value) }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let path = field == "manifest" ? unknown : "\(field).\(unknown)"
            throw PluginHostError.invalidManifest(file: file, field: path,
                                                  expected: "one of the known fields (\(allowed.joined(separator: ", ")))",
                                                  found: "an unknown field")
        }
        return object
    }

    func string(_ value: JSONValue?, _ field: String, maxLength: Int = 4096, pattern: Pattern? = nil) throws -> String {
        let expected = pattern?.expectation ?? "a non-empty string of at most \(maxLength) characters"
        guard let text = value?.stringValue, !text.isEmpty, text.count <= maxLength, !text.contains("\0") else {
            throw error(field, expected, found: value)
        }
        if let pattern, !pattern.matches(text) { throw error(field, expected, found: value) }
        return text
    }

    func optionalString(_ value: JSONValue?, _ field: String, maxLength: Int) throws -> String? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue, text.count <= maxLength else {
            throw error(field, "a string of at most \(maxLength) characters", found: value)
        }
        return text
    }

    func stringArray(_ value: JSONValue?, _ field: String, minCount: Int, maxCount: Int) throws -> [String] {
        let expected = "an array of \(minCount > 0 ? "\(minCount) to " : "at most ")\(maxCount) strings"
        guard let items = value?.arrayValue, items.count >= minCount, items.count <= maxCount else {
            throw error(field, expected, found: value)
        }
        return try items.enumerated().map { index, item in
            guard let text = item.stringValue, text.count <= 4096, !text.contains("\0") else {
                throw error("\(field)[\(index)]", "a string", found: item)
            }
            return text
        }
    }

    func environment(_ value: JSONValue?, _ field: String) throws -> [String: String] {
        guard let value, value != .null else { return [:] }
        guard let members = value.objectValue, members.count <= 256 else {
            throw error(field, "an object of at most 256 string values", found: value)
        }
        var env: [String: String] = [:]
        for (key, item) in members {
            guard Pattern.environmentName.matches(key) else {
                throw error("\(field).\(key)", Pattern.environmentName.expectation, found: .string(key))
            }
            guard let text = item.stringValue, !text.contains("\0") else {
                throw error("\(field).\(key)", "a string", found: item)
            }
            env[key] = text
        }
        return env
    }

    /// An `http` or `https` URL with a host and no credentials (those go in `headers`).
    func httpURL(_ value: JSONValue, _ field: String) throws -> String {
        let expected = "an http:// or https:// URL with a host and no user or password (send credentials in 'headers')"
        guard let text = value.stringValue, text.count <= 4096, let parts = URLComponents(string: text),
              let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parts.host, !host.isEmpty, parts.user == nil, parts.password == nil
        else { throw error(field, expected, found: value) }
        return text
    }

    /// HTTP headers: at most 64, names of token characters, values without line breaks.
    func headers(_ value: JSONValue?, _ field: String) throws -> [String: String] {
        guard let value, value != .null else { return [:] }
        guard let members = value.objectValue, members.count <= 64 else {
            throw error(field, "an object of at most 64 string values", found: value)
        }
        var headers: [String: String] = [:]
        for (name, item) in members {
            let token = name.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar.value < 0x7F && !"()<>@,;:\\\"/[]?={}".unicodeScalars.contains(scalar)
            }
            guard token, !name.isEmpty, name.count <= 128 else {
                throw error("\(field).\(name)", "a header name of letters, digits and -!#$%&'*+.^_`|~", found: .string(name))
            }
            guard let text = item.stringValue, text.count <= 8192,
                  !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" })
            else { throw error("\(field).\(name)", "a string without line breaks", found: item) }
            headers[name] = text
        }
        return headers
    }

    func integer(_ value: JSONValue?, _ field: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let value, value != .null else { return fallback }
        guard let number = value.intValue, range.contains(number) else {
            throw error(field, "an integer from \(range.lowerBound) to \(range.upperBound)", found: value)
        }
        return number
    }

    func sandbox(_ value: JSONValue) throws -> Manifest.Sandbox {
        typealias Keys = Manifest.Sandbox.CodingKeys
        let object = try self.object(value, "sandbox", allowed: Keys.allCases.map(\.rawValue))
        let defaults = Manifest.Sandbox()
        func field(_ key: Keys) -> (JSONValue?, String) { (object[key.rawValue], "sandbox.\(key.rawValue)") }

        var network = defaults.network
        if let flag = object[Keys.network.rawValue], flag != .null {
            guard let bool = flag.boolValue else { throw error("sandbox.network", "true or false", found: flag) }
            network = bool
        }
        var wall = defaults.wallSeconds
        if let seconds = object[Keys.wallSeconds.rawValue], seconds != .null {
            guard let number = seconds.doubleValue, number >= 0.1, number <= 3600 else {
                throw error("sandbox.wall_seconds", "a number of seconds from 0.1 to 3600", found: seconds)
            }
            wall = number
        }
        let filesystem = try object[Keys.filesystem.rawValue].map { try self.filesystem($0) } ?? defaults.filesystem
        let (cpu, cpuField) = field(.cpuSeconds)
        let (memory, memoryField) = field(.memoryMB)
        let (output, outputField) = field(.maxOutputBytes)
        let (processes, processesField) = field(.maxProcesses)
        let (fileSize, fileSizeField) = field(.maxFileMB)
        let (files, filesField) = field(.maxOpenFiles)
        return Manifest.Sandbox(
            network: network, filesystem: filesystem,
            cpuSeconds: try integer(cpu, cpuField, in: 1...3600, default: defaults.cpuSeconds),
            memoryMB: try integer(memory, memoryField, in: 32...65536, default: defaults.memoryMB),
            wallSeconds: wall,
            maxOutputBytes: try integer(output, outputField, in: 1024...(1 << 30), default: defaults.maxOutputBytes),
            maxProcesses: try integer(processes, processesField, in: 1...4096, default: defaults.maxProcesses),
            maxFileMB: try integer(fileSize, fileSizeField, in: 0...65536, default: defaults.maxFileMB),
            maxOpenFiles: try integer(files, filesField, in: 16...65536, default: defaults.maxOpenFiles))
    }

    func filesystem(_ value: JSONValue) throws -> Manifest.Filesystem {
        let expected = "\"none\", \"temp\" or an object {\"read_only\": [paths], \"read_write\": [paths], \"temp\": true}"
        if let word = value.stringValue {
            switch word {
            case "none": return .none
            case "temp": return .privateTemp
            default: throw error("sandbox.filesystem", expected, found: value)
            }
        }
        guard value.objectValue != nil else { throw error("sandbox.filesystem", expected, found: value) }
        typealias Keys = Manifest.Filesystem.CodingKeys
        let object = try self.object(value, "sandbox.filesystem", allowed: Keys.allCases.map(\.rawValue))
        func paths(_ key: Keys) throws -> [String] {
            let field = "sandbox.filesystem.\(key.rawValue)"
            guard let list = object[key.rawValue], list != .null else { return [] }
            let items = try stringArray(list, field, minCount: 0, maxCount: 64)
            for (index, path) in items.enumerated() {
                let normalized = URL(fileURLWithPath: path).standardizedFileURL.path
                if path.isEmpty || (key == .readWrite && normalized == "/") {
                    throw error("\(field)[\(index)]", "a path other than the root directory", found: .string(path))
                }
            }
            return items
        }
        var temp = false
        if let flag = object[Keys.temp.rawValue], flag != .null {
            guard let bool = flag.boolValue else {
                throw error("sandbox.filesystem.temp", "true or false", found: flag)
            }
            temp = bool
        }
        return Manifest.Filesystem(readOnly: try paths(.readOnly), readWrite: try paths(.readWrite), temp: temp)
    }
}
