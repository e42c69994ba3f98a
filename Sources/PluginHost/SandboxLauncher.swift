import Foundation

/// How one plugin process is started: the program, its arguments and environment, and the private temp
/// directory to delete when it stops.
public struct LaunchPlan: Sendable, Equatable {
    /// Absolute path of the program to spawn (bwrap, setpriv or the plugin itself).
    public var program: String
    /// Arguments after the program name.
    public var arguments: [String]
    /// The complete environment of the spawned program.
    public var environment: [String: String]
    /// A host directory mounted as the plugin's `/tmp`, removed when the plugin stops.
    public var privateTemp: URL?
    /// The plugin's pids cgroup (see `PidsCgroup`), removed when the plugin stops.
    public var pidsGroup: URL?
    /// Package folders bound because of where the command lives (a virtual environment, a Node package).
    public var packageRoots: [PackageRoots.Root] = []
    /// Host paths the sandbox shows (each with everything below it); empty when unsandboxed.
    public var visiblePaths: [String] = []
    /// The plugin's resolved command, for start-up diagnostics (`StartupDiagnosis`).
    public var executable: URL?

    /// Removes what the plan created on the host (private temp dir, pids cgroup) once the plugin ended.
    func removeHostResources() {
        if let privateTemp { try? FileManager.default.removeItem(at: privateTemp) }
        if let pidsGroup { PidsCgroup.remove(pidsGroup) }
    }
}

/// Builds the command line that runs a plugin under its manifest's sandbox profile.
///
/// Sandboxed: `bwrap --unshare-all [--share-net] --die-with-parent --new-session`, read-only system
/// directories, the executable's folder and its library run-path (the Swift runtime), the granted paths,
/// an optional private `/tmp`, a read-only root, `--clearenv` plus the manifest's environment, and inside
/// it `prlimit` applying RLIMIT_CPU, AS, NPROC, FSIZE and NOFILE before `exec`-ing the plugin.
/// Unsandboxed (only on explicit request): `setpriv --pdeathsig KILL prlimit ... plugin`.
///
/// When Loom runs as root, RLIMIT_NPROC does not bind; if a pids cgroup hierarchy is writable the whole
/// tree is started inside a group of its own whose `pids.max` is `max_processes` (plus bwrap's two
/// processes), by a `/bin/sh` prefix that joins the group and then `exec`s the command above.
public struct SandboxLauncher: Sendable {
    /// Whether plugins run isolated.
    public enum Mode: Sendable, Equatable {
        /// Under bubblewrap at this path.
        case bubblewrap(String)
        /// Without isolation (rlimits and parent-death signal only).
        case unsandboxed
    }

    /// The isolation mode.
    public let mode: Mode
    /// Path of `prlimit` (util-linux), used inside the sandbox.
    public let prlimit: String
    /// Where private temp directories are created on the host.
    public let temporaryRoot: URL
    /// The variable that tells a plugin its process tree is in a pids cgroup allowing `max_processes`
    /// (code-runner then does not warn that a fork bomb is stopped only by the time limit).
    public static let pidsCgroupVariable = "LOOM_PIDS_MAX"

    /// Where each plugin gets a pids cgroup enforcing `max_processes`, or nil (RLIMIT_NPROC only).
    public let pidsCgroup: PidsCgroup?
    /// Loom's own environment, which `${NAME}` references in a manifest's `env` are filled from
    /// (`EnvironmentReference`); nothing else of it reaches a plugin.
    public var hostEnvironment: [String: String]

