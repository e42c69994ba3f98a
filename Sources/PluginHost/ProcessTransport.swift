import AgentCore
import Foundation

/// MCP's stdio transport: a plugin process spawned under its sandbox, spoken to over its pipes by an
/// `RPCConnection`.
final class ProcessTransport: PluginTransport, @unchecked Sendable {
    private let manifest: Manifest
    private let plan: LaunchPlan
    private let child: ChildProcess
    private var connection: RPCConnection!
    private let lock = NSLock()
    private var stopped = false
    /// Held while the process is torn down, so that every caller of `stop` returns only once it is done.
    private let teardownLock = NSLock()
    private var tornDown = false

    /// Spawns the plugin of `manifest` as `plan` says.
    ///
    /// - Throws: `PluginHostError.launchFailed` when the process cannot be spawned (the plan's host
    ///   resources are removed then).
    init(manifest: Manifest, plan: LaunchPlan) throws {
        do { child = try ChildProcess.spawn(plan, name: manifest.name) } catch {
            plan.removeHostResources()
            throw error
        }
        self.manifest = manifest
        self.plan = plan
        connection = RPCConnection(child: child, maxOutputBytes: manifest.sandbox.maxOutputBytes) { [weak self] _ in
            self?.stop()
        }
    }

    func request(_ method: String, params: JSONValue, timeout: Double) async -> Result<JSONValue, RPCFailure> {
        await connection.request(method, params: params, timeout: timeout)
    }

    func notify(_ method: String, params: JSONValue?) async {
        connection.notify(method, params: params)
    }

    var isOpen: Bool {
        lock.lock()
        let wasStopped = stopped
        lock.unlock()
        return !wasStopped && connection.closedReason == nil && !child.hasExited
    }

    var exitStatus: Int32? { child.hasExited ? child.wait() : nil }

    func explain(_ failure: RPCFailure, atStart: Bool) -> String {
        if atStart { child.killGroup() }
        if case .timeout = failure { stop() }
        _ = connection.waitUntilClosed(seconds: atStart ? 1 : 2)
        child.killGroup()
        let status = ChildProcess.describe(status: child.wait())
        _ = connection.waitForStderrEnd(seconds: 1)
        let stderr = connection.stderrExcerpt
        var reason = PluginSession.explain(failure, plugin: manifest.name, status: status, stderr: stderr)
        if atStart, let executable = plan.executable,
           let hint = StartupDiagnosis.hint(stderr: stderr, manifest: manifest, executable: executable,
                                            visiblePaths: plan.visiblePaths) {
            reason += "; \(hint)"
        }
        return reason
    }

    /// Closes stdin, kills the process group, reaps it and removes the temp dir and pids cgroup. Returns
    /// when that is done, also when another thread started it: the stdout reader stops a flooding plugin
    /// while the call that saw the flood goes on, and a `loom` that exits right after that call must not
    /// leave the plugin's cgroup or temp dir behind.
    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        teardownLock.lock()
        defer { teardownLock.unlock() }
        if tornDown { return }
        tornDown = true
        child.closeInput()
        child.killGroup()
        child.wait()
        plan.removeHostResources()
    }
}
