import Foundation

/// Folders a packaged plugin command needs besides its own folder, found from where the command lives.
///
/// - **Python virtual environment**: a `pyvenv.cfg` in a folder above the executable or its `#!`
///   interpreter marks the environment's root (`bin/`, `lib/pythonX.Y/site-packages`, the `pyvenv.cfg`
///   that makes Python treat it as an environment). The root is bound read-only, and so is the base
///   installation the file's `home =` points at (the folder above `home`'s `bin`), unless the system
///   directories already show it (`home = /usr/bin`).
/// - **Node package**: a command reached through a `node_modules` folder
///   (`proj/node_modules/.bin/server`, or a link into `.../lib/node_modules/pkg/...`) gets the folder that
///   holds the outermost `node_modules` bound read-only: the package and every dependency Node resolves
///   from it.
///
/// Mirrors how Python (`site.py` reading `pyvenv.cfg`) and Node (`require` walking up `node_modules`)
/// find their code, so a server installed with `pip install` or `npm install` runs in the sandbox without
/// a hand-written grant.
public enum PackageRoots {
    /// A folder to bind and why.
    public struct Root: Sendable, Hashable {
        /// The host folder, bound read-only at the same place.
        public var path: String
        /// What it is, for `loom plugins add` and error messages ("Python virtual environment").
        public var reason: String
    }

    /// The roots for an executable and (for a script) its interpreter, in a stable order without duplicates.
    ///
    /// - Parameters:
    ///   - executable: the resolved command (not following symlinks: `venv/bin/python3` is a link out).
    ///   - interpreter: the `#!` interpreter's path, if the executable is a script.
    ///   - systemPaths: folders every sandbox shows already; a base interpreter under them adds nothing.
    public static func roots(executable: URL, interpreter: String?, systemPaths: [String]) -> [Root] {
        var candidates = [executable.path, executable.resolvingSymlinksInPath().path]
        if let interpreter { candidates.append(interpreter) }
        var roots: [Root] = []
        func add(_ root: Root) {
            if !roots.contains(where: { $0.path == root.path }) { roots.append(root) }
        }
        for path in candidates {
            if let venv = virtualEnvironment(containing: path) {
                add(Root(path: venv, reason: "Python virtual environment"))
                if let base = baseInstallation(ofEnvironment: venv), !isUnder(base, systemPaths) {
                    add(Root(path: base, reason: "base Python installation of \(venv)"))
                }
            }
            if let folder = nodePackageFolder(containing: path) {
                add(Root(path: folder, reason: "Node package folder"))
            }
        }
        return roots
    }

    /// The nearest folder above `path` holding a `pyvenv.cfg`, if any.
    static func virtualEnvironment(containing path: String) -> String? {
        var directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        while directory.path != "/" && !directory.path.isEmpty {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("pyvenv.cfg").path) {
                return directory.path
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// The installation prefix of the interpreter a virtual environment was made from: its `pyvenv.cfg`
    /// `home` (the interpreter's folder) without a trailing `bin`, symlinks resolved.
    static func baseInstallation(ofEnvironment root: String) -> String? {
        guard let data = FileManager.default.contents(atPath: root + "/pyvenv.cfg"), data.count < 65536 else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "home" else { continue }
            let home = parts[1].trimmingCharacters(in: .whitespaces)
            guard home.hasPrefix("/") else { return nil }
            var url = URL(fileURLWithPath: home).resolvingSymlinksInPath()
            if url.lastPathComponent == "bin" { url.deleteLastPathComponent() }
            return FileManager.default.fileExists(atPath: url.path) && url.path != "/" ? url.path : nil
        }
        return nil
    }

    /// The folder holding the outermost `node_modules` component of `path`, if it has one.
    static func nodePackageFolder(containing path: String) -> String? {
        let components = URL(fileURLWithPath: path).pathComponents
        guard let index = components.firstIndex(of: "node_modules"), index > 1 else { return nil }
        return "/" + components[1..<index].joined(separator: "/")
    }

    /// Whether `path` is one of `folders` or inside one.
    static func isUnder(_ path: String, _ folders: [String]) -> Bool {
        folders.contains { path == $0 || path.hasPrefix($0 + "/") }
    }
}
