#if canImport(Glibc)
import Glibc
#endif

/// The kernel and supervisor limits one run is held to.
///
/// The rlimits are applied inside the sandbox by `prlimit` just before the interpreter starts, so bwrap's
/// own init process is not subject to them; the wall-clock and output limits are enforced by `Supervisor`.
struct Limits: Sendable, Equatable {
    /// Wall-clock seconds before the whole process tree is killed.
    var wallSeconds: Int
    /// RLIMIT_CPU per process (soft; the hard limit, one second later, is SIGKILL).
    var cpuSeconds: Int
    /// RLIMIT_AS per process, in bytes.
    var addressSpaceBytes: Int
    /// RLIMIT_NPROC: processes and threads of the sandbox user, counted inside its user namespace.
    var processes: Int
    /// RLIMIT_FSIZE, in bytes.
    var fileSizeBytes: Int
    /// RLIMIT_NOFILE.
    var openFiles: Int
    /// Size of the `/work` tmpfs, in bytes.
    var workBytes: Int
    /// Size of the `/tmp` tmpfs, in bytes.
    var tmpBytes: Int
    /// Bytes of each stream shown from its start.
    var captureHead: Int
    /// Bytes of each stream shown from its end.
    var captureTail: Int
    /// Total output after which the run is killed (printing 1 GB stops after this much).
    var killAfterOutputBytes: Int

    /// Timeout used when the caller gives none.
    static let defaultTimeout = 10
    /// Largest timeout a caller may ask for.
    static let maximumTimeout = 60

    /// Loom's defaults for a run with this wall-clock timeout (clamped to 1...`maximumTimeout`).
    static func standard(timeoutSeconds: Int = defaultTimeout) -> Limits {
        let wall = min(max(timeoutSeconds, 1), maximumTimeout)
        let mib = 1 << 20
        return Limits(wallSeconds: wall, cpuSeconds: wall, addressSpaceBytes: 1024 * mib, processes: 32,
                      fileSizeBytes: 64 * mib, openFiles: 256, workBytes: 256 * mib, tmpBytes: 64 * mib,
                      captureHead: 48 * 1024, captureTail: 16 * 1024, killAfterOutputBytes: 8 * mib)
    }

    /// The same limits lowered to what this process may grant (an outer sandbox may have set hard limits).
    func clampedToHardLimits() -> Limits {
        var limits = self
        limits.cpuSeconds = Self.clamp(cpuSeconds + 1, RLIMIT_CPU) - 1
        limits.addressSpaceBytes = Self.clamp(addressSpaceBytes, RLIMIT_AS)
        limits.processes = Self.clamp(processes, __RLIMIT_NPROC)
        limits.fileSizeBytes = Self.clamp(fileSizeBytes, RLIMIT_FSIZE)
        limits.openFiles = Self.clamp(openFiles, RLIMIT_NOFILE)
        return limits
    }

    /// `prlimit` options setting every rlimit (soft = hard, except CPU whose hard limit is one second later).
    var prlimitOptions: [String] {
        ["--cpu=\(cpuSeconds):\(cpuSeconds + 1)", "--as=\(addressSpaceBytes)", "--nproc=\(processes)",
         "--fsize=\(fileSizeBytes)", "--nofile=\(openFiles)", "--core=0"]
    }

    private static func clamp(_ value: Int, _ resource: __rlimit_resource) -> Int {
        var current = rlimit()
        guard getrlimit(__rlimit_resource_t(resource.rawValue), &current) == 0, current.rlim_max != rlim_t.max else { return value }
        return min(value, Int(clamping: current.rlim_max))
    }
}

/// The languages code-runner runs, each with its interpreter and the file the code is placed in.
enum Language: String, Sendable, CaseIterable {
    case python
    case shell

    /// The interpreter's absolute path (the same inside the sandbox, where /usr is mounted read-only).
    var interpreter: String {
        switch self {
        case .python: return "/usr/bin/python3"
        case .shell: return "/usr/bin/bash"
        }
    }

    /// Name of the source file in the working directory; tracebacks mention it.
    var fileName: String {
        switch self {
        case .python: return "main.py"
        case .shell: return "script.sh"
        }
    }

    /// The interpreter command for the source file at `path`.
    func command(sourcePath path: String) -> [String] {
        switch self {
        // -E: ignore PYTHON* variables; -s: no user site directory; -B: write no .pyc files.
        case .python: return [interpreter, "-E", "-s", "-B", path]
        case .shell: return [interpreter, path]
        }
    }
}
