#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What this machine offers for running code, found once by `detect`: bubblewrap (checked with a probe run),
/// the helper programs, whether a fresh `/proc` can be mounted, and who the sandbox runs as on the host.
struct SandboxHost: Sendable {
    /// How runs are isolated.
    enum Isolation: Sendable, Equatable {
        /// Under bubblewrap at this path.
        case bubblewrap(String)
        /// Without any isolation: only with `LOOM_CODE_RUNNER_UNSAFE=1` and when no sandbox works.
        case unsafe(reason: String)
    }

    /// A top-level link such as `/bin -> usr/bin`; `target` nil means a real directory, bound read-only.
    struct RootLink: Sendable, Equatable {
        var path: String
        var target: String?
    }

    /// Environment variable that allows running without a sandbox.
    static let unsafeVariable = "LOOM_CODE_RUNNER_UNSAFE"
    /// Environment variable naming the bubblewrap executable (tests point it at a missing file).
    static let bubblewrapVariable = "LOOM_CODE_RUNNER_BWRAP"
    /// Environment variable by which the host (Loom) says that this plugin's whole process tree is in a pids
    /// cgroup allowing that many processes: set by PluginHost when it enforces `max_processes` with a cgroup.
    static let pidsCgroupVariable = "LOOM_PIDS_MAX"
    /// The uid (and gid) host root drops to before starting bubblewrap: `nobody`.
    static let unprivilegedID: UInt32 = 65534

    var isolation: Isolation = .unsafe(reason: "not detected")
    /// `prlimit` (util-linux).
    var prlimit = "/usr/bin/prlimit"
    /// `setpriv` (util-linux), used for the parent-death signal and for dropping host root; nil if missing.
    var setpriv: String?
    /// Set when this process is root in the initial user namespace: bubblewrap is started as this uid, because
    /// the kernel does not apply RLIMIT_NPROC to processes of host uid 0.
    var dropToID: UInt32?
    /// Whether the sandbox gets its own `/proc` (not possible in a nested sandbox whose `/proc` is partly
    /// covered; the sandbox then has no `/proc` at all).
    var freshProc = true
    /// `/bin`, `/sbin`, `/lib`, `/lib32`, `/lib64` as they are on the host.
    var rootLinks: [RootLink] = []
    /// `/etc/python3*` entries (Debian's sitecustomize).
    var pythonEtcEntries: [String] = []
    /// The process cap of the host's pids cgroup around this plugin (`LOOM_PIDS_MAX`), if any: it contains a
    /// fork bomb where RLIMIT_NPROC does not.
    var pidsCgroupMax: Int?
    /// Conditions that weaken the sandbox; every result repeats them.
    var warnings: [String] = []

    /// One line describing the sandbox, for the plugin's log.
    var summary: String {
        var parts: [String]
        switch isolation {
        case .bubblewrap(let path): parts = ["sandbox: \(path)"]
        case .unsafe(let reason): parts = ["NO SANDBOX (\(reason))"]
        }
        parts.append(dropToID.map { "bubblewrap runs as host uid \($0)" } ?? "bubblewrap runs as uid \(getuid())")
        parts.append(freshProc ? "fresh /proc" : "no /proc")
        if let pidsCgroupMax { parts.append("host pids cgroup: at most \(pidsCgroupMax) processes") }
        parts += warnings.map { "WARNING: \($0)" }
        return parts.joined(separator: "; ")
    }

    /// Finds the sandbox this machine offers.
    ///
    /// - Parameter environment: this process's environment (`LOOM_CODE_RUNNER_UNSAFE`, `LOOM_CODE_RUNNER_BWRAP`).
    /// - Throws: `CodeRunnerError.sandboxUnavailable` when bubblewrap is missing or fails and the unsafe
    ///   override is not set.
    static func detect(environment: [String: String]) throws(CodeRunnerError) -> SandboxHost {
        var host = SandboxHost()
        host.pidsCgroupMax = environment[pidsCgroupVariable].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        let files = FileManager.default
        guard files.isExecutableFile(atPath: host.prlimit) else {
            throw .sandboxUnavailable(reason: "prlimit (util-linux) is missing at \(host.prlimit)")
        }
        host.setpriv = files.isExecutableFile(atPath: "/usr/bin/setpriv") ? "/usr/bin/setpriv" : nil
        if host.setpriv == nil {
            host.warnings.append("setpriv (util-linux) is missing: a sandbox outlives code-runner if it crashes")
        }
        if SeccompFilter.native == nil {
            host.warnings.append("no seccomp filter for this CPU architecture: ptrace within the sandbox is allowed")
        }
        host.rootLinks = ["/bin", "/sbin", "/lib", "/lib32", "/lib64"].compactMap { path in
            if let target = try? files.destinationOfSymbolicLink(atPath: path) { return RootLink(path: path, target: target) }
            return files.fileExists(atPath: path) ? RootLink(path: path, target: nil) : nil
        }
        host.pythonEtcEntries = ((try? files.contentsOfDirectory(atPath: "/etc")) ?? [])
            .filter { $0.hasPrefix("python3") }.sorted().map { "/etc/\($0)" }

        let unsafeAllowed = ["1", "true", "yes"].contains(environment[unsafeVariable]?.lowercased() ?? "")
        do {
            let bubblewrap = try findBubblewrap(environment: environment)
            try host.adoptIdentity()
            try host.probe(bubblewrap)
            host.isolation = .bubblewrap(bubblewrap)
        } catch {
            guard unsafeAllowed, case .sandboxUnavailable(let reason) = error else { throw error }
            host.isolation = .unsafe(reason: reason)
            host.dropToID = nil
            host.warnings.append("""
                UNSAFE: \(unsafeVariable)=1 is set and no sandbox works (\(reason)); code runs WITHOUT \
                isolation, with rlimits and a private temporary directory only
                """)
        }
        return host
    }

