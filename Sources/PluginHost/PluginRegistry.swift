import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plugin the host knows: its manifest, where the manifest lives and whether it is built in.
public struct RegisteredPlugin: Sendable, Hashable {
    /// Where a plugin comes from.
    public enum Source: String, Codable, Sendable {
        /// Shipped with Loom (`Plugins/<name>/manifest.json`); always present, cannot be removed.
        case builtIn = "built-in"
        /// Added by the user with `loom plugins add`.
        case user
    }

    /// The validated manifest.
    public var manifest: Manifest
    /// The manifest file.
    public var manifestURL: URL
    /// Built-in or user-added.
    public var source: Source

    /// The folder relative command paths and granted paths resolve against.
    public var manifestDirectory: URL { manifestURL.deletingLastPathComponent() }

    /// Creates a registered plugin.
    public init(manifest: Manifest, manifestURL: URL, source: Source) {
        self.manifest = manifest
        self.manifestURL = manifestURL
        self.source = source
    }
}

/// The plugin registry: built-ins found in `builtInDirectories` plus user plugins listed in
/// `$LOOM_HOME/plugins.json`.
///
/// The file is rewritten atomically (a temp file in the same folder, `fsync`, `rename`) under an
/// exclusive `flock` on `plugins.json.lock`, so a crash never leaves a half-written registry and two
/// concurrent `loom plugins add` do not lose each other's entry.
public struct PluginRegistry: Sendable {
    /// What `load()` finds.
    public struct Listing: Sendable {
        /// Built-ins first (by name), then user plugins (by name).
        public var plugins: [RegisteredPlugin]
        /// Entries that could not be loaded (a missing or now-invalid manifest), as messages.
        public var problems: [String]
    }

    /// One user entry in `plugins.json`.
    struct Entry: Codable, Hashable {
        var name: String
        var manifest: String
        var added: String
    }

    /// The on-disk document of `plugins.json`.
    struct Document: Codable {
        var format: Int
        var plugins: [Entry]
    }

    /// `plugins.json`.
    public let file: URL
    /// Directories holding built-in plugins, each as `<dir>/<name>/manifest.json`.
    public let builtInDirectories: [URL]

    /// Creates a registry stored under `home` (`$LOOM_HOME`).
    public init(home: URL, builtInDirectories: [URL]) {
        self.file = home.appendingPathComponent("plugins.json")
        self.builtInDirectories = builtInDirectories
    }

