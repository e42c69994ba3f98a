import Foundation

/// Explains a plugin that died at start-up because the sandbox hid a path it needs.
///
/// Reads the end of the plugin's stderr for what interpreters and loaders print when something is
/// missing — Python's `ModuleNotFoundError: No module named 'x'` and `No such file or directory: '/p'`,
/// Node's `Cannot find module` and `ENOENT`, a shell's or bwrap's `/p: No such file or directory` — and
/// looks on the host for the missing path: a quoted absolute path as is, a module name in the folders
/// around the executable and on the manifest's `PYTHONPATH`/`NODE_PATH`. When the path exists on the
/// host but the sandbox does not show it, the hint names it and gives the manifest's `filesystem` line
/// with it granted.
public enum StartupDiagnosis {
    /// A sentence naming the missing path and the manifest line that grants it, or nil when the stderr
    /// shows no such path (or the path is missing on the host too: then the sandbox is not the cause).
    ///
    /// - Parameters:
    ///   - stderr: the end of the plugin's stderr.
    ///   - manifest: the plugin's manifest (its grants and environment).
    ///   - executable: the resolved command.
    ///   - visiblePaths: the host paths the sandbox showed (`LaunchPlan.visiblePaths`).
    public static func hint(stderr: String, manifest: Manifest, executable: URL, visiblePaths: [String]) -> String? {
        guard !visiblePaths.isEmpty else { return nil }
        let hidden = { (path: String) -> Bool in
            FileManager.default.fileExists(atPath: path) && !PackageRoots.isUnder(path, visiblePaths)
        }
        var missing: (path: String, what: String)?
        for path in quotedPaths(in: stderr) where hidden(path) {
            missing = (path, "\(path) exists on this machine but the sandbox does not show it")
            break
        }
        if missing == nil, let module = pythonModule(in: stderr),
           let folder = folderHolding(module: module, python: true, manifest: manifest, executable: executable), hidden(folder) {
            missing = (folder, "Python module '\(module)' is in \(folder), which the sandbox does not show")
        }
        if missing == nil, let module = nodeModule(in: stderr),
           let folder = folderHolding(module: module, python: false, manifest: manifest, executable: executable), hidden(folder) {
            missing = (folder, "Node module '\(module)' is in \(folder), which the sandbox does not show")
        }
        guard let missing else { return nil }
        var filesystem = manifest.sandbox.filesystem
        filesystem.readOnly.append(missing.path)
        return "\(missing.what); grant it read-only with this line in the manifest's \"sandbox\": "
            + "\"filesystem\": \(encode(filesystem))"
    }

    /// Absolute paths quoted ('…' or "…") or followed by `: No such file or directory` in `text`.
    static func quotedPaths(in text: String) -> [String] {
        var paths: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let line = String(line)
            let lower = line.lowercased()
            guard ["no such file", "cannot find module", "enoent", "not found", "cannot open"].contains(where: lower.contains)
            else { continue }
            for quote in ["'", "\""] {
                let parts = line.components(separatedBy: quote)
                for index in stride(from: 1, to: parts.count - 1, by: 2) where parts[index].hasPrefix("/") {
                    paths.append(parts[index])
                }
            }
            // `/bin/sh: 1: /x/y: not found`, `bwrap: execvp /x/y: No such file or directory`.
            for word in line.split(separator: " ") where word.hasPrefix("/") && word.hasSuffix(":") {
                paths.append(String(word.dropLast()))
            }
        }
        return paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    }

    /// The top-level package of `ModuleNotFoundError: No module named 'a.b'` (`a`).
    static func pythonModule(in text: String) -> String? {
        guard let range = text.range(of: "No module named '") else { return nil }
        let name = text[range.upperBound...].prefix { $0 != "'" }.split(separator: ".").first.map(String.init)
        return name.flatMap { isModuleName($0) ? $0 : nil }
    }

    /// The package of Node's `Cannot find module 'pkg/sub'` (`pkg`, or `@scope/pkg`), when it is a name.
    static func nodeModule(in text: String) -> String? {
        guard let range = text.range(of: "Cannot find module '") else { return nil }
        let spec = String(text[range.upperBound...].prefix { $0 != "'" })
        guard !spec.hasPrefix("/"), !spec.hasPrefix(".") else { return nil }
        let parts = spec.split(separator: "/").map(String.init)
        let name = spec.hasPrefix("@") && parts.count > 1 ? parts[0] + "/" + parts[1] : parts.first ?? ""
        return name.split(separator: "/").allSatisfy { isModuleName(String($0).replacingOccurrences(of: "@", with: "")) }
            && !name.isEmpty ? name : nil
    }

    private static func isModuleName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || byte == 0x2E
        }
    }

    /// The host folder that makes `module` importable: an entry of the manifest's `PYTHONPATH`
    /// (`NODE_PATH`), or a folder above the executable holding it directly, in `lib/python*/site-packages`
    /// or in `node_modules`.
    static func folderHolding(module: String, python: Bool, manifest: Manifest, executable: URL) -> String? {
        let fm = FileManager.default
        let variable = python ? "PYTHONPATH" : "NODE_PATH"
        var searched = (manifest.env[variable] ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        var directory = executable.deletingLastPathComponent()
        while directory.path != "/" && !directory.path.isEmpty {
            searched.append(directory.path)
            directory.deleteLastPathComponent()
        }
        for folder in searched {
            if python {
                if fm.fileExists(atPath: "\(folder)/\(module)/__init__.py") || fm.fileExists(atPath: "\(folder)/\(module).py") {
                    return folder
                }
                let lib = "\(folder)/lib"
                for version in ((try? fm.contentsOfDirectory(atPath: lib)) ?? []).sorted() where version.hasPrefix("python") {
                    let site = "\(lib)/\(version)/site-packages"
                    if fm.fileExists(atPath: "\(site)/\(module)") || fm.fileExists(atPath: "\(site)/\(module).py") {
                        return folder
                    }
                }
            } else {
                if fm.fileExists(atPath: "\(folder)/node_modules/\(module)") { return folder }
                if manifest.env[variable] != nil, fm.fileExists(atPath: "\(folder)/\(module)") { return folder }
            }
        }
        return nil
    }

    private static func encode(_ filesystem: Manifest.Filesystem) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(filesystem) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