    /// System directories every plugin sees read-only (those missing on the host are skipped).
    static let systemPaths = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/ld.so.cache",
                              "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime",
                              "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"]
    /// Extra files a plugin with network access needs (name resolution, TLS roots).
    static let networkPaths = ["/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf", "/etc/ssl",
                               "/etc/ca-certificates", "/etc/pki", "/usr/share/ca-certificates"]

    /// Creates a launcher with an explicit mode.
    public init(mode: Mode, prlimit: String = "/usr/bin/prlimit",
                temporaryRoot: URL = FileManager.default.temporaryDirectory, pidsCgroup: PidsCgroup? = nil,
                hostEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
        self.hostEnvironment = hostEnvironment
        self.mode = mode
        self.prlimit = prlimit
        self.temporaryRoot = temporaryRoot
        self.pidsCgroup = pidsCgroup
    }

    /// Finds bubblewrap and prlimit in `searchPath`, and a pids cgroup hierarchy when running as root
    /// (`PidsCgroup.detect()`).
    ///
    /// - Parameter allowUnsandboxed: when bubblewrap is missing, run plugins without isolation instead of
    ///   failing (the caller must warn loudly). When true and bubblewrap exists, it is still not used.
    /// - Throws: `PluginHostError.sandboxUnavailable` naming what is missing.
    public static func detect(allowUnsandboxed: Bool,
                              searchPath: [String] = ["/usr/bin", "/bin", "/usr/local/bin"]) throws -> SandboxLauncher {
        func find(_ name: String) -> String? {
            searchPath.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        guard let prlimit = find("prlimit") else {
            throw PluginHostError.sandboxUnavailable(reason: "prlimit (util-linux) was not found in \(searchPath.joined(separator: ":"))")
        }
        let pids = PidsCgroup.detect()
        if allowUnsandboxed { return SandboxLauncher(mode: .unsandboxed, prlimit: prlimit, pidsCgroup: pids) }
        guard let bwrap = find("bwrap") else {
            throw PluginHostError.sandboxUnavailable(reason: "bubblewrap (bwrap) was not found in \(searchPath.joined(separator: ":"))")
        }
        return SandboxLauncher(mode: .bubblewrap(bwrap), prlimit: prlimit, pidsCgroup: pids)
    }

    /// Builds the launch plan for a plugin whose resolved executable is `executable`.
    ///
    /// - Parameters:
    ///   - extraEnvironment: host-provided variables (e.g. `LOOM_WEB_FETCH_ALLOW_HOSTS`), set after the manifest's.
    /// - Throws: `PluginHostError.launchFailed` when a granted path does not exist or the temp dir or pids
    ///   cgroup cannot be made.
    public func plan(for manifest: Manifest, manifestDirectory: URL, executable: URL,
                     extraEnvironment: [String: String] = [:]) throws -> LaunchPlan {
        var plan = try sandboxPlan(for: manifest, manifestDirectory: manifestDirectory, executable: executable,
                                   extraEnvironment: extraEnvironment)
        guard let pidsCgroup else { return plan }
        do { plan.pidsGroup = try pidsCgroup.makeGroup(plugin: manifest.name, maxProcesses: manifest.sandbox.maxProcesses) } catch {
            plan.removeHostResources()
            throw error
        }
        if let group = plan.pidsGroup {
            let wrapper = PidsCgroup.wrapper(group: group)
            plan.arguments = wrapper.arguments + [plan.program] + plan.arguments
            plan.program = wrapper.program
        }
        return plan
    }

    private func sandboxPlan(for manifest: Manifest, manifestDirectory: URL, executable: URL,
                             extraEnvironment: [String: String]) throws -> LaunchPlan {
        let sandbox = manifest.sandbox
        var privateTemp: URL?
        // References are filled before anything is created, so a missing variable leaves nothing behind.
        var expanded: [String: String] = [:]
        for key in manifest.env.keys.sorted() {
            expanded[key] = try EnvironmentReference.expand(manifest.env[key] ?? "", field: "env.\(key)",
                                                            plugin: manifest.name, environment: hostEnvironment)
        }
        if sandbox.filesystem.temp {
            let dir = temporaryRoot.appendingPathComponent("loom-plugin-\(manifest.name)-\(UUID().uuidString.prefix(8))")
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw PluginHostError.launchFailed(plugin: manifest.name, reason: "cannot create temp dir \(dir.path): \(error)")
            }
            privateTemp = dir
        }
        // A `#!/usr/bin/env NAME` script whose NAME only loom's own PATH has (a Node or Python installed
        // under a home folder) finds it first in the sandbox's PATH; its folder is bound below.
        let envInterpreter = Self.envInterpreter(of: executable, hostPath: hostEnvironment["PATH"])
        let searchPath = (envInterpreter.map { [$0.deletingLastPathComponent().path] } ?? []) + ["/usr/local/bin", "/usr/bin", "/bin"]
        var environment = ["PATH": searchPath.joined(separator: ":"), "LANG": "C.UTF-8",
                           "HOME": privateTemp == nil ? "/" : "/tmp"]
        if privateTemp != nil { environment["TMPDIR"] = "/tmp" }
        environment.merge(expanded) { _, new in new }
        environment.merge(extraEnvironment) { _, new in new }
        // Tells the plugin its process tree is capped even where RLIMIT_NPROC does not bind (root); only the
        // host sets it.
        environment[Self.pidsCgroupVariable] = pidsCgroup.map { _ in "\(sandbox.maxProcesses)" }

        let limits = rlimitArguments(sandbox) + ["--", executable.path] + manifest.command.dropFirst()
        switch mode {
        case .unsandboxed:
            // Unsandboxed, the plugin sees the host's /tmp; a private temp dir is still offered as TMPDIR.
            if let privateTemp { environment["TMPDIR"] = privateTemp.path; environment["HOME"] = privateTemp.path }
            return LaunchPlan(program: "/usr/bin/setpriv", arguments: ["--pdeathsig", "KILL", "--", prlimit] + limits,
                              environment: environment, privateTemp: privateTemp)
        case .bubblewrap(let bwrap):
            var mounts = MountList()
            for path in Self.systemPaths { mounts.system(path) }
            if sandbox.network { for path in Self.networkPaths { mounts.system(path) } }
            mounts.readOnly(URL(fileURLWithPath: prlimit).deletingLastPathComponent().path)
            for directory in runtimeDirectories(of: executable) { mounts.readOnly(directory) }
            mounts.readOnly(executable.deletingLastPathComponent().path)
            mounts.readOnly(executable.resolvingSymlinksInPath().deletingLastPathComponent().path)
            if let envInterpreter {
                for directory in runtimeDirectories(ofInterpreter: envInterpreter.path) { mounts.readOnly(directory) }
            }
            let packageRoots = Self.packageRoots(of: executable, hostPath: hostEnvironment["PATH"])
            for root in packageRoots { mounts.readOnly(root.path) }
            for path in sandbox.filesystem.readOnly {
                mounts.readOnly(try grantedPath(path, manifest: manifest, manifestDirectory: manifestDirectory))
            }
            for path in sandbox.filesystem.readWrite {
                mounts.readWrite(try grantedPath(path, manifest: manifest, manifestDirectory: manifestDirectory))
            }
            var arguments = ["--unshare-all"] + (sandbox.network ? ["--share-net"] : [])
            arguments += ["--die-with-parent", "--new-session", "--proc", "/proc", "--dev", "/dev"]
            // The private /tmp goes first so that binds of paths under /tmp stay visible on top of it.
            if let privateTemp { arguments += ["--bind", privateTemp.path, "/tmp"] }
            arguments += mounts.arguments
            arguments += ["--remount-ro", "/", "--chdir", privateTemp == nil ? "/" : "/tmp", "--clearenv"]
            for key in environment.keys.sorted() { arguments += ["--setenv", key, environment[key] ?? ""] }
            arguments += ["--", prlimit] + limits
            return LaunchPlan(program: bwrap, arguments: arguments, environment: environment, privateTemp: privateTemp,
                              packageRoots: packageRoots, visiblePaths: mounts.visiblePaths, executable: executable)
        }
    }

    /// The package folders (virtual environment, Node package) a sandbox for `executable` binds read-only.
    /// - Parameter hostPath: loom's own `PATH`, where a `#!/usr/bin/env NAME` script's NAME is looked up.
    public static func packageRoots(of executable: URL,
                                    hostPath: String? = ProcessInfo.processInfo.environment["PATH"]) -> [PackageRoots.Root] {
        let interpreter = envInterpreter(of: executable, hostPath: hostPath)?.path
            ?? shebangInterpreter(executable.resolvingSymlinksInPath().path)
        return PackageRoots.roots(executable: executable, interpreter: interpreter, systemPaths: systemPaths)
    }

    /// For a `#!/usr/bin/env NAME` script: NAME as found on `hostPath` (loom's own `PATH`), when the
    /// sandbox's own search path (`/usr/local/bin`, `/usr/bin`, `/bin`) does not have it; nil otherwise.
    static func envInterpreter(of executable: URL, hostPath: String?) -> URL? {
        let words = shebangWords(executable.resolvingSymlinksInPath().path)
        guard let program = words.first, program.hasSuffix("/env"),
              let name = words.dropFirst().first(where: { !$0.hasPrefix("-") && !$0.contains("=") }),
              !name.contains("/") else { return nil }
        let fm = FileManager.default
        if ["/usr/local/bin", "/usr/bin", "/bin"].contains(where: { fm.isExecutableFile(atPath: "\($0)/\(name)") }) { return nil }
        for directory in (hostPath ?? "").split(separator: ":").map(String.init) where directory.hasPrefix("/") {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// `prlimit` options for the profile (soft CPU limit sends SIGXCPU, the hard one a second later SIGKILL).
    func rlimitArguments(_ sandbox: Manifest.Sandbox) -> [String] {
        let mib = 1 << 20
        return ["--cpu=\(sandbox.cpuSeconds):\(sandbox.cpuSeconds + 1)",
                "--as=\(sandbox.memoryMB * mib)",
                "--nproc=\(sandbox.maxProcesses)",
                "--fsize=\(sandbox.maxFileMB * mib)",
                "--nofile=\(sandbox.maxOpenFiles)"]
    }

    /// Library and interpreter directories the executable needs: its ELF run-path, or for a `#!` script the
    /// interpreter's folder and that interpreter's run-path.
    func runtimeDirectories(of executable: URL) -> [String] {
        let path = executable.resolvingSymlinksInPath().path
        if let interpreter = Self.shebangInterpreter(path) { return runtimeDirectories(ofInterpreter: interpreter) }
        return ELFRunpath.directories(of: path)
    }

    /// An interpreter's folder, its real folder (behind links) and its ELF run-path.
    func runtimeDirectories(ofInterpreter interpreter: String) -> [String] {
        let resolved = URL(fileURLWithPath: interpreter).resolvingSymlinksInPath()
        return [URL(fileURLWithPath: interpreter).deletingLastPathComponent().path,
                resolved.deletingLastPathComponent().path] + ELFRunpath.directories(of: resolved.path)
    }

    /// The interpreter path of a `#!` script, if the file is one.
    static func shebangInterpreter(_ path: String) -> String? { shebangWords(path).first }

    /// The words of a `#!` script's first line (interpreter and arguments), or none.
    static func shebangWords(_ path: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 256), head.starts(with: [0x23, 0x21]) else { return [] }
        let line = String(decoding: head.dropFirst(2).prefix { $0 != 0x0A }, as: UTF8.self)
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    private func grantedPath(_ path: String, manifest: Manifest, manifestDirectory: URL) throws -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : manifestDirectory.appendingPathComponent(path)
        let standardized = url.standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: standardized) else {
            throw PluginHostError.launchFailed(plugin: manifest.name,
                                               reason: "granted path \(standardized) (sandbox.filesystem) does not exist")
        }
        return standardized
    }
}

