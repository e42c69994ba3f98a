/// Builds the bubblewrap command line that runs one snippet, and the unsandboxed fallback's command.
///
/// Inside the sandbox: new user, pid, net, ipc, uts (and cgroup) namespaces, no further user namespaces,
/// all capabilities dropped, uid/gid 1000 ("sandbox"); `/usr` and the library/binary links read-only, a few
/// `/etc` files Python and the shell need (never `/etc/shadow`, never a host passwd); a fresh `/proc` when the
/// host allows one (else none); a private read-only `/dev`; size-limited tmpfs `/dev/shm`, `/tmp` and `/work` (the working
/// directory, holding the source file read-only); a read-only root; an environment of our own. Nothing of
/// `$HOME`, `/root` or the repository is mounted. A seccomp filter (`SeccompFilter`) refuses `ptrace` and
/// other risky system calls. `prlimit` sets the rlimits and `exec`s the interpreter.
enum SandboxCommand {
    /// The working directory inside the sandbox.
    static let workDirectory = "/work"
    /// uid and gid of the code inside the sandbox.
    static let sandboxID = 1000
    /// The environment the code sees.
    static let environment: [(String, String)] = [
        ("PATH", "/usr/local/bin:/usr/bin:/bin"), ("HOME", workDirectory), ("LANG", "C.UTF-8"),
        ("USER", "sandbox"), ("LOGNAME", "sandbox"), ("TMPDIR", "/tmp"), ("PYTHONDONTWRITEBYTECODE", "1"),
    ]
    /// Host `/etc` entries mounted read-only when present: dynamic loader, time zone, `alternatives`
    /// (targets of links such as `awk`), name-service switch, MIME table, Python's configuration.
    static let etcEntries = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                             "/etc/alternatives", "/etc/nsswitch.conf", "/etc/mime.types"]
    /// A passwd and group naming only the sandbox user (written into the sandbox, not taken from the host).
    static let passwd = "sandbox:x:\(sandboxID):\(sandboxID):Loom sandbox:\(workDirectory):/bin/bash\n"
    /// The matching `/etc/group`.
    static let group = "sandbox:x:\(sandboxID):\n"

    /// The spawn request for `source` in `language` under bubblewrap.
    static func sandboxed(_ language: Language, source: String, stdin: [UInt8], limits: Limits,
                          host: SandboxHost, bubblewrap: String) -> SpawnRequest {
        let sourcePath = "\(workDirectory)/\(language.fileName)"
        let command = [host.prlimit] + limits.prlimitOptions + ["--"] + language.command(sourcePath: sourcePath)
        let files: [(path: String, contents: String)] = [(sourcePath, source), ("/etc/passwd", passwd),
                                                          ("/etc/group", group)]
        return request(host: host, bubblewrap: bubblewrap, limits: limits, files: files, command: command, stdin: stdin)
    }

    /// What the probe prints when its fork succeeded.
    static let probeMarker = "probe-ok"

    /// The probe run: the same sandbox around a shell that forks once with RLIMIT_NPROC = 1, which fails
    /// ("Cannot fork") exactly when the kernel enforces the process limit in the sandbox.
    static func probe(host: SandboxHost, bubblewrap: String) -> SpawnRequest {
        var limits = Limits.standard(timeoutSeconds: 10)
        limits.captureHead = 4096
        let command = [host.prlimit, "--nproc=1", "--", "/usr/bin/sh", "-c", "/usr/bin/true; echo \(probeMarker)"]
        return request(host: host, bubblewrap: bubblewrap, limits: limits.clampedToHardLimits(),
                       files: [("/etc/passwd", passwd)], command: command, stdin: [])
    }

    /// The bubblewrap arguments, wrapped in `setpriv` (parent-death signal, and dropping host root).
    private static func request(host: SandboxHost, bubblewrap: String, limits: Limits,
                                files: [(path: String, contents: String)], command: [String],
                                stdin: [UInt8]) -> SpawnRequest {
        var arguments = ["--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                         "--unshare-cgroup-try", "--disable-userns", "--die-with-parent", "--new-session",
                         "--cap-drop", "ALL", "--uid", "\(sandboxID)", "--gid", "\(sandboxID)",
                         "--hostname", "sandbox", "--ro-bind", "/usr", "/usr"]
        for link in host.rootLinks {
            if let target = link.target {
                arguments += ["--symlink", target, link.path]
            } else {
                arguments += ["--ro-bind-try", link.path, link.path]
            }
        }
        for entry in etcEntries + host.pythonEtcEntries { arguments += ["--ro-bind-try", entry, entry] }
        if host.freshProc { arguments += ["--proc", "/proc"] }
        arguments += ["--dev", "/dev", "--size", "\(limits.tmpBytes)", "--tmpfs", "/dev/shm",
                      "--size", "\(limits.tmpBytes)", "--tmpfs", "/tmp",
                      "--size", "\(limits.workBytes)", "--tmpfs", workDirectory]
        var inherited = files.map { Array($0.contents.utf8) }
        for (index, file) in files.enumerated() {
            arguments += ["--perms", "0444", "--ro-bind-data", "\(3 + index)", file.path]
        }
        if let architecture = SeccompFilter.native {
            arguments += ["--seccomp", "\(3 + inherited.count)"]
            inherited.append(SeccompFilter.program(for: architecture))
        }
        // Read-only root and /dev (its device nodes stay usable); /tmp, /dev/shm and /work stay writable.
        arguments += ["--chdir", workDirectory, "--remount-ro", "/dev", "--remount-ro", "/", "--clearenv"]
        for (key, value) in environment { arguments += ["--setenv", key, value] }
        arguments += ["--"] + command

        var executable = bubblewrap
        if let setpriv = host.setpriv {
            var wrapper: [String] = []
            if let uid = host.dropToID {
                wrapper += ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"]
            }
            wrapper += ["--pdeathsig", "KILL", "--", bubblewrap]
            arguments = wrapper + arguments
            executable = setpriv
        }
        return SpawnRequest(executable: executable, arguments: arguments, environment: ["PATH=/usr/bin:/bin"],
                            workingDirectory: "/", inheritedFiles: inherited,
                            stdin: stdin, wallLimit: .seconds(limits.wallSeconds), captureHead: limits.captureHead,
                            captureTail: limits.captureTail, killAfterOutputBytes: limits.killAfterOutputBytes)
    }

    /// The unsandboxed fallback (only with `LOOM_CODE_RUNNER_UNSAFE=1`): the same rlimits, a scrubbed
    /// environment and a private temporary working directory, but no namespaces at all.
    static func unsandboxed(_ language: Language, sourcePath: String, workingDirectory: String, stdin: [UInt8],
                            limits: Limits, host: SandboxHost) -> SpawnRequest {
        let command = limits.prlimitOptions + ["--"] + language.command(sourcePath: sourcePath)
        var executable = host.prlimit
        var arguments = command
        if let setpriv = host.setpriv {
            executable = setpriv
            arguments = ["--pdeathsig", "KILL", "--", host.prlimit] + command
        }
        let environment = Self.environment.map { key, value in
            key == "HOME" || key == "TMPDIR" ? "\(key)=\(workingDirectory)" : "\(key)=\(value)"
        }
        return SpawnRequest(executable: executable, arguments: arguments, environment: environment,
                            workingDirectory: workingDirectory, stdin: stdin, wallLimit: .seconds(limits.wallSeconds),
                            captureHead: limits.captureHead, captureTail: limits.captureTail,
                            killAfterOutputBytes: limits.killAfterOutputBytes)
    }
}
