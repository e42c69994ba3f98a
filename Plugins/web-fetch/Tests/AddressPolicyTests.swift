@testable import web_fetch
import XCTest

/// Address classification and the allow-list, checked in-process (no traffic).
final class AddressPolicyTests: XCTestCase {
    func testNonPublicAddressesAreClassified() throws {
        let cases: [(String, String?)] = [
            ("127.0.0.1", "loopback (127.0.0.0/8)"),
            ("127.255.0.9", "loopback (127.0.0.0/8)"),
            ("10.1.2.3", "private (10.0.0.0/8)"),
            ("172.16.0.1", "private (172.16.0.0/12)"),
            ("172.31.255.255", "private (172.16.0.0/12)"),
            ("172.32.0.1", nil),
            ("192.168.1.1", "private (192.168.0.0/16)"),
            ("169.254.169.254", "link-local (169.254.0.0/16)"),
            ("100.64.0.1", "carrier-grade NAT (100.64.0.0/10)"),
            ("100.127.255.255", "carrier-grade NAT (100.64.0.0/10)"),
            ("100.128.0.1", nil),
            ("0.0.0.0", "'this network' (0.0.0.0/8)"),
            ("0.1.2.3", "'this network' (0.0.0.0/8)"),
            ("224.0.0.1", "multicast (224.0.0.0/4)"),
            ("239.255.255.250", "multicast (224.0.0.0/4)"),
            ("255.255.255.255", "broadcast (255.255.255.255)"),
            ("8.8.8.8", nil),
            ("93.184.216.34", nil),
            ("::1", "loopback (::1)"),
            ("::", "unspecified (::)"),
            ("fc00::1", "unique local (fc00::/7)"),
            ("fd12:3456::1", "unique local (fc00::/7)"),
            ("fe80::1", "link-local (fe80::/10)"),
            ("fe80::1%eth0", "link-local (fe80::/10)"),
            ("ff02::1", "multicast (ff00::/8)"),
            ("::ffff:10.0.0.1", "private (10.0.0.0/8) (inside IPv6 ::ffff:10.0.0.1)"),
            ("::ffff:169.254.169.254", "link-local (169.254.0.0/16) (inside IPv6 ::ffff:169.254.169.254)"),
            ("::ffff:8.8.8.8", nil),
            ("64:ff9b::a00:1", "private (10.0.0.0/8) (inside IPv6 64:ff9b::a00:1)"),
            ("2002:7f00:1::", "loopback (127.0.0.0/8) (inside IPv6 2002:7f00:1::)"),
            ("2001:db8::1", "documentation (2001:db8::/32)"),
            ("2606:4700:4700::1111", nil),
        ]
        for (text, category) in cases {
            let address = try XCTUnwrap(IPAddress(text), text)
            XCTAssertEqual(address.nonPublicCategory, category, text)
        }
    }

    func testAddressesParseAndPrintCanonically() {
        XCTAssertEqual(IPAddress("::0001")?.description, "::1")
        XCTAssertEqual(IPAddress("2001:DB8:0:0:0:0:0:1")?.description, "2001:db8::1")
        XCTAssertEqual(IPAddress("1:0:0:2:0:0:0:3")?.description, "1:0:0:2::3")
        XCTAssertEqual(IPAddress("::ffff:7f00:1")?.description, "::ffff:127.0.0.1")
        XCTAssertEqual(IPAddress("192.0.2.1")?.bytes, [192, 0, 2, 1])
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01234.1.1.1", ":::", "1::2::3",
                    "12345::", "g::1", "1:2:3:4:5:6:7:8:9", "example.org", "1.2.3.4:80"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
        XCTAssertNil(IPAddress(bytes: [1, 2, 3]))
    }

    func testAllowListOpensHostsByNameOrAddress() throws {
        let loopback = try XCTUnwrap(IPAddress("127.0.0.1"))
        let public4 = try XCTUnwrap(IPAddress("8.8.8.8"))
        let none = AddressPolicy(allowedHosts: [])
        XCTAssertEqual(none.verdict(host: "127.0.0.1", address: loopback), .refused(category: "loopback (127.0.0.0/8)"))
        XCTAssertEqual(none.verdict(host: "example.org", address: public4), .allowed)

        let byName = AddressPolicy(allowedHosts: [" LocalHost. "])
        XCTAssertEqual(byName.verdict(host: "localhost", address: loopback), .allowed)
        XCTAssertEqual(byName.verdict(host: "127.0.0.1", address: loopback), .refused(category: "loopback (127.0.0.0/8)"))
        // A different name that resolves (or rebinds) to loopback stays refused.
        XCTAssertEqual(byName.verdict(host: "rebind.example", address: loopback),
                       .refused(category: "loopback (127.0.0.0/8)"))

        let byAddress = AddressPolicy(allowedHosts: ["127.0.0.1", "[::1]", ""])
        XCTAssertEqual(byAddress.allowedHosts, ["127.0.0.1", "::1"])
        XCTAssertEqual(byAddress.verdict(host: "localhost", address: loopback), .allowed)
        XCTAssertEqual(byAddress.verdict(host: "::1", address: try XCTUnwrap(IPAddress("::1"))), .allowed)
        XCTAssertEqual(byAddress.verdict(host: "127.0.0.2", address: try XCTUnwrap(IPAddress("127.0.0.2"))),
                       .refused(category: "loopback (127.0.0.0/8)"))
    }

    func testSettingsReadConfigFileAndEnvironment() throws {
        XCTAssertEqual(Settings.configAllowHosts(yaml: "web-fetch: {allow_hosts: [127.0.0.1, localhost]}\n"),
                       ["127.0.0.1", "localhost"])
        XCTAssertEqual(Settings.configAllowHosts(yaml: "model: x\nweb-fetch:\n  allow_hosts:\n    - intranet.local\n"),
                       ["intranet.local"])
        // The last three trap Yams.load: a sequence as a key, a key given twice, an overflowing base-60 integer.
        for bad in ["", "web-fetch: [1, 2]", "web-fetch: {allow_hosts: 127.0.0.1}", ": : :\n  - [", "other: {}",
                    "? [a, b]\n: c\n", "web-fetch: {allow_hosts: [x]}\nweb-fetch: {allow_hosts: [y]}\n",
                    "web-fetch: {allow_hosts: -959554:4:4:54:4:54:4:4:54:4:4:8}"] {
            XCTAssertEqual(Settings.configAllowHosts(yaml: bad), [], bad)
        }

        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-web-fetch-settings-\(getpid())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try "web-fetch: {allow_hosts: [intranet.local]}\n".write(
            to: home.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        let settings = Settings.load(environment: [
            "LOOM_HOME": home.path, "LOOM_WEB_FETCH_ALLOW_HOSTS": "127.0.0.1, ,localhost",
            "LOOM_WEB_FETCH_TIMEOUT_SECONDS": "2.5", "LOOM_WEB_FETCH_MAX_BYTES": "1000",
        ])
        XCTAssertEqual(settings.allowHosts, ["intranet.local", "127.0.0.1", "localhost"])
        XCTAssertEqual(settings.totalTimeout, 2.5)
        XCTAssertEqual(settings.connectTimeout, 2.5)
        XCTAssertEqual(settings.maxBytes, 1000)

        let defaults = Settings.load(environment: ["LOOM_HOME": home.appendingPathComponent("missing").path,
                                                   "LOOM_WEB_FETCH_TIMEOUT_SECONDS": "-1",
                                                   "LOOM_WEB_FETCH_MAX_BYTES": "lots"])
        XCTAssertEqual(defaults, Settings())
    }
}
