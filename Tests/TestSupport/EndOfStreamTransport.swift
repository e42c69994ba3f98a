import Foundation
import Logging
import MCP
import PluginKit

/// A client-side transport over a plugin's pipes whose message stream ends with an error when the plugin
/// closes its output.
///
/// swift-sdk 0.12.1's `Client` re-reads a stream that finished without an error in a loop that never
/// sleeps, so a plugin that exits would leave a task spinning on both cores; ending with an error stops
/// that loop.
public actor EndOfStreamTransport: Transport {
    public nonisolated let logger = Logger(label: "loom.tests.plugin-client")
    private let base: StdioLineTransport

    /// A transport reading `input` and writing `output`.
    public init(input: Int32, output: Int32) {
        base = StdioLineTransport(input: input, output: output)
    }

    public func connect() async throws { try await base.connect() }

    public func disconnect() async { await base.disconnect() }

    public func send(_ data: Data) async throws { try await base.send(data) }

    public nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> {
        let upstream = base.receive()
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await message in upstream { continuation.yield(message) }
                    continuation.finish(throwing: MCPError.connectionClosed)
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
