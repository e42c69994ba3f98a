import AgentCore
import CCurl
import Foundation

/// MCP's Streamable HTTP transport (spec revision 2025-03-26): every JSON-RPC message is POSTed to the
/// manifest's `url`; the server answers a request with one JSON object (`application/json`) or with an
/// event stream (`text/event-stream`) that carries the answer, possibly after its own notifications and
/// requests; a notification is acknowledged with 202. The `Mcp-Session-Id` the server gives with its
/// `initialize` answer is sent with every later message and ended with a DELETE on `stop()`. Once the
/// session is initialized, a GET opens the server's standalone event stream, where it sends what is not
/// part of an answer (its own requests, such as a `ping`, which are answered by POST as in an answer's
/// stream); a server that offers none (405) is left alone, and the stream ends with the session.
///
/// A server that refuses the first POST with 404 or 405 is spoken to in the older HTTP+SSE transport
/// (2024-11-05, `LegacySSEChannel`): a GET stream whose `endpoint` event names where to POST, on the same
/// host, with every answer coming back in that stream; the same deadlines and limits apply.
///
/// Limits are Loom's, as for a process: each request has the manifest's wall-clock deadline, an answer
/// (or one event) may hold at most `max_output_bytes`, and anything that is not JSON-RPC ends the
/// session. Only the manifest's host is contacted: redirects are not followed, and only `http`/`https`
/// are allowed. Header values may reference Loom's environment (`"Authorization": "Bearer ${TOKEN}"`).
final class HTTPTransport: PluginTransport, @unchecked Sendable {
    private let manifest: Manifest
    private let endpoint: String
    private let headers: [String: String]
    private let queue = DispatchQueue(label: "loom.plugin-http", attributes: .concurrent)

    private let lock = NSLock()
    private var sessionID: String?
    private var nextID = 1
    private var failure: RPCFailure?
    private var stopped = false
    /// Set once the server turned out to speak the older HTTP+SSE transport.
    private var legacy: LegacySSEChannel?

    /// Initializes libcurl once per process, before any transfer.
    private static let curlReady: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Prepares a transport to `manifest.url`; nothing is sent until the first request.
    ///
    /// - Throws: `PluginHostError.launchFailed` when a header references an unset environment variable
    ///   or libcurl cannot be initialized.
    init(manifest: Manifest, url: String, environment: [String: String]) throws {
        guard Self.curlReady else {
            throw PluginHostError.launchFailed(plugin: manifest.name, reason: "libcurl could not be initialized")
        }
        self.manifest = manifest
        endpoint = url
        var expanded: [String: String] = [:]
        for name in manifest.headers.keys.sorted() {
            expanded[name] = try EnvironmentReference.expand(manifest.headers[name] ?? "", field: "headers.\(name)",
                                                             plugin: manifest.name, environment: environment)
        }
        headers = expanded
    }

