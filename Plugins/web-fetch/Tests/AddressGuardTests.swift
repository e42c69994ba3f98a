import Foundation
import MCP
import TestSupport
import XCTest

/// The SSRF guard and scheme limits, end to end over MCP against the local test server.
///
/// Every target here is on the loopback range, so a guard that failed would still send nothing off this
/// machine. "A public URL redirecting to loopback" is modelled by allow-listing the *name* `localhost` (so
/// the first hop, to a loopback address, is opened by name) and redirecting to the literal `127.0.0.1`,
/// which is not on the list: the second hop must be refused on its resolved address.
final class AddressGuardTests: XCTestCase {
    private func refusal(_ url: String, host: String, address: String, category: String) -> String {
        "refused \(url): host '\(host)' resolves to \(address), a \(category) address. "
            + "web-fetch does not fetch non-public addresses unless the host is allow-listed "
            + "(web-fetch: {allow_hosts: [...]} in Loom's config.yaml, or loom ask --allow-host HOST)"
    }

    private func redirect(_ server: FixtureServer, host: String = "127.0.0.1", to target: String) -> String {
        let query = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? target
        return "http://\(host):\(server.port)/to?url=\(query)"
    }

    func testLoopbackIsRefusedWithoutAllowList() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let plugin = try await startPlugin(allowHosts: nil)
        let result = try await plugin.fetch(server.base + "/page/article")
        await plugin.stop()
        XCTAssertTrue(result.isError)
        XCTAssertEqual(result.text, refusal(server.base + "/page/article", host: "127.0.0.1", address: "127.0.0.1",
                                            category: "loopback (127.0.0.0/8)"))
    }

    func testAllowListInConfigFileOpensAHost() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-web-fetch-config-\(getpid())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try "web-fetch:\n  allow_hosts: [127.0.0.1]\n".write(
            to: home.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let plugin = try await PluginProcess(executable: "web-fetch", environment: ["LOOM_HOME": home.path])
        let result = try await plugin.fetch(server.base + "/plain")
        await plugin.stop()
        XCTAssertFalse(result.isError, result.text)
        XCTAssertTrue(result.text.hasSuffix("line one\nline two\n\nline four"), result.text)
    }

    func testRedirectFromAllowedNameToLoopbackAddressIsRefused() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let plugin = try await startPlugin(allowHosts: "localhost")
        // The name is allowed: the first hop connects.
        let direct = try await plugin.fetch("http://localhost:\(server.port)/plain")
        XCTAssertFalse(direct.isError, direct.text)
        // Its redirect to the literal loopback address is refused at the second hop.
        let target = server.base + "/page/article"
        let result = try await plugin.fetch(redirect(server, host: "localhost", to: target))
        await plugin.stop()
        XCTAssertTrue(result.isError)
        XCTAssertEqual(result.text, refusal(target, host: "127.0.0.1", address: "127.0.0.1",
                                            category: "loopback (127.0.0.0/8)"))
    }

    func testRedirectsToOtherNonPublicAddressesAreRefused() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let plugin = try await startPlugin(allowHosts: "127.0.0.1")
        let port = server.port
        let cases: [(target: String, host: String, address: String, category: String)] = [
            ("http://127.0.0.2:\(port)/", "127.0.0.2", "127.0.0.2", "loopback (127.0.0.0/8)"),
            ("http://[::1]:\(port)/", "::1", "::1", "loopback (::1)"),
            ("http://[::ffff:127.0.0.1]:\(port)/", "::ffff:127.0.0.1", "::ffff:127.0.0.1",
             "loopback (127.0.0.0/8) (inside IPv6 ::ffff:127.0.0.1)"),
            ("http://0.0.0.0:\(port)/", "0.0.0.0", "0.0.0.0", "'this network' (0.0.0.0/8)"),
        ]
        for item in cases {
            let result = try await plugin.fetch(redirect(server, to: item.target))
            XCTAssertTrue(result.isError, item.target)
            XCTAssertEqual(result.text, refusal(item.target, host: item.host, address: item.address,
                                                category: item.category))
        }
        await plugin.stop()
    }

    func testNonHTTPSchemesAreRefused() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let plugin = try await startPlugin(allowHosts: "127.0.0.1")
        let direct: [(url: String, scheme: String)] = [
            ("file:///etc/passwd", "file"), ("ftp://127.0.0.1:\(server.port)/", "ftp"),
            ("gopher://127.0.0.1:\(server.port)/", "gopher"), ("dict://127.0.0.1:\(server.port)/", "dict"),
        ]
        for item in direct {
            let result = try await plugin.fetch(item.url)
            XCTAssertTrue(result.isError)
            XCTAssertEqual(result.text, "refused \(item.url): scheme '\(item.scheme)' is not allowed; "
                           + "web-fetch fetches only http and https URLs")
        }
        let viaRedirect = try await plugin.fetch(redirect(server, to: "file:///etc/passwd"))
        await plugin.stop()
        XCTAssertTrue(viaRedirect.isError)
        XCTAssertEqual(viaRedirect.text, "refused file:///etc/passwd: scheme 'file' is not allowed; "
                       + "web-fetch fetches only http and https URLs")
    }
}
