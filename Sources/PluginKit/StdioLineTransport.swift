import Foundation
import Logging
import MCP

/// MCP's stdio transport without polling: a dedicated thread blocks in `read(2)` on stdin and hands each
/// line to the server the moment it arrives; replies are written to stdout with blocking writes.
///
/// swift-sdk 0.12.1's `StdioTransport` makes stdin non-blocking and sleeps 10 ms whenever it is empty,
/// which adds up to 10 ms to every request. `PluginServer.run()` uses this transport instead.
public actor StdioLineTransport: Transport {
    /// Required by `Transport`; nothing is logged through it (stdout carries only protocol messages).
    public nonisolated let logger = Logger(label: "loom.plugin.stdio")
    private let input: Int32
    private let output: Int32
    private let lines: AsyncThrowingStream<Data, Swift.Error>
    private let sink: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private var reading = false

    /// A transport over `input` (stdin) and `output` (stdout).
    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.input = input
        self.output = output
        (lines, sink) = AsyncThrowingStream.makeStream()
    }

    /// Starts the reader thread; the message stream ends at end of input.
    public func connect() async throws {
        if reading { return }
        reading = true
        let (fd, sink) = (input, self.sink)
        let thread = Thread {
            var splitter = LineSplitter()
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                splitter.append(chunk[0..<count]) { sink.yield(Data($0)) }
            }
            splitter.finish { sink.yield(Data($0)) }
            sink.finish()
        }
        thread.name = "plugin-stdin"
        thread.start()
    }

    /// Ends the message stream.
    public func disconnect() async { sink.finish() }

    /// Writes one message followed by a newline.
    public func send(_ data: Data) async throws {
        var bytes = [UInt8](data)
        bytes.append(0x0A)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
            if written >= 0 {
                offset += written
            } else if errno != EINTR {
                throw MCPError.internalError("cannot write to stdout: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The incoming messages, one per line.
    public nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> { lines }
}

/// Splits a byte stream into newline-terminated lines, dropping empty ones.
struct LineSplitter {
    private var pending: [UInt8] = []

    /// Adds bytes and delivers every line they complete.
    mutating func append(_ bytes: ArraySlice<UInt8>, deliver: ([UInt8]) -> Void) {
        pending.append(contentsOf: bytes)
        var start = 0
        while let end = pending[start...].firstIndex(of: 0x0A) {
            if end > start { deliver(Array(pending[start..<end])) }
            start = end + 1
        }
        pending.removeFirst(start)
    }

    /// Delivers a last line that had no newline.
    mutating func finish(deliver: ([UInt8]) -> Void) {
        if !pending.isEmpty { deliver(pending) }
        pending.removeAll()
    }
}