    func request(_ method: String, params: JSONValue, timeout: Double) async -> Result<JSONValue, RPCFailure> {
        let next: Result<Int, RPCFailure> = lock.withLock {
            if let failure { return .failure(failure) }
            defer { nextID += 1 }
            return .success(nextID)
        }
        guard case .success(let id) = next else {
            if case .failure(let failure) = next { return .failure(failure) }
            return .failure(.closed)
        }
        let message: JSONValue = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params]
        if let legacy = lock.withLock({ legacy }) { return await legacyRequest(message, id: id, timeout: timeout, on: legacy) }
        switch await post(message, answering: id, timeout: timeout) {
        case .success(let exchange):
            if method == "initialize", let session = exchange.sessionID { lock.withLock { sessionID = session } }
            return exchange.answer
        case .failure(let failure):
            if method == "initialize", Self.refusesPOST(failure) {
                switch await openLegacyStream(timeout: timeout) {
                case .success(let channel): return await legacyRequest(message, id: id, timeout: timeout, on: channel)
                case .failure(let legacyFailure):
                    lock.withLock { if self.failure == nil { self.failure = legacyFailure } }
                    return .failure(legacyFailure)
                }
            }
            lock.withLock { if self.failure == nil { self.failure = failure } }
            return .failure(failure)
        }
    }

    /// Whether a failed first POST means the server may speak the older HTTP+SSE transport (404, 405).
    static func refusesPOST(_ failure: RPCFailure) -> Bool {
        guard case .http(let detail) = failure else { return false }
        return detail.hasPrefix("answered HTTP 404") || detail.hasPrefix("answered HTTP 405")
    }

    /// Opens the older transport's GET stream in the background and waits for its `endpoint` event.
    private func openLegacyStream(timeout: Double) async -> Result<LegacySSEChannel, RPCFailure> {
        let channel = LegacySSEChannel()
        lock.withLock { legacy = channel }
        queue.async { [weak self] in
            guard let self else { return channel.end(.closed) }
            let outcome = self.perform(method: "GET", body: nil, session: nil, timeout: 0, answering: nil, legacy: channel)
            var reason = RPCFailure.closed
            if case .failure(let failure) = outcome { reason = failure }
            channel.end(reason)
            self.lock.withLock { if self.failure == nil { self.failure = reason } }
        }
        guard let named = await channel.waitForEndpoint(timeout: timeout) else {
            let reason = channel.endReason.map { explainStart($0) }
                ?? "refused POST and sent no endpoint event on a GET stream within \(PluginSession.format(timeout)) s"
            channel.end(.closed)
            return .failure(.http(reason))
        }
        guard let url = LegacySSEChannel.resolve(endpoint: named, against: endpoint) else {
            channel.end(.closed)
            return .failure(.http("named a message endpoint that is not on its own host and port: \(named.prefix(200))"))
        }
        channel.setEndpoint(url)
        return .success(channel)
    }

    /// What ended the older transport's stream before it named an endpoint, as the rest of a sentence.
    private func explainStart(_ failure: RPCFailure) -> String {
        if case .http(let detail) = failure { return "refused POST and, asked with GET, \(detail)" }
        return "refused POST, and its GET stream ended before it named an endpoint"
    }

    /// One request over the older transport: POSTed to the endpoint, answered in the stream.
    private func legacyRequest(_ message: JSONValue, id: Int, timeout: Double, on channel: LegacySSEChannel)
        async -> Result<JSONValue, RPCFailure>
    {
        let result = await channel.exchange(id: id, timeout: timeout) { [weak self] in
            guard let self else { return .closed }
            return await self.legacyPost(message, to: channel, timeout: timeout)
        }
        if case .failure(let failure) = result, !Self.isRemote(failure) {
            lock.withLock { if self.failure == nil { self.failure = failure } }
        }
        return result
    }

    /// POSTs a message to the older transport's endpoint; returns why that failed, if it did.
    private func legacyPost(_ message: JSONValue, to channel: LegacySSEChannel, timeout: Double) async -> RPCFailure? {
        guard let url = channel.endpoint else { return .closed }
        let body = Data(message.compactText.utf8)
        return await withCheckedContinuation { continuation in
            queue.async { [self] in
                let outcome = perform(method: "POST", body: body, session: nil, timeout: timeout, answering: nil, url: url)
                if case .failure(let failure) = outcome { return continuation.resume(returning: failure) }
                continuation.resume(returning: nil)
            }
        }
    }

    private static func isRemote(_ failure: RPCFailure) -> Bool {
        if case .remote = failure { return true }
        return false
    }

    func notify(_ method: String, params: JSONValue?) async {
        var message: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        if let legacy = lock.withLock({ legacy }) {
            _ = await legacyPost(.object(message), to: legacy, timeout: manifest.sandbox.wallSeconds)
            return
        }
        _ = await post(.object(message), answering: nil, timeout: manifest.sandbox.wallSeconds)
        if method == "notifications/initialized" { listen() }
    }

    /// Opens the standalone GET stream in the background; it runs until the server ends it or the
    /// session stops (checked about once a second, also while the stream is idle).
    private func listen() {
        let session: String? = lock.withLock { stopped || failure != nil ? nil : (sessionID ?? "") }
        guard let session else { return }
        queue.async { [weak self] in
            _ = self?.perform(method: "GET", body: nil, session: session.isEmpty ? nil : session, timeout: 0, answering: nil)
        }
    }

    /// Whether the session is over (a standing stream then ends).
    private var isStopping: Bool { lock.withLock { stopped || failure != nil } }

    var isOpen: Bool { lock.withLock { failure == nil && !stopped } }

    var exitStatus: Int32? { nil }

    func explain(_ failure: RPCFailure, atStart: Bool) -> String {
        let plugin = "plugin '\(manifest.name)' (\(endpoint))"
        switch failure {
        case .timeout(let seconds):
            return "\(plugin) did not answer within \(PluginSession.format(seconds)) s (wall-clock limit); its session was ended"
        case .flood(let limit):
            return "\(plugin) answered with more than \(limit) bytes (max_output_bytes); its session was ended"
        case .invalidMessage(let excerpt):
            return "\(plugin) answered with something that is not JSON-RPC and its session was ended: \(excerpt)"
        case .http(let detail):
            return "\(plugin) \(detail)"
        case .closed, .writeFailed:
            return "\(plugin) closed the connection without answering"
        case .remote(let code, let message):
            return "\(plugin) answered with JSON-RPC error \(code): \(message)"
        }
    }

    /// Ends the session: a DELETE with its id (servers may refuse it with 405; that is fine).
    func stop() {
        let (already, session, channel): (Bool, String?, LegacySSEChannel?) = lock.withLock {
            defer { stopped = true }
            if failure == nil { failure = .http("was disconnected by loom") }
            return (stopped, sessionID, legacy)
        }
        channel?.end(.closed)
        guard !already, let session else { return }
        _ = perform(method: "DELETE", body: nil, session: session, timeout: 2, answering: nil)
    }

    // MARK: - Exchanges

    /// What one POST brought back.
    private struct Exchange {
        var answer: Result<JSONValue, RPCFailure>
        var sessionID: String?
    }

    private func post(_ message: JSONValue, answering id: Int?, timeout: Double) async -> Result<Exchange, RPCFailure> {
        let session = lock.withLock { sessionID }
        let body = Data(message.compactText.utf8)
        return await withCheckedContinuation { continuation in
            queue.async { [self] in
                continuation.resume(returning: perform(method: "POST", body: body, session: session, timeout: timeout,
                                                       answering: id))
            }
        }
    }

    /// Runs one HTTP exchange on the calling thread (libcurl's easy interface blocks). A `timeout` of 0
    /// is a standing stream: no deadline, ended when the session stops.
    /// `url` overrides the manifest's (the older transport's message endpoint); with `legacy`, the
    /// exchange is that transport's stream: its `endpoint` event and answers go to the channel.
    private func perform(method: String, body: Data?, session: String?, timeout: Double, answering id: Int?,
                         url: String? = nil, legacy: LegacySSEChannel? = nil) -> Result<Exchange, RPCFailure>
    {
        guard let handle = curl_easy_init() else { return .failure(.http("could not be reached: curl_easy_init failed")) }
        defer { curl_easy_cleanup(handle) }
        let standing = timeout == 0
        let state = HTTPExchangeState(handle: handle, answering: id, maxBytes: manifest.sandbox.maxOutputBytes,
                                      shouldAbort: standing ? { [weak self] in self?.isStopping ?? true } : { false }) {
            // The server may wait for this answer before it answers us (a ping during a call): send it now.
            [weak self] request in self?.answer(serverRequest: request, session: session)
        }
        if let legacy {
            let base = endpoint
            state.onAnswer = { legacy.deliver($0) }
            state.onControlEvent = { event in
                if event.type == "endpoint", let url = LegacySSEChannel.resolve(endpoint: event.data, against: base) {
                    legacy.setEndpoint(url)
                }
            }
        }
        let retained = Unmanaged.passRetained(state)
        defer { retained.release() }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        var lines = ["Content-Type: application/json", "Accept: application/json, text/event-stream",
                     "MCP-Protocol-Version: \(PluginSession.protocolVersion)"]
        if let session { lines.append("Mcp-Session-Id: \(session)") }
        for name in headers.keys.sorted() { lines.append("\(name): \(headers[name] ?? "")") }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines { list = curl_slist_append(list, line) }
        defer { curl_slist_free_all(list) }
        let milliseconds = standing ? 0 : max(1, Int(timeout * 1000))
        var codes: [CURLcode] = [
            loom_curl_setopt_string(handle, CURLOPT_URL, url ?? endpoint),
            loom_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
            loom_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0),
            loom_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            loom_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds),
            loom_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, standing ? 10_000 : min(milliseconds, 10_000)),
            loom_curl_setopt_string(handle, CURLOPT_PROXY, ""),
            loom_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method),
            loom_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            loom_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)),
            loom_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, retained.toOpaque()),
            loom_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, retained.toOpaque()),
        ]
        if standing {
            codes.append(loom_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
            codes.append(loom_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, retained.toOpaque()))
            codes.append(loom_curl_setopt_xferinfo_function(handle) { userdata, _, _, _, _ in
                guard let userdata else { return 1 }
                return Unmanaged<HTTPExchangeState>.fromOpaque(userdata).takeUnretainedValue().shouldAbort() ? 1 : 0
            })
        }
        let payload: [UInt8] = body.map { Array($0) + [0] } ?? []
        if body != nil {
            codes.append(loom_curl_setopt_long(handle, CURLOPT_POST, 1))
            codes.append(loom_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(payload.count - 1)))
        }
        codes.append(loom_curl_setopt_write_function(handle) { buffer, size, count, userdata in
            guard let userdata else { return 0 }
            let state = Unmanaged<HTTPExchangeState>.fromOpaque(userdata).takeUnretainedValue()
            return state.receive(UnsafeRawBufferPointer(start: buffer, count: size * count))
        })
        codes.append(loom_curl_setopt_header_function(handle) { buffer, size, count, userdata in
            guard let userdata else { return 0 }
            let state = Unmanaged<HTTPExchangeState>.fromOpaque(userdata).takeUnretainedValue()
            state.header(UnsafeRawBufferPointer(start: buffer, count: size * count))
            return size * count
        })
        let code: CURLcode = payload.withUnsafeBufferPointer { bytes in
            if body != nil {
                codes.append(loom_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS,
                                                      UnsafeMutableRawPointer(mutating: bytes.baseAddress)))
            }
            if let failed = codes.first(where: { $0 != CURLE_OK }) { return failed }
            return curl_easy_perform(handle)
        }
        var status = 0
        loom_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if (200..<300).contains(status) { state.finishJSON() }
        if let answer = state.answer { return .success(Exchange(answer: answer, sessionID: state.sessionID)) }
        if let stop = state.stop { return .failure(stop) }
        if code == CURLE_OPERATION_TIMEDOUT { return .failure(.timeout(seconds: timeout)) }
        if code != CURLE_OK {
            let detail = String(cString: errorBuffer)
            return .failure(.http("could not be reached: \(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)"))
        }
        let excerpt = String(decoding: state.body.prefix(200), as: UTF8.self)
        if status == 404 && session != nil {
            return .failure(.http("no longer knows session \(session ?? "") (HTTP 404); a new one is started for the next call"))
        }
        if status == 401 || status == 403 {
            let names = manifest.headers.keys.sorted().joined(separator: ", ")
            return .failure(.http("refused the request (HTTP \(status)): check the manifest's headers"
                + (names.isEmpty ? " (it sends none)" : " (\(names))") + "; the server said: \(excerpt)"))
        }
        guard (200..<300).contains(status) else {
            return .failure(.http("answered HTTP \(status): \(excerpt)"))
        }
        guard let id else { return .success(Exchange(answer: .success(.null), sessionID: state.sessionID)) }
        if state.isEventStream {
            return .failure(.http("ended its event stream without answering request \(id)"))
        }
        return .failure(.invalidMessage(excerpt: excerpt.isEmpty ? "an empty answer (HTTP \(status))" : excerpt))
    }

    /// Answers a request the server sent in its event stream: `ping` succeeds, anything else is
    /// "method not found" (Loom offers no sampling, roots or elicitation).
    private func answer(serverRequest: (id: JSONValue, method: String), session: String?) {
        let reply: JSONValue = serverRequest.method == "ping"
            ? ["jsonrpc": "2.0", "id": serverRequest.id, "result": [:]]
            : ["jsonrpc": "2.0", "id": serverRequest.id,
               "error": ["code": -32601, "message": .string("method not found: \(serverRequest.method)")]]
        let body = Data(reply.compactText.utf8)
        let url = lock.withLock { legacy?.endpoint }
        queue.async { [self] in _ = perform(method: "POST", body: body, session: session, timeout: 5, answering: nil, url: url) }
    }
}

