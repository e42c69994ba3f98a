import AgentCore
import Foundation

/// The state of MCP's older HTTP+SSE transport (protocol revision 2024-11-05), which `HTTPTransport`
/// falls back to when a server refuses its first POST with 404 or 405: the client holds a GET event
/// stream open, whose first event (`endpoint`) names the URL to POST messages to, and every answer comes
/// back in that stream rather than in the POST's response.
///
/// Holds the endpoint once it is known and the requests waiting for their answers; the stream's reader
/// delivers answers here, and its end fails whatever still waits.
final class LegacySSEChannel: @unchecked Sendable {
    private let lock = NSLock()
    private var knownEndpoint: String?
    private var waiting: [Int: CheckedContinuation<Result<JSONValue, RPCFailure>, Never>] = [:]
    /// The deadline of each waiting request, cancelled when it is answered.
    private var deadlines: [Int: Task<Void, Never>] = [:]
    private var ended: RPCFailure?

    /// The URL messages are POSTed to, once the stream has named it.
    var endpoint: String? { lock.withLock { knownEndpoint } }

    /// Deadlines of requests still waiting (for tests).
    var pendingDeadlines: Int { lock.withLock { deadlines.count } }

    /// Why the stream ended, if it did.
    var endReason: RPCFailure? { lock.withLock { ended } }

    /// Records the endpoint the stream named (only the first one counts).
    func setEndpoint(_ url: String) { lock.withLock { if knownEndpoint == nil { knownEndpoint = url } } }

    /// Waits until the stream names its endpoint, ends, or `timeout` seconds pass.
    func waitForEndpoint(timeout: Double) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let (url, over) = lock.withLock { (knownEndpoint, ended != nil) }
            if let url { return url }
            if over { return nil }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return endpoint
    }

    /// Sends request `id` with `send` (which returns why sending failed, if it did) and waits for its
    /// answer in the stream, at most `timeout` seconds.
    func exchange(id: Int, timeout: Double, send: @escaping @Sendable () async -> RPCFailure?) async -> Result<JSONValue, RPCFailure> {
        await withCheckedContinuation { continuation in
            let over: RPCFailure? = lock.withLock {
                if let ended { return ended }
                waiting[id] = continuation
                return nil
            }
            if let over { return continuation.resume(returning: .failure(over)) }
            Task { [self] in if let failure = await send() { resolve(id, .failure(failure)) } }
            let deadline = Task { [self] in
                guard (try? await Task.sleep(nanoseconds: UInt64(max(timeout, 0) * 1e9))) != nil else { return }
                resolve(id, .failure(.timeout(seconds: timeout)))
            }
            // Kept only while the request still waits (an answer may already have come).
            let stillWaiting = lock.withLock {
                if waiting[id] == nil { return false }
                deadlines[id] = deadline
                return true
            }
            if !stillWaiting { deadline.cancel() }
        }
    }

    /// Hands an answer from the stream to the request it answers (answers nobody waits for are dropped).
    func deliver(_ object: [String: JSONValue]) {
        guard let id = object["id"]?.intValue, let result = HTTPExchangeState.answer(in: object, to: id) else { return }
        resolve(id, result)
    }

    /// The stream is over: every waiting request fails with `reason`.
    func end(_ reason: RPCFailure) {
        let pending: [CheckedContinuation<Result<JSONValue, RPCFailure>, Never>] = lock.withLock {
            if ended == nil { ended = reason }
            for deadline in deadlines.values { deadline.cancel() }
            deadlines.removeAll()
            defer { waiting.removeAll() }
            return Array(waiting.values)
        }
        for continuation in pending { continuation.resume(returning: .failure(reason)) }
    }

    private func resolve(_ id: Int, _ result: Result<JSONValue, RPCFailure>) {
        let (continuation, deadline) = lock.withLock { (waiting.removeValue(forKey: id), deadlines.removeValue(forKey: id)) }
        deadline?.cancel()
        continuation?.resume(returning: result)
    }

    /// `named` (the `endpoint` event's data) resolved against the stream's URL, if it is on the same scheme,
    /// host and port — a server may not send Loom's messages anywhere else.
    static func resolve(endpoint named: String, against stream: String) -> String? {
        guard let base = URL(string: stream), let url = URL(string: named.trimmingCharacters(in: .whitespacesAndNewlines), relativeTo: base)?.absoluteURL,
              url.scheme?.lowercased() == base.scheme?.lowercased(), url.host?.lowercased() == base.host?.lowercased(),
              url.port == base.port else { return nil }
        return url.absoluteString
    }
}
