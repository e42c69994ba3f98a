import Foundation
import TestSupport
import XCTest

/// `loom plugins test` prints a real plugin's text with its control characters as visible escapes.
final class PluginsCommandTests: XCTestCase {
    func testPluginTextCannotDriveTheTerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") else {
            try TestModels.requirement("bubblewrap (/usr/bin/bwrap) is required to run plugins")
            return
        }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-plugins-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let probe = Repository.root.appendingPathComponent("Tests/PluginHostTests/Fixtures/probe.py").path
        let manifest = home.appendingPathComponent("manifest.json")
        try Data(#"{"name": "probe", "version": "1.0", "command": ["\#(probe)"]}"#.utf8).write(to: manifest)
        let cli = CLIRunner(environment: ["LOOM_HOME": home.path])
        let added = try cli.run(["plugins", "add", manifest.path])
        XCTAssertEqual(added.status, 0, added.stderr)

        let hostile = #"{"text": "\u001b]0;pwned\u0007title \u001b[31mred\u0000 \u009b2J\nline two"}"#
        let output = try cli.run(["plugins", "test", "probe", "echo", "--args", hostile])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertFalse(output.stdout.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) },
                       output.stdout)
        XCTAssertTrue(output.stdout.hasPrefix(#"\x1b]0;pwned\x07title \x1b[31mred\x00 \x9b2J"# + "\nline two\n-- ok, "),
                      output.stdout)

        let json = try cli.run(["plugins", "test", "probe", "echo", "--json", "--args", hostile])
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertTrue(json.stdout.contains(#"\u001b]0;pwned"#), "JSON output escapes controls itself: \(json.stdout)")
    }
}
