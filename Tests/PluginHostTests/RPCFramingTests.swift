@testable import PluginHost
import AgentCore
import XCTest

/// The JSON-RPC line reader on its own: lines across chunk boundaries, the line limit, and how each line
/// reads (fuzz-rpc checks the same properties on arbitrary bytes).
final class RPCFramingTests: XCTestCase {
    private func split(_ text: String, chunk: Int, limit: Int = 1 << 20) -> (lines: [String], outcome: RPCLineSplitter.Outcome, rest: String) {
        var splitter = RPCLineSplitter(maxLineBytes: limit)
        let bytes = Array(text.utf8)
        var lines: [String] = []
        var outcome = RPCLineSplitter.Outcome.more
        for start in stride(from: 0, to: bytes.count, by: chunk) where outcome == .more {
            outcome = bytes[start..<min(start + chunk, bytes.count)].withUnsafeBufferPointer { buffer in
                splitter.append(buffer) { line in
                    lines.append(String(decoding: line, as: UTF8.self))
                    return line != Array("stop".utf8)
                }
            }
        }
        return (lines, outcome, String(decoding: splitter.partial, as: UTF8.self))
    }

    func testLinesSurviveAnyChunking() {
        for chunk in [1, 2, 3, 7, 64] {
            let result = split("{\"a\":1}\n\n{\"b\":2}\r\npartial", chunk: chunk)
            XCTAssertEqual(result.lines, ["{\"a\":1}", "", "{\"b\":2}\r"], "chunk \(chunk)")
            XCTAssertEqual(result.outcome, .more)
            XCTAssertEqual(result.rest, "partial")
        }
    }

    func testStopAndFlood() {
        XCTAssertEqual(split("a\nstop\nb\n", chunk: 4).lines, ["a", "stop"])
        XCTAssertEqual(split("a\nstop\nb\n", chunk: 4).outcome, .stopped)
        let flood = split("short\n" + String(repeating: "x", count: 100), chunk: 16, limit: 40)
        XCTAssertEqual(flood.outcome, .flood)
        XCTAssertEqual(flood.lines, ["short"])
    }

    func testMessages() {
        func read(_ text: String) -> RPCMessage { RPCMessage(line: Array(text.utf8)) }
        XCTAssertEqual(read(" \t\r"), .blank)
        XCTAssertEqual(read(#"{"jsonrpc":"2.0","method":"notifications/message"}"#), .notification(method: "notifications/message"))
        XCTAssertEqual(read(#"{"jsonrpc":"2.0","id":"x","method":"ping"}"#), .request(id: "x", method: "ping"))
        XCTAssertEqual(read(#"{"jsonrpc":"2.0","id":3,"result":{"ok":true}}"#), .result(id: 3, ["ok": true]))
        XCTAssertEqual(read(#"{"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"no"}}"#),
                       .error(id: 4, code: -32601, message: "no"))
        XCTAssertEqual(read(#"{"jsonrpc":"2.0","id":"s","result":{}}"#), .invalid(excerpt: #"{"jsonrpc":"2.0","id":"s","result":{}}"#))
        XCTAssertEqual(read("[1,2]"), .invalid(excerpt: "[1,2]"))
        XCTAssertEqual(read(String(repeating: "z", count: 300)), .invalid(excerpt: String(repeating: "z", count: 200) + "..."))
    }
}
