import Foundation
import MCP
import TestSupport
import XCTest

/// The `fetch` tool end to end: the built plugin over MCP against a real HTTP server on 127.0.0.1.
final class FetchToolTests: XCTestCase {
    /// Runs `body` with a fresh test server and plugin, stopping both afterwards.
    private func withFixture(allowHosts: String? = "127.0.0.1", extra: [String: String] = [:],
                             _ body: (FixtureServer, PluginProcess) async throws -> Void) async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let plugin = try await startPlugin(allowHosts: allowHosts, extra: extra)
        do {
            try await body(server, plugin)
        } catch {
            await plugin.stop()
            throw error
        }
        await plugin.stop()
    }

    /// Fetches `path` from a fresh fixture and asserts a success whose whole text equals `expected/<name>`.
    private func checkPage(_ path: String, expected name: String,
                           file: StaticString = #filePath, line: UInt = #line) async throws {
        try await withFixture { server, plugin in
            let result = try await plugin.fetch(server.base + path, maxChars: 100_000)
            XCTAssertFalse(result.isError, result.text, file: file, line: line)
            XCTAssertEqual(result.text, try server.expected(name), file: file, line: line)
        }
    }

    /// Fetches `path` from a fresh fixture and asserts an error whose text is `message(base URL)`.
    private func checkError(_ path: String, _ message: (String) -> String,
                            file: StaticString = #filePath, line: UInt = #line) async throws {
        try await withFixture { server, plugin in
            let result = try await plugin.fetch(server.base + path)
            XCTAssertTrue(result.isError, result.text, file: file, line: line)
            XCTAssertEqual(result.text, message(server.base), file: file, line: line)
        }
    }

    // MARK: Pages

    func testArticlePageBecomesMarkdownWithoutBoilerplate() async throws {
        try await checkPage("/page/article", expected: "article.txt")
    }

    func testTablePageBecomesMarkdownTables() async throws {
        try await checkPage("/page/table", expected: "table.txt")
    }

    func testMalformedHTMLIsRepairedAsABrowserWould() async throws {
        try await checkPage("/page/malformed", expected: "malformed.txt")
    }

    /// The article's expected text as served from another path: relative links resolve against that path.
    private func article(servedAt path: String, server: FixtureServer) throws -> String {
        try server.expected("article.txt")
            .replacingOccurrences(of: "URL: \(server.base)/page/article\n", with: "URL: \(server.base)\(path)\n")
            .replacingOccurrences(of: "(\(server.base)/page/cylinder.html)", with: "(\(server.base)/cylinder.html)")
    }

    func testGzipBodyIsRequestedAndDecoded() async throws {
        try await withFixture { server, plugin in
            let gzipped = try await plugin.fetch(server.base + "/gzip", maxChars: 100_000)
            XCTAssertFalse(gzipped.isError, gzipped.text)
            XCTAssertEqual(gzipped.text, try article(servedAt: "/gzip", server: server))
        }
    }

    func testUndeclaredHTMLIsSniffed() async throws {
        try await withFixture { server, plugin in
            let untyped = try await plugin.fetch(server.base + "/untyped", maxChars: 100_000)
            XCTAssertFalse(untyped.isError, untyped.text)
            let expected = try article(servedAt: "/untyped", server: server)
                .replacingOccurrences(of: "Content-Type: text/html; charset=utf-8", with: "Content-Type: (not sent)")
            XCTAssertEqual(untyped.text, expected)
        }
    }

    func testLatin1DeclaredInHeaderIsConverted() async throws {
        try await checkPage("/latin1", expected: "latin1.txt")
    }

    func testWindows1252DeclaredInMetaIsConverted() async throws {
        try await checkPage("/cp1252-meta", expected: "cp1252-meta.txt")
    }

    func testJSONIsPrettyPrintedInOrder() async throws {
        try await checkPage("/data.json", expected: "data.json.txt")
    }

    func testPlainTextPassesThrough() async throws {
        try await checkPage("/plain", expected: "plain.txt")
    }

    func testRequestNamesLoomAndAcceptsCompression() async throws {
        try await withFixture { server, plugin in
            let result = try await plugin.fetch(server.base + "/headers")
            XCTAssertFalse(result.isError, result.text)
            XCTAssertTrue(result.text.contains("\nUser-Agent: Loom/0.1 (+web-fetch)\n"), result.text)
            let encodings = result.text.components(separatedBy: "Accept-Encoding: ").last ?? ""
            XCTAssertTrue(encodings.contains("gzip") && encodings.contains("deflate"), result.text)
        }
    }

    // MARK: Refused content

    func testImageIsRefusedNamingItsType() async throws {
        try await checkError("/image.png") { base in
            "refused \(base)/image.png: content type 'image/png' is binary, not text web-fetch can read"
        }
    }

    func testUndeclaredBinaryIsRefused() async throws {
        try await checkError("/octet") { base in
            "refused \(base)/octet: content type 'undeclared binary data' is binary, not text web-fetch can read"
        }
    }

    func testHTTPErrorStatusesAreErrorsWithTheirPageText() async throws {
        try await withFixture { server, plugin in
            for status in [404, 500] {
                let result = try await plugin.fetch(server.base + "/status/\(status)")
                XCTAssertTrue(result.isError)
                XCTAssertEqual(result.text, "HTTP status \(status) from \(server.base)/status/\(status) "
                               + "(text/html; charset=utf-8)\n\n# Error \(status)\n\nThe server says no.")
            }
        }
    }

    // MARK: Redirects

    func testRedirectChainIsFollowed() async throws {
        try await withFixture { server, plugin in
            let direct = try await plugin.fetch(server.base + "/page/article", maxChars: 100_000)
            for hops in [1, 3, 5] {
                let redirected = try await plugin.fetch(server.base + "/redirect/\(hops)", maxChars: 100_000)
                XCTAssertFalse(redirected.isError, redirected.text)
                XCTAssertEqual(redirected.text, direct.text, "after \(hops) redirects")
            }
        }
    }

    func testMoreThanFiveRedirectsAreRefused() async throws {
        try await checkError("/redirect/6") { base in "stopped at \(base)/redirect/1: more than 5 redirects" }
    }

    func testRedirectWithoutLocationIsAnError() async throws {
        try await checkError("/no-location") { base in
            "\(base)/no-location answered with redirect status 302 but no usable Location header"
        }
    }
}