/// The bind mounts of one sandbox, without duplicates or paths already covered by a parent mount.
struct MountList {
    private(set) var arguments: [String] = []
    private var covered: [String] = []

    /// Binds a system path read-only, keeping host symlinks (e.g. `/lib -> usr/lib`) as symlinks.
    mutating func system(_ path: String) {
        guard !isCovered(path) else { return }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
            arguments += ["--symlink", target, path]
            covered.append(path)
        } else if FileManager.default.fileExists(atPath: path) {
            arguments += ["--ro-bind", path, path]
            covered.append(path)
        }
    }

    /// Binds an existing path read-only at the same place.
    mutating func readOnly(_ path: String) { bind("--ro-bind", path) }

    /// Binds an existing path read-write at the same place.
    mutating func readWrite(_ path: String) { bind("--bind", path) }

    private mutating func bind(_ option: String, _ path: String) {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard FileManager.default.fileExists(atPath: real) else { return }
        if option == "--bind" || !isCovered(real) {
            arguments += [option, real, real]
            covered.append(real)
        }
        // Reach a path through a symlink (e.g. `.build/release -> x86_64-unknown-linux-gnu/release`) as on the host.
        if path != real, !isCovered(path) {
            arguments += ["--symlink", real, path]
            covered.append(path)
        }
    }

    /// The host paths bound so far (system paths, grants, package folders, symlinks to them).
    var visiblePaths: [String] { covered }

    private func isCovered(_ path: String) -> Bool {
        covered.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }
}
