import AgentCore
@testable import PluginHost
import XCTest

/// The stderr tail keeps the newest bytes in order, in storage of a fixed size.
final class TailBufferTests: XCTestCase {
    func testKeepsTheNewestBytesInOrderAcrossWraps() {
        var tail = TailBuffer(capacity: 5)
        XCTAssertEqual(tail.bytes, [])
        tail.append(contentsOf: [1, 2, 3])
        XCTAssertEqual(tail.bytes, [1, 2, 3])
        tail.append(contentsOf: [4, 5, 6, 7])
        XCTAssertEqual(tail.bytes, [3, 4, 5, 6, 7])
        tail.append(contentsOf: Array(10...30))
        XCTAssertEqual(tail.bytes, [26, 27, 28, 29, 30])
        tail.append(contentsOf: [31])
        XCTAssertEqual(tail.bytes, [27, 28, 29, 30, 31])
        XCTAssertEqual(tail.count, 5)
    }

    func testMatchesASuffixOfEverythingWrittenForSeededChunks() {
        var generator = SeededGenerator(seed: 18)
        var tail = TailBuffer(capacity: 64)
        var everything: [UInt8] = []
        for _ in 0..<500 {
            let chunk = (0..<Int.random(in: 0...150, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            tail.append(contentsOf: chunk)
            everything += chunk
            XCTAssertEqual(tail.bytes, Array(everything.suffix(64)))
        }
    }
}
