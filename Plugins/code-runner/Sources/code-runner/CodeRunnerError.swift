#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong in code-runner itself (not in the user's code, whose failures are results).
enum CodeRunnerError: Error, Equatable, CustomStringConvertible {
    /// No usable sandbox: bubblewrap is missing, or user namespaces are disabled, or the probe run failed.
    case sandboxUnavailable(reason: String)
    /// The interpreter for a language is not installed where the sandbox expects it.
    case interpreterMissing(language: String, path: String)
    /// A system call needed to start or supervise the process failed.
    case systemCall(name: String, errno: Int32)
    /// `posix_spawn` could not start the program.
    case spawnFailed(executable: String, errno: Int32)

    var description: String {
        switch self {
        case .sandboxUnavailable(let reason):
            return """
                code-runner refuses to run code: no sandbox is available (\(reason)). \
                Install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces \
                (sysctl kernel.unprivileged_userns_clone=1). To run code WITHOUT any isolation anyway, \
                start the plugin with LOOM_CODE_RUNNER_UNSAFE=1.
                """
        case .interpreterMissing(let language, let path):
            return "cannot run \(language): interpreter \(path) is not installed (apt-get install python3 / bash)"
        case .systemCall(let name, let errno):
            return "\(name) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .spawnFailed(let executable, let errno):
            return "cannot start \(executable): \(String(cString: strerror(errno))) (errno \(errno))"
        }
    }
}
