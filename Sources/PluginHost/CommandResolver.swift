import Foundation

/// Turns a manifest's `command[0]` into the absolute path of an executable.
///
/// - A path containing `/`: absolute as is, relative against the manifest's folder.
/// - A bare name: first a built executable of that name in `executableDirectory` (the SwiftPM products
///   directory next to the running loom binary), then each directory of `searchPath` (`$PATH`).
public struct CommandResolver: Sendable {
    /// Where Loom's own plugin executables are built (e.g. `.build/release`), or nil.
    public var executableDirectory: URL?
    /// The directories of `$PATH`, in order.
    public var searchPath: [String]

    /// Creates a resolver.
    public init(executableDirectory: URL?, searchPath: [String]) {
        self.executableDirectory = executableDirectory
        self.searchPath = searchPath
    }

    /// A resolver using the directory of the running binary and this process's `$PATH`.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> CommandResolver {
        let binary = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let path = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        return CommandResolver(executableDirectory: binary.deletingLastPathComponent(), searchPath: path)
    }

    /// Resolves `command` for a manifest in `manifestDirectory`.
    ///
    /// - Parameter manifestFile: the manifest's path, named in errors (its folder when nil).
    /// - Throws: `PluginHostError.commandNotFound` listing every place searched, or `.invalidManifest` for
    ///   field `command[0]` when the file exists but is a directory or not executable.
    public func resolve(_ command: String, manifestDirectory: URL, manifestFile: String? = nil) throws -> URL {
        let candidates: [URL]
        if command.contains("/") {
            let url = command.hasPrefix("/")
                ? URL(fileURLWithPath: command)
                : manifestDirectory.appendingPathComponent(command)
            candidates = [url.standardizedFileURL]
        } else {
            var found: [URL] = []
            if let executableDirectory { found.append(executableDirectory.appendingPathComponent(command)) }
            found += searchPath.filter { !$0.isEmpty }.map { URL(fileURLWithPath: $0).appendingPathComponent(command) }
            candidates = found
        }
        if let found = candidates.first(where: { Self.problem($0.path) == nil }) { return found.standardizedFileURL }
        for candidate in candidates {
            guard let problem = Self.problem(candidate.path), problem != .missing else { continue }
            let how = problem == .directory
                ? "which is a directory"
                : "which is a file without execute permission (chmod +x \(candidate.path))"
            throw PluginHostError.invalidManifest(
                file: manifestFile ?? manifestDirectory.path, field: "command[0]", expected: "an executable file",
                found: "'\(command)' resolved to \(candidate.path), \(how)")
        }
        throw PluginHostError.commandNotFound(command: command, searched: candidates.map(\.path))
    }

    private enum Problem { case missing, directory, notExecutable }

    /// Why `path` is not an executable file, or nil if it is one.
    private static func problem(_ path: String) -> Problem? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        if isDirectory.boolValue { return .directory }
        return FileManager.default.isExecutableFile(atPath: path) ? nil : .notExecutable
    }
}