    /// The built-in plugins (an invalid built-in manifest is an error: it is Loom's own bug).
    public func builtIns() throws -> [RegisteredPlugin] {
        var found: [String: RegisteredPlugin] = [:]
        for directory in builtInDirectories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() {
                let url = directory.appendingPathComponent(name).appendingPathComponent("manifest.json")
                guard FileManager.default.fileExists(atPath: url.path), found[name] == nil else { continue }
                let manifest = try Manifest.load(from: url)
                if found[manifest.name] == nil {
                    found[manifest.name] = RegisteredPlugin(manifest: manifest, manifestURL: url, source: .builtIn)
                }
            }
        }
        return found.values.sorted { $0.manifest.name < $1.manifest.name }
    }

    /// All plugins: built-ins, then user plugins.
    ///
    /// - Throws: `PluginHostError.corruptRegistry` if `plugins.json` is not a registry.
    public func load() throws -> Listing {
        let builtIns = try builtIns()
        var plugins = builtIns
        var problems: [String] = []
        for entry in try readDocument().plugins.sorted(by: { $0.name < $1.name }) {
            do {
                let url = URL(fileURLWithPath: entry.manifest)
                let manifest = try Manifest.load(from: url)
                guard manifest.name == entry.name else {
                    problems.append("\(entry.name): its manifest \(entry.manifest) now names '\(manifest.name)'")
                    continue
                }
                guard !builtIns.contains(where: { $0.manifest.name == entry.name }) else {
                    problems.append("\(entry.name): shadowed by the built-in plugin of the same name")
                    continue
                }
                plugins.append(RegisteredPlugin(manifest: manifest, manifestURL: url, source: .user))
            } catch {
                problems.append("\(entry.name): \(error)")
            }
        }
        return Listing(plugins: plugins, problems: problems)
    }

    /// The plugin called `name`.
    ///
    /// - Throws: `PluginHostError.unknownPlugin` listing the known names.
    public func plugin(named name: String) throws -> RegisteredPlugin {
        let listing = try load()
        if let plugin = listing.plugins.first(where: { $0.manifest.name == name }) { return plugin }
        if let problem = listing.problems.first(where: { $0.hasPrefix("\(name): ") }) {
            throw PluginHostError.unreadableManifest(file: name, reason: String(problem.dropFirst(name.count + 2)))
        }
        throw PluginHostError.unknownPlugin(name: name, known: listing.plugins.map(\.manifest.name))
    }

    /// Validates the manifest at `url` and records it as a user plugin.
    ///
    /// - Throws: `PluginHostError.nameClash` when a built-in or user plugin already has the name, any
    ///   manifest error, or `.registryWriteFailed`.
    @discardableResult
    public func add(manifestAt url: URL, now: Date = Date()) throws -> RegisteredPlugin {
        let absolute = url.standardizedFileURL.resolvingSymlinksInPath()
        let manifest = try Manifest.load(from: absolute)
        if let builtIn = try builtIns().first(where: { $0.manifest.name == manifest.name }) {
            throw PluginHostError.nameClash(name: manifest.name, existing: "built-in, \(builtIn.manifestURL.path)")
        }
        try withLock {
            var document = try readDocument()
            if let existing = document.plugins.first(where: { $0.name == manifest.name }) {
                throw PluginHostError.nameClash(name: manifest.name, existing: "added from \(existing.manifest)")
            }
            let stamp = ISO8601DateFormatter().string(from: now)
            document.plugins.append(Entry(name: manifest.name, manifest: absolute.path, added: stamp))
            try write(document)
        }
        return RegisteredPlugin(manifest: manifest, manifestURL: absolute, source: .user)
    }

    /// Removes the user plugin `name`.
    ///
    /// - Throws: `.cannotRemoveBuiltIn`, `.unknownPlugin` or `.registryWriteFailed`.
    public func remove(named name: String) throws {
        if try builtIns().contains(where: { $0.manifest.name == name }) {
            throw PluginHostError.cannotRemoveBuiltIn(name: name)
        }
        try withLock {
            var document = try readDocument()
            guard document.plugins.contains(where: { $0.name == name }) else {
                throw PluginHostError.unknownPlugin(name: name, known: document.plugins.map(\.name))
            }
            document.plugins.removeAll { $0.name == name }
            try write(document)
        }
    }

    func readDocument() throws -> Document {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            return Document(format: 1, plugins: [])
        }
        do {
            let document = try JSONDecoder().decode(Document.self, from: data)
            guard document.format == 1 else {
                throw PluginHostError.corruptRegistry(file: file.path, reason: "unknown format \(document.format)")
            }
            return document
        } catch let error as PluginHostError {
            throw error
        } catch {
            throw PluginHostError.corruptRegistry(file: file.path, reason: "not a registry document: \(error)")
        }
    }

    /// Writes `document` to a temp file next to `plugins.json`, flushes it and renames it into place.
    func write(_ document: Document) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let temp = file.deletingLastPathComponent()
            .appendingPathComponent(".plugins.json.\(getpid()).\(UUID().uuidString.prefix(8)).tmp")
        do {
            let data = try encoder.encode(document)
            let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            let ok = data.withUnsafeBytes { buffer -> Bool in
                guard let base = buffer.baseAddress else { return fsync(fd) == 0 }
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, base + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { return false }
                    offset += written
                }
                return fsync(fd) == 0
            }
            close(fd)
            guard ok, rename(temp.path, file.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            unlink(temp.path)
            throw PluginHostError.registryWriteFailed(file: file.path, reason: "\(error)")
        }
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let directory = file.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw PluginHostError.registryWriteFailed(file: file.path, reason: "cannot create \(directory.path): \(error)")
        }
        let fd = open(directory.appendingPathComponent("plugins.json.lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PluginHostError.registryWriteFailed(file: file.path, reason: "cannot open the lock file")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
