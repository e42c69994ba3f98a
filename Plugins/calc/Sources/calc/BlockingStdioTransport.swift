import Foundation
import Logging
import MCP

/// An MCP transport over stdin/stdout (one JSON message per line) whose reader is a dedicated thread
/// blocked in read(2).
///
/// swift-sdk 0.12.1's `StdioTransport` sets stdin non-blocking and polls it with 10 ms sleeps, which
/// adds up to 10 ms to every request; this reader hands a line on as soon as it arrives.
actor BlockingStdioTransport: Transport {
    /// Required by `Transport`; the plugin logs nothing through it.
    nonisolated let logger = Logger(label: "loom.calc.transport")
    private let input: Int32
    private let output: Int32
    private let messages: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private var started = false

    /// A transport reading `input` and writing `output` (stdin and stdout by default).
    init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.input = input
        self.output = output
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    /// Starts the reader thread.
    func connect() async throws {
        guard !started else { return }
        started = true
        let input = self.input
        let continuation = self.continuation
        let reader = Thread {
            Self.readLines(from: input) { continuation.yield(Data($0)) }
            continuation.finish()
        }
        reader.name = "calc-stdin"
        reader.start()
    }

    /// Ends the message stream (the reader thread ends at end of input).
    func disconnect() async {
        continuation.finish()
    }

    /// Writes one message and a newline.
    func send(_ data: Data) async throws {
        var message = [UInt8](data)
        message.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < message.count {
            let written = message[offset...].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    var ready = pollfd(fd: output, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, 1000)
                    continue
                }
                throw MCPError.internalError("writing to stdout failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// The incoming messages, one per line.
    nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> {
        messages
    }

    /// Reads `fd` until end of input, calling `deliver` with each non-empty line (without its newline).
    static func readLines(from fd: Int32, deliver: ([UInt8]) -> Void) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&ready, 1, -1)
                    continue
                }
                return
            }
            if count == 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if newline > start { deliver(Array(pending[start..<newline])) }
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { deliver(pending) }
    }
}
