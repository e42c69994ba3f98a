import AgentCore

/// How a `PluginSession` exchanges JSON-RPC messages with an MCP server: over a sandboxed child
/// process's stdio (`ProcessTransport`) or over HTTP (`HTTPTransport`, MCP's Streamable HTTP transport).
///
/// Both enforce the manifest's limits themselves — the wall-clock deadline of each request and
/// `max_output_bytes` per answer — and report every problem as an `RPCFailure`, never by throwing.
protocol PluginTransport: AnyObject, Sendable {
    /// Sends a request and waits for its result, a JSON-RPC error, the deadline or the end of the transport.
    func request(_ method: String, params: JSONValue, timeout: Double) async -> Result<JSONValue, RPCFailure>

    /// Sends a notification (no answer expected); returns once it was handed over.
    func notify(_ method: String, params: JSONValue?) async

    /// Whether requests can still be carried (the process runs, the session was not ended).
    var isOpen: Bool { get }

    /// The server process's wait status once it has exited (nil while it runs, and for HTTP servers).
    var exitStatus: Int32? { get }

    /// After a request failed: stops the server if the failure leaves it unusable, gathers what explains
    /// it (exit status, stderr, HTTP status) and returns one sentence for the model and the user.
    ///
    /// - Parameter atStart: the failure happened during the handshake (adds start-up diagnostics).
    func explain(_ failure: RPCFailure, atStart: Bool) -> String

    /// Ends the transport and frees what it holds on the host (process, temp dir, cgroup, HTTP session).
    func stop()
}

/// Why a JSON-RPC request to a plugin did not produce a result.
enum RPCFailure: Error, Equatable, Sendable {
    /// No answer within the wall-clock limit.
    case timeout(seconds: Double)
    /// The plugin wrote more than its `max_output_bytes` while a call was pending.
    case flood(limit: Int)
    /// The plugin wrote something that is not a JSON-RPC message.
    case invalidMessage(excerpt: String)
    /// The plugin closed its stdout (exited, crashed or was killed), or an HTTP server its connection.
    case closed
    /// The plugin answered with a JSON-RPC error object.
    case remote(code: Int, message: String)
    /// Writing the request to the plugin's stdin failed.
    case writeFailed
    /// An HTTP server could not be reached or answered with an HTTP error (the sentence says which).
    case http(String)
}