    /// The bubblewrap executable: `$LOOM_CODE_RUNNER_BWRAP` or the first of the usual places.
    private static func findBubblewrap(environment: [String: String]) throws(CodeRunnerError) -> String {
        let candidates = environment[bubblewrapVariable].map { [$0] } ?? ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw .sandboxUnavailable(reason: "bubblewrap (bwrap) was not found at \(candidates.joined(separator: ", "))")
        }
        return found
    }

    /// Decides who starts bubblewrap: host root (root of the initial user namespace, per
    /// `/proc/self/uid_map`) drops to `nobody`, because the kernel does not apply RLIMIT_NPROC to processes
    /// of host uid 0. Whether the limit holds is then measured by `probe`.
    private mutating func adoptIdentity() throws(CodeRunnerError) {
        let map = (try? String(contentsOfFile: "/proc/self/uid_map", encoding: .utf8)) ?? ""
        let ranges = map.split(separator: "\n").map { $0.split(separator: " ").compactMap { UInt64($0) } }
        guard getuid() == 0, ranges.contains(where: { $0 == [0, 0, 4_294_967_295] }) else { return }
        guard setpriv != nil else {
            throw .sandboxUnavailable(reason: "running as root and setpriv is missing, so root cannot be dropped")
        }
        dropToID = Self.unprivilegedID
    }

    /// Runs the sandbox around a shell that forks once under RLIMIT_NPROC = 1 (`SandboxCommand.probe`):
    /// "Cannot fork" means the sandbox works and the process limit holds; "probe-ok" means it works but the
    /// kernel exempts the sandbox (host uid 0, e.g. a nested sandbox mapped onto root), which is warned about
    /// unless the host's pids cgroup caps the plugin (`LOOM_PIDS_MAX`).
    /// Retries without `/proc` when the kernel refuses a fresh one (an outer sandbox covers parts of its own).
    private mutating func probe(_ bubblewrap: String) throws(CodeRunnerError) {
        for attempt in 0..<2 {
            let outcome = try Supervisor.run(SandboxCommand.probe(host: self, bubblewrap: bubblewrap))
            let message = outcome.stderr.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if message.contains("Cannot fork") { return }
            if outcome.stdout.text.contains(SandboxCommand.probeMarker) {
                if let warning = Self.processLimitWarning(rlimitHolds: false, pidsCgroupMax: pidsCgroupMax) {
                    warnings.append(warning)
                }
                return
            }
            if attempt == 0, freshProc, message.contains("mount proc") {
                freshProc = false
                continue
            }
            throw .sandboxUnavailable(reason: "the bubblewrap probe failed with \(outcome.termination): \(message)")
        }
    }

    /// The warning every result carries when nothing limits the number of processes: neither RLIMIT_NPROC
    /// (which the kernel does not apply to host uid 0) nor a pids cgroup of the host around the plugin.
    static func processLimitWarning(rlimitHolds: Bool, pidsCgroupMax: Int?) -> String? {
        guard !rlimitHolds, pidsCgroupMax == nil else { return nil }
        return """
            the kernel does not enforce the process-count limit in this sandbox (it runs as host uid 0, \
            e.g. nested in a sandbox mapped onto root) and no pids cgroup of the host caps the plugin \
            (\(pidsCgroupVariable) is not set), so a fork bomb is stopped only by the time limit; \
            run code-runner as a non-root host user or under Loom with a writable pids cgroup
            """
    }
}
