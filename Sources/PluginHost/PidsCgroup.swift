import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pids cgroup per plugin: caps the number of processes and threads of the plugin's whole tree,
/// including bubblewrap's own two processes.
///
/// RLIMIT_NPROC does not bind a process whose real uid is root (the kernel exempts it), and a sandbox
/// started by root runs as root: a fork bomb in a plugin would then be stopped only by its time limit.
/// The pids controller counts every task in the group whatever its uid. It is used when Loom can create
/// cgroups, which in practice means when it runs as root — exactly when RLIMIT_NPROC fails.
public struct PidsCgroup: Sendable, Equatable {
    /// The directory of a pids hierarchy in which Loom may create child groups.
    public let hierarchy: URL

    /// Tasks the sandbox itself needs besides the plugin's own (bwrap's outer process and its
    /// PID-namespace init).
    static let sandboxTasks = 2

    /// Uses `hierarchy` (a pids cgroup directory where child groups can be made).
    public init(hierarchy: URL) {
        self.hierarchy = hierarchy
    }

    /// The pids hierarchy this process may create groups in, if any: cgroup v1's `/sys/fs/cgroup/pids`,
    /// or a cgroup v2 root whose `cgroup.subtree_control` enables `pids`. Nil when not root or none is
    /// writable (then RLIMIT_NPROC is the limit, which binds a non-root user).
    public static func detect(root: String = "/sys/fs/cgroup") -> PidsCgroup? {
        guard geteuid() == 0 else { return nil }
        let version1 = URL(fileURLWithPath: root).appendingPathComponent("pids")
        if access(version1.appendingPathComponent("cgroup.procs").path, W_OK) == 0 {
            return PidsCgroup(hierarchy: version1)
        }
        let control = URL(fileURLWithPath: root).appendingPathComponent("cgroup.subtree_control")
        if let text = try? String(contentsOf: control, encoding: .utf8),
           text.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("pids"),
           access(root, W_OK) == 0 {
            return PidsCgroup(hierarchy: URL(fileURLWithPath: root))
        }
        return nil
    }

    /// Creates a group for one plugin process tree allowing `maxProcesses` of its own tasks.
    ///
    /// - Throws: `PluginHostError.launchFailed` when the group cannot be created or limited.
    func makeGroup(plugin: String, maxProcesses: Int) throws -> URL {
        let group = hierarchy.appendingPathComponent("loom-\(plugin)-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: group, withIntermediateDirectories: false)
            try Data("\(maxProcesses + Self.sandboxTasks)\n".utf8).write(to: group.appendingPathComponent("pids.max"))
        } catch {
            Self.remove(group)
            throw PluginHostError.launchFailed(plugin: plugin, reason: "cannot create pids cgroup \(group.path) "
                                               + "to enforce max_processes: \(error.localizedDescription)")
        }
        return group
    }

    /// Removes a plugin's group once its processes ended; any process still in it (one that left the
    /// plugin's process group, without a PID namespace to end it) is killed first. Gives up after about a
    /// second, leaving an empty-to-be group behind rather than blocking.
    static func remove(_ group: URL) {
        for _ in 0..<100 {
            if rmdir(group.path) == 0 || errno == ENOENT { return }
            guard errno == EBUSY else { return }
            let procs = (try? String(contentsOf: group.appendingPathComponent("cgroup.procs"), encoding: .utf8)) ?? ""
            for pid in procs.split(separator: "\n").compactMap({ pid_t($0) }) where pid > 0 { kill(pid, SIGKILL) }
            usleep(10_000)
        }
    }

    /// The shell prefix that moves the starting process into `group` and then execs the sandbox, so the
    /// plugin is in the group before it can fork; if the move fails nothing is started.
    static func wrapper(group: URL) -> (program: String, arguments: [String]) {
        ("/bin/sh", ["-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", group.path])
    }
}
