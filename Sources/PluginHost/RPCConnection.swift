import AgentCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A newline-delimited JSON-RPC 2.0 client over a child's pipes (MCP's stdio transport).
///
/// A dedicated thread reads stdout, counts bytes and splits lines; a second thread drains stderr into a
/// fixed-size tail kept for error messages. What the host holds per plugin is bounded whatever it writes:
/// one stdout line of at most `maxOutputBytes`, the stderr tail, and the read chunks. Limits the MCP
/// swift-sdk does not enforce are enforced here: stdout beyond `maxOutputBytes` for one call (or one
/// message) and anything that is not JSON-RPC fail every pending request and call `onFatal`, which stops
/// the plugin; each request has its own deadline.
final class RPCConnection: @unchecked Sendable {
    private let child: ChildProcess
    private let maxOutputBytes: Int
    private let onFatal: @Sendable (RPCFailure) -> Void
    private let writer = DispatchQueue(label: "loom.plugin-rpc-writer")

    private let lock = NSLock()
    private var pending: [Int: CheckedContinuation<Result<JSONValue, RPCFailure>, Never>] = [:]
    private var nextID = 1
    private var failure: RPCFailure?
    private var windowBytes = 0
    private var stderrTail = TailBuffer(capacity: RPCConnection.stderrTailBytes)
    private let closedSignal = DispatchSemaphore(value: 0)
    private let stderrDrained = DispatchSemaphore(value: 0)

    /// How much of the plugin's stderr is kept for error messages.
    static let stderrTailBytes = 2048

    init(child: ChildProcess, maxOutputBytes: Int, onFatal: @escaping @Sendable (RPCFailure) -> Void) {
        self.child = child
        self.maxOutputBytes = maxOutputBytes
        self.onFatal = onFatal
        let out = Thread { [self] in readStdout() }
        out.name = "loom.plugin-stdout"
        out.start()
        let err = Thread { [self] in readStderr() }
        err.name = "loom.plugin-stderr"
        err.start()
    }

    /// The last bytes the plugin wrote to stderr, as text.
    var stderrExcerpt: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: stderrTail.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits up to `seconds` until the plugin's stderr reached its end (after the process exited), so
    /// `stderrExcerpt` holds its last words; true if it did.
    func waitForStderrEnd(seconds: Double) -> Bool {
        guard stderrDrained.wait(timeout: .now() + seconds) == .success else { return false }
        stderrDrained.signal()  // stays signalled for later callers
        return true
    }

    /// The failure that closed the connection, if any.
    var closedReason: RPCFailure? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    /// Waits up to `seconds` for stdout to close; true if it did.
    func waitUntilClosed(seconds: Double) -> Bool {
        if closedReason != nil { return true }
        return closedSignal.wait(timeout: .now() + seconds) == .success
    }

    /// Sends a request and waits for its result, an error, the deadline or the end of the connection.
    func request(_ method: String, params: JSONValue, timeout: Double) async -> Result<JSONValue, RPCFailure> {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let failure {
                lock.unlock()
                continuation.resume(returning: .failure(failure))
                return
            }
            let id = nextID
            nextID += 1
            pending[id] = continuation
            lock.unlock()
            let message: JSONValue = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params]
            send(message) { [weak self] ok in if !ok { self?.finish(id, .failure(.writeFailed)) } }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak self] in
                self?.finish(id, .failure(.timeout(seconds: timeout)))
            }
        }
    }

    /// Sends a notification (no answer expected).
    func notify(_ method: String, params: JSONValue? = nil) {
        var message: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        send(.object(message)) { _ in }
    }

    private func send(_ message: JSONValue, completion: @escaping @Sendable (Bool) -> Void) {
        let data = Data((message.compactText + "\n").utf8)
        writer.async { [child] in completion(child.write(data)) }
    }

    private func finish(_ id: Int, _ result: Result<JSONValue, RPCFailure>) {
        lock.lock()
        let continuation = pending.removeValue(forKey: id)
        if pending.isEmpty { windowBytes = 0 }
        lock.unlock()
        continuation?.resume(returning: result)
    }

    /// Fails every pending request and all later ones with `reason` (the first reason wins).
    private func close(_ reason: RPCFailure, fatal: Bool) {
        lock.lock()
        if failure == nil { failure = reason }
        let waiting = pending
        pending.removeAll()
        let first = failure ?? reason
        lock.unlock()
        for continuation in waiting.values { continuation.resume(returning: .failure(first)) }
        if fatal { onFatal(reason) }
    }

    private func readStdout() {
        var splitter = RPCLineSplitter(maxLineBytes: maxOutputBytes)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(child.output, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            lock.lock()
            windowBytes += count
            let flooded = windowBytes > maxOutputBytes
            lock.unlock()
            let outcome: RPCLineSplitter.Outcome = flooded ? .flood : chunk.withUnsafeBufferPointer {
                splitter.append(UnsafeBufferPointer(rebasing: $0[0..<count])) { handle(RPCMessage(line: $0)) }
            }
            if outcome == .flood {
                close(.flood(limit: maxOutputBytes), fatal: true)
                break
            }
            if outcome == .stopped { return drain() }
        }
        close(.closed, fatal: false)
        closedSignal.signal()
    }

    /// After a fatal protocol error: keep the pipe drained so the plugin never blocks, until it is killed.
    private func drain() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(child.output, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
        }
        closedSignal.signal()
    }

    /// Handles one message; returns false after a fatal protocol error.
    private func handle(_ message: RPCMessage) -> Bool {
        switch message {
        case .blank, .notification:
            return true  // notifications (logging, progress) are ignored
        case let .request(id, method):
            answerServerRequest(id: id, method: method)
        case let .result(id, result):
            finish(id, .success(result))
        case let .error(id, code, message):
            finish(id, .failure(.remote(code: code, message: message)))
        case let .invalid(excerpt):
            close(.invalidMessage(excerpt: excerpt), fatal: true)
            return false
        }
        return true
    }

    /// Answers requests a server may send a client: `ping` succeeds, anything else is "method not found".
    private func answerServerRequest(id: JSONValue, method: String) {
        let reply: JSONValue = method == "ping"
            ? ["jsonrpc": "2.0", "id": id, "result": [:]]
            : ["jsonrpc": "2.0", "id": id, "error": ["code": -32601, "message": .string("method not found: \(method)")]]
        send(reply) { _ in }
    }

    private func readStderr() {
        defer { stderrDrained.signal() }
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(child.errorOutput, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            lock.lock()
            stderrTail.append(contentsOf: chunk[0..<count])
            lock.unlock()
        }
    }
}
