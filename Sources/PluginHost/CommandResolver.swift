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
    /// - Throws: `PluginHostError.commandNotFound` listing every place searched.
    public func resolve(_ command: String, manifestDirectory: URL) throws -> URL {
        if command.contains("/") {
            let url = command.hasPrefix("/")
                ? URL(fileURLWithPath: command)
                : manifestDirectory.appendingPathComponent(command)
            let standardized = url.standardizedFileURL
            guard Self.isExecutableFile(standardized.path) else {
                throw PluginHostError.commandNotFound(command: command, searched: [standardized.path])
            }
            return standardized
        }
        var candidates: [URL] = []
        if let executableDirectory { candidates.append(executableDirectory.appendingPathComponent(command)) }
        candidates += searchPath.filter { !$0.isEmpty }.map { URL(fileURLWithPath: $0).appendingPathComponent(command) }
        if let found = candidates.first(where: { Self.isExecutableFile($0.path) }) { return found.standardizedFileURL }
        throw PluginHostError.commandNotFound(command: command, searched: candidates.map(\.path))
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}