/// The state of one HTTP exchange that libcurl's callbacks reach through their user-data pointer; used
/// only on the thread running `curl_easy_perform`.
final class HTTPExchangeState {
    private let handle: UnsafeMutableRawPointer
    private let id: Int?
    private let maxBytes: Int
    private var events: ServerSentEvents
    private var kindKnown = false

    /// The body of a JSON answer (or the start of an error page).
    private(set) var body: [UInt8] = []
    /// Whether the answer is an event stream.
    private(set) var isEventStream = false
    /// The `Mcp-Session-Id` response header.
    private(set) var sessionID: String?
    /// The answer to the request, once read.
    private(set) var answer: Result<JSONValue, RPCFailure>?
    /// Why the transfer was stopped early (too large, not JSON-RPC).
    private(set) var stop: RPCFailure?
    /// Called for each request the server sends in its stream (answered at once, on another thread).
    private let onServerRequest: ((id: JSONValue, method: String)) -> Void
    /// For a standing stream: whether to end it now (asked by libcurl's progress callback).
    let shouldAbort: () -> Bool
    /// For the older transport's stream: called with each answer in it (its requests were POSTed elsewhere).
    var onAnswer: (([String: JSONValue]) -> Void)?
    /// For the older transport's stream: called with each event that is not a `message` (`endpoint`).
    var onControlEvent: ((ServerSentEvents.Event) -> Void)?

