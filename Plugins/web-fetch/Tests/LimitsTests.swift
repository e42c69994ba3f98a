import Foundation
import MCP
import TestSupport
import XCTest

/// Time and size limits, paging and argument checking, end to end over MCP.
final class LimitsTests: XCTestCase {
    func testStallingServerTimesOut() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let plugin = try await startPlugin(allowHosts: "127.0.0.1", extra: ["LOOM_WEB_FETCH_TIMEOUT_SECONDS": "1"])
        let started = Date()
        let result = try await plugin.fetch(server.base + "/stall")
        let elapsed = Date().timeIntervalSince(started)
        await plugin.stop()
        XCTAssertTrue(result.isError)
        XCTAssertEqual(result.text, "timed out fetching \(server.base)/stall after 1 s")
        XCTAssertLessThan(elapsed, 5, "the 1 s limit should end the call well before the server's 30 s stall")
    }

    func testFiftyMegabyteBodyStopsAtTheByteCap() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let cap = 1_048_576
        let plugin = try await startPlugin(allowHosts: "127.0.0.1", extra: ["LOOM_WEB_FETCH_MAX_BYTES": String(cap)])
        let started = Date()
        let page = try await plugin.fetchStructured(server.base + "/big", maxChars: 100, startIndex: 0)
        let elapsed = Date().timeIntervalSince(started)
        let peakKiB = childPeakMemoryKiB(named: "web-fetch")
        let text = try await plugin.fetch(server.base + "/big", maxChars: 64)
        await plugin.stop()

        XCTAssertEqual(page["body_bytes"], .int(cap))
        XCTAssertEqual(page["body_truncated"], .bool(true))
        XCTAssertEqual(page["total_chars"], .int(cap - 1), "the final line break of plain text is dropped")
        XCTAssertLessThan(elapsed, 10, "the transfer must stop at the cap, not read 50 MB")
        XCTAssertEqual(text.text, """
            URL: \(server.base)/big
            Status: 200
            Content-Type: text/plain
            Note: the body is larger than 1048576 bytes; only the first 1048576 bytes were read.
            Characters: 0–64 of 1048575

            \(String(repeating: "x", count: 63))

            …truncated, continue at 64 (call fetch again with start_index=64; 1048575 characters in all)
            """)
        let peak = try XCTUnwrap(peakKiB, "plugin process not found in /proc")
        print("web-fetch peak memory after a 50 MB body with a 1 MiB cap: \(peak) KiB")
        XCTAssertLessThan(peak, 48 * 1024, "peak memory \(peak) KiB: the 50 MB body must not be buffered")
    }

    func testCompressedBombStopsAtTheCapOnDecodedBytes() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let cap = 262_144
        let plugin = try await startPlugin(allowHosts: "127.0.0.1", extra: ["LOOM_WEB_FETCH_MAX_BYTES": String(cap)])
        let page = try await plugin.fetchStructured(server.base + "/gzip-bomb", maxChars: 10, startIndex: 0)
        await plugin.stop()
        XCTAssertEqual(page["body_bytes"], .int(cap))
        XCTAssertEqual(page["body_truncated"], .bool(true))
        XCTAssertEqual(page["text"], .string("aaaaaaaaaa"))
    }

    func testLongPageIsReadInPagesThatJoinUp() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let plugin = try await startPlugin(allowHosts: "127.0.0.1")
        let url = server.base + "/page/article"
        let whole = try await plugin.fetchStructured(url, maxChars: 100_000, startIndex: 0)
        guard case .string(let full)? = whole["text"], case .int(let total)? = whole["total_chars"] else {
            return XCTFail("no text in \(whole)")
        }
        XCTAssertNil(whole["next_start_index"])
        var joined = ""
        var start = 0
        var pages = 0
        while true {
            let page = try await plugin.fetchStructured(url, maxChars: 200, startIndex: start)
            guard case .string(let text)? = page["text"], case .int(let end)? = page["end_index"] else {
                return XCTFail("no text in \(page)")
            }
            XCTAssertLessThanOrEqual(text.count, 200)
            joined += text
            pages += 1
            guard case .int(let next)? = page["next_start_index"] else { break }
            XCTAssertEqual(next, end)
            start = next
        }
        XCTAssertEqual(joined, full)
        XCTAssertEqual(joined.count, total)
        XCTAssertGreaterThan(pages, 3)

        let first = try await plugin.fetch(url, maxChars: 300)
        let firstPage = try await plugin.fetchStructured(url, maxChars: 300, startIndex: 0)
        guard case .int(let next)? = firstPage["next_start_index"] else { return XCTFail("no next index") }
        XCTAssertTrue(first.text.hasSuffix("\n\n…truncated, continue at \(next) (call fetch again with "
                                           + "start_index=\(next); \(total) characters in all)"), first.text)
        let past = try await plugin.fetch(url, startIndex: total)
        await plugin.stop()
        XCTAssertTrue(past.isError)
        XCTAssertEqual(past.text, "argument 'start_index' is \(total), past the end of the text (\(total) characters)")
    }

    func testBadArgumentsAreExplained() async throws {
        let plugin = try await startPlugin(allowHosts: "127.0.0.1")
        let missing = try await plugin.call("fetch", [:])
        XCTAssertTrue(missing.isError)
        XCTAssertEqual(missing.text, "missing required argument 'url'")
        let zero = try await plugin.fetch("http://127.0.0.1:1/", maxChars: 0)
        XCTAssertEqual(zero.text, "argument 'max_chars' must be between 1 and 100000, got 0")
        let negative = try await plugin.fetch("http://127.0.0.1:1/", startIndex: -1)
        XCTAssertEqual(negative.text, "argument 'start_index' must be 0 or more, got -1")
        let notURL = try await plugin.fetch("not a url")
        XCTAssertTrue(notURL.isError)
        XCTAssertTrue(notURL.text.hasPrefix("'not a url' is not a valid URL: "), notURL.text)
        let refused = try await plugin.fetch("http://127.0.0.1:1/")
        await plugin.stop()
        XCTAssertTrue(refused.isError)
        XCTAssertTrue(refused.text.hasPrefix("could not fetch http://127.0.0.1:1/: "), refused.text)
    }

    /// Reports the end-to-end latency of fetching the article page from the local server (20 calls).
    func testFetchLatencyFromLocalServer() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let plugin = try await startPlugin(allowHosts: "127.0.0.1")
        let expected = try await plugin.fetch(server.base + "/page/article")
        var durations: [Double] = []
        for _ in 0..<20 {
            let started = Date()
            let result = try await plugin.fetch(server.base + "/page/article")
            durations.append(Date().timeIntervalSince(started) * 1000)
            XCTAssertEqual(result.text, expected.text)
        }
        await plugin.stop()
        durations.sort()
        print(String(format: "web-fetch latency (article page, MCP round trip, 20 calls): p50 %.2f ms, p90 %.2f ms",
                     durations[10], durations[18]))
    }
}