    init(handle: UnsafeMutableRawPointer, answering id: Int?, maxBytes: Int, shouldAbort: @escaping () -> Bool = { false },
         onServerRequest: @escaping ((id: JSONValue, method: String)) -> Void) {
        self.handle = handle
        self.shouldAbort = shouldAbort
        self.onServerRequest = onServerRequest
        self.id = id
        self.maxBytes = maxBytes
        events = ServerSentEvents(maxEventBytes: maxBytes)
    }

    /// Header callback: one header line.
    func header(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        guard let colon = line.firstIndex(of: ":") else { return }
        if line[..<colon].lowercased() == "mcp-session-id" {
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            // Visible ASCII only (the spec's rule), so the id can go back into a header as is.
            if !value.isEmpty, value.count <= 256, value.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) {
                sessionID = value
            }
        }
    }

    /// Write callback: returns less than `bytes.count` to stop the transfer (answer read, limit, garbage).
    func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        if !kindKnown {
            kindKnown = true
            var value: UnsafeMutablePointer<CChar>?
            loom_curl_getinfo_string(handle, CURLINFO_CONTENT_TYPE, &value)
            let type = value.map { String(cString: $0) }?.lowercased() ?? ""
            var status = 0
            loom_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            isEventStream = (200..<300).contains(status) && type.hasPrefix("text/event-stream")
        }
        if isEventStream {
            do {
                for event in try events.feed(bytes) {
                    guard event.type == "message" else {
                        onControlEvent?(event)
                        continue
                    }
                    if !take(message: Array(event.data.utf8)) { return 0 }
                }
            } catch {
                stop = .flood(limit: maxBytes)
                return 0
            }
            return bytes.count
        }
        guard body.count + bytes.count <= maxBytes else {
            stop = .flood(limit: maxBytes)
            return 0
        }
        body.append(contentsOf: bytes)  // a JSON body is read whole at the end: `finishJSON()`
        return bytes.count
    }

    /// Handles one JSON-RPC message of the stream; false to stop the transfer.
    private func take(message bytes: [UInt8]) -> Bool {
        guard let message = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
            stop = .invalidMessage(excerpt: String(decoding: bytes.prefix(200), as: UTF8.self))
            return false
        }
        for item in message.arrayValue ?? [message] {
            guard let object = item.objectValue else {
                stop = .invalidMessage(excerpt: String(decoding: bytes.prefix(200), as: UTF8.self))
                return false
            }
            if let method = object["method"]?.stringValue {
                if let requestID = object["id"], requestID != .null { onServerRequest((requestID, method)) }
                continue
            }
            if let onAnswer {
                onAnswer(object)
                continue
            }
            if let found = Self.answer(in: object, to: id) {
                answer = found
                return false  // the answer is in: stop reading the stream
            }
        }
        return true
    }

    /// The result or error of `object` when it answers request `id`.
    static func answer(in object: [String: JSONValue], to id: Int?) -> Result<JSONValue, RPCFailure>? {
        guard let id, object["id"]?.intValue == id else { return nil }
        if let result = object["result"] { return .success(result) }
        if let error = object["error"]?.objectValue {
            return .failure(.remote(code: error["code"]?.intValue ?? 0, message: error["message"]?.stringValue ?? "unknown error"))
        }
        return .failure(.invalidMessage(excerpt: JSONValue.object(object).compactText.prefix(200).description))
    }

    /// After the transfer: reads a JSON body (one message or a batch) for the answer.
    func finishJSON() {
        guard !isEventStream, answer == nil, stop == nil, !body.isEmpty else { return }
        guard let message = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else { return }
        for item in message.arrayValue ?? [message] {
            guard let object = item.objectValue else { continue }
            if let found = Self.answer(in: object, to: id) { answer = found; return }
        }
    }
}
