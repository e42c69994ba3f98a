import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// Manifest parsing and validation: each bad input is a clear error naming field, expectation and finding.
final class ManifestTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try Probe.temporaryDirectory(self)
    }

    private func load(_ text: String, file: String = "manifest.json") throws -> Manifest {
        let url = directory.appendingPathComponent(file)
        try Data(text.utf8).write(to: url)
        return try Manifest.load(from: url)
    }

    private func assertInvalid(_ text: String, field: String, expected: String? = nil, found: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(text), file: file, line: line) { error in
            guard case PluginHostError.invalidManifest(_, let gotField, let gotExpected, let gotFound) = error else {
                return XCTFail("expected invalidManifest, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(gotField, field, file: file, line: line)
            if let expected { XCTAssertTrue(gotExpected.contains(expected), gotExpected, file: file, line: line) }
            if let found { XCTAssertTrue(gotFound.contains(found), gotFound, file: file, line: line) }
            XCTAssertTrue("\(error)".contains("field '\(field)'"), "\(error)", file: file, line: line)
        }
    }

    func testFullManifestParses() throws {
        let manifest = try load("""
        { "name": "calc", "version": "0.1.0", "description": "Exact math", "command": ["calc", "--quiet"],
          "env": {"GIAC_LANG": "C"},
          "sandbox": { "network": false, "filesystem": {"read_only": ["/opt/data"], "temp": true}, "cpu_seconds": 10,
                       "memory_mb": 512, "wall_seconds": 20.5, "max_output_bytes": 1048576, "max_processes": 8 },
          "tools": ["evaluate", "solve"] }
        """)
        XCTAssertEqual(manifest, Manifest(
            name: "calc", version: "0.1.0", description: "Exact math", command: ["calc", "--quiet"], env: ["GIAC_LANG": "C"],
            sandbox: .init(network: false, filesystem: .init(readOnly: ["/opt/data"], temp: true), cpuSeconds: 10,
                           memoryMB: 512, wallSeconds: 20.5, maxOutputBytes: 1_048_576, maxProcesses: 8),
            tools: ["evaluate", "solve"]))
    }

    func testDefaultsForOmittedFields() throws {
        let manifest = try load(#"{"name": "tiny", "version": "1", "command": ["./run.sh"]}"#)
        XCTAssertEqual(manifest.sandbox, Manifest.Sandbox())
        XCTAssertEqual(manifest.sandbox.network, false)
        XCTAssertEqual(manifest.sandbox.filesystem, .none)
        XCTAssertNil(manifest.tools)
        XCTAssertEqual(manifest.env, [:])
    }

    func testYAMLManifest() throws {
        let manifest = try load("""
        name: time
        version: "2026.1"
        command: [mcp-server-time, --local-timezone, UTC]
        sandbox:
          filesystem: temp
          wall_seconds: 5
        tools: [get_current_time]
        """, file: "manifest.yaml")
        XCTAssertEqual(manifest.name, "time")
        XCTAssertEqual(manifest.command, ["mcp-server-time", "--local-timezone", "UTC"])
        XCTAssertEqual(manifest.sandbox.filesystem, .privateTemp)
        XCTAssertEqual(manifest.sandbox.wallSeconds, 5)
    }

    func testJSONRoundTripThroughEncoder() throws {
        let original = try load("""
        {"name": "a", "version": "1", "command": ["x"], "sandbox": {"filesystem": {"read_write": ["/srv"]}}}
        """)
        let data = try JSONEncoder().encode(original)
        let again = try Manifest.parse(try JSONDecoder().decode(JSONValue.self, from: data), file: "encoded")
        XCTAssertEqual(again, original)
    }

    func testMissingCommand() {
        assertInvalid(#"{"name": "a", "version": "1"}"#, field: "command", expected: "an array", found: "missing")
    }

    func testEmptyCommand() {
        assertInvalid(#"{"name": "a", "version": "1", "command": []}"#, field: "command", found: "[]")
        assertInvalid(#"{"name": "a", "version": "1", "command": [""]}"#, field: "command[0]")
    }

    func testCommandWrongType() {
        assertInvalid(#"{"name": "a", "version": "1", "command": "calc"}"#, field: "command", expected: "array",
                      found: "the string \"calc\"")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["calc", 3]}"#, field: "command[1]", found: "the number 3")
    }

    func testUnknownFields() {
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "comand": ["y"]}"#, field: "comand",
                      expected: "known fields", found: "unknown")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"netwrok": true}}"#,
                      field: "sandbox.netwrok")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"filesystem": {"readonly": []}}}"#,
                      field: "sandbox.filesystem.readonly")
    }

    func testWrongTypes() {
        assertInvalid(#"{"name": 5, "version": "1", "command": ["x"]}"#, field: "name", found: "the number 5")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"network": "no"}}"#,
                      field: "sandbox.network", expected: "true or false", found: "the string \"no\"")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"cpu_seconds": "ten"}}"#,
                      field: "sandbox.cpu_seconds", expected: "an integer from 1 to 3600")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"memory_mb": 1.5}}"#,
                      field: "sandbox.memory_mb")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "env": {"A": 1}}"#, field: "env.A", expected: "a string")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "tools": "evaluate"}"#, field: "tools")
        assertInvalid(#"["not", "an", "object"]"#, field: "manifest", expected: "an object")
    }

    func testOutOfRangeValues() {
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"cpu_seconds": 0}}"#, field: "sandbox.cpu_seconds")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"wall_seconds": 100000}}"#, field: "sandbox.wall_seconds")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"max_output_bytes": 10}}"#, field: "sandbox.max_output_bytes")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"filesystem": "everything"}}"#,
                      field: "sandbox.filesystem", expected: "\"none\", \"temp\"")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"filesystem": {"read_write": ["/"]}}}"#,
                      field: "sandbox.filesystem.read_write[0]", expected: "other than the root")
    }

    func testBadNames() {
        assertInvalid(#"{"name": "Calc", "version": "1", "command": ["x"]}"#, field: "name", expected: "lowercase")
        assertInvalid(#"{"name": "../etc", "version": "1", "command": ["x"]}"#, field: "name")
        assertInvalid(#"{"name": "", "version": "1", "command": ["x"]}"#, field: "name")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "env": {"1BAD": "v"}}"#, field: "env.1BAD")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "tools": ["t", "t"]}"#, field: "tools", expected: "distinct")
    }

    func testTenMegabyteManifestIsRejectedBeforeReading() throws {
        let url = directory.appendingPathComponent("huge.json")
        let padding = String(repeating: " ", count: 10 << 20)
        try Data(("{\"name\": \"a\", \"version\": \"1\", \"command\": [\"x\"]}" + padding).utf8).write(to: url)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber).intValue
        XCTAssertGreaterThan(size, 10 << 20)
        XCTAssertThrowsError(try Manifest.load(from: url)) { error in
            XCTAssertEqual(error as? PluginHostError,
                           .manifestTooLarge(file: url.path, bytes: size, limit: Manifest.maxFileBytes))
            XCTAssertTrue("\(error)".contains("at most 1048576 bytes"), "\(error)")
        }
    }

    func testUnparseableFiles() throws {
        XCTAssertThrowsError(try load("{\"name\": ")) { error in
            guard case PluginHostError.unreadableManifest(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("not valid JSON"), reason)
        }
        XCTAssertThrowsError(try load("name: [unclosed", file: "m.yaml")) { error in
            guard case PluginHostError.unreadableManifest(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("not valid YAML"), reason)
        }
        XCTAssertThrowsError(try Manifest.load(from: directory.appendingPathComponent("absent.json"))) { error in
            XCTAssertTrue("\(error)".contains("no such file"), "\(error)")
        }
        XCTAssertThrowsError(try Manifest.load(from: directory)) { error in
            XCTAssertTrue("\(error)".contains("is a directory"), "\(error)")
        }
        let binary = directory.appendingPathComponent("binary.json")
        try Data([0xFF, 0xFE, 0x00, 0x80]).write(to: binary)
        XCTAssertThrowsError(try Manifest.load(from: binary)) { error in
            XCTAssertTrue("\(error)".contains("not UTF-8"), "\(error)")
        }
    }

    func testDuplicateKeysAreRefusedNamingTheKey() {
        assertInvalid(#"{"name": "a", "version": "1", "name": "b", "command": ["x"]}"#, field: "name",
                      expected: "each field at most once", found: "'name' a second time at line 1, column 31")
        assertInvalid("{\"name\": \"a\", \"version\": \"1\", \"command\": [\"x\"],\n \"sandbox\": {\"cpu_seconds\": 1, \"cpu_seconds\": 3600}}",
                      field: "sandbox.cpu_seconds", found: "'cpu_seconds' a second time at line 2, column 32")
    }

    func testDuplicateKeysInYAMLAreRefusedToo() throws {
        XCTAssertThrowsError(try load("name: a\nversion: \"1\"\nname: b\ncommand: [x]\n", file: "m.yaml")) { error in
            XCTAssertEqual(error as? PluginHostError, .invalidManifest(
                file: self.directory.appendingPathComponent("m.yaml").path, field: "name",
                expected: "each field at most once in an object", found: "'name' a second time at line 3, column 1"))
        }
        XCTAssertThrowsError(try load("name: a\nversion: \"1\"\ncommand: [x]\nsandbox:\n  cpu_seconds: 1\n  cpu_seconds: 9\n",
                                      file: "m.yaml")) { error in
            XCTAssertTrue("\(error)".contains("field 'sandbox.cpu_seconds': expected each field at most once"), "\(error)")
        }
        XCTAssertEqual(try load("name: a\nversion: \"1\"\ncommand: [x]\n", file: "m.yaml").name, "a")
    }

    /// Found by fuzz-manifest: Yams traps (a force unwrap) when a mapping key is a sequence or mapping.
    func testYAMLKeyThatIsNotAStringIsRefused() throws {
        XCTAssertThrowsError(try load("name: a\nversion: \"1\"\ncommand: [x]\n? [b, c]\n: d\n", file: "m.yaml")) { error in
            XCTAssertEqual(error as? PluginHostError, .invalidManifest(
                file: self.directory.appendingPathComponent("m.yaml").path, field: "manifest",
                expected: "field names that are plain strings", found: "a sequence used as a key at line 4, column 3"))
        }
        XCTAssertThrowsError(try load("name: a\nsandbox:\n  ? {x: 1}\n  : 2\n", file: "m.yaml")) { error in
            XCTAssertTrue("\(error)".contains("field 'sandbox': expected field names that are plain strings, "
                                              + "found a mapping used as a key"), "\(error)")
        }
    }

    /// Found by fuzz-manifest: Yams traps on arithmetic overflow reading a base-60 integer (YAML 1.1's
    /// `1:30`); such a value is read as a number without trapping and checked like any other.
    func testYAMLBase60IntegerThatOverflowsIsAnErrorNotATrap() throws {
        let text = "name: a\nversion: \"1\"\ncommand: [x]\nsandbox:\n  cpu_seconds: -959554:4:4:54:4:54:4:4:54:4:4:8\n"
        XCTAssertThrowsError(try load(text, file: "m.yaml")) { error in
            XCTAssertTrue("\(error)".contains("sandbox.cpu_seconds"), "\(error)")
        }
        XCTAssertEqual(try load("name: a\nversion: \"1\"\ncommand: [x]\nsandbox:\n  cpu_seconds: 1:30\n", file: "m.yaml")
                        .sandbox.cpuSeconds, 90)
    }

    func testDeeplyNestedJSONSaysSoAndWhere() throws {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        XCTAssertThrowsError(try load(#"{"name": "a", "version": "1", "command": ["x"], "tools": "# + deep + "}")) { error in
            guard case PluginHostError.unreadableManifest(let file, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("manifest.json"), file)
            XCTAssertTrue(reason.hasPrefix("JSON nested too deeply: more than 64 levels of arrays and objects at line 1, column 121, "
                                           + "inside field 'tools[0][0]"), reason)
        }
    }

    func testNumberBeyondADoubleNamesTheFieldAndPosition() {
        assertInvalid(#"{"name": "a", "version": 1e400, "command": ["x"]}"#, field: "version",
                      expected: "a number within the range of a 64-bit float", found: "the number 1e400 at line 1, column 26")
        assertInvalid(#"{"name": "a", "version": "1", "command": ["x"], "sandbox": {"wall_seconds": -2e308}}"#,
                      field: "sandbox.wall_seconds", found: "-2e308")
    }

    func testSyntaxErrorsGiveLineAndColumn() throws {
        XCTAssertThrowsError(try load("{\"name\": \"a\",\n  \"version\" \"1\"}")) { error in
            XCTAssertEqual("\(error)", "cannot read manifest \(self.directory.appendingPathComponent("manifest.json").path): "
                           + "not valid JSON: expected ':' after the field name at line 2, column 13")
        }
        XCTAssertThrowsError(try load(#"{"name": "a\q"}"#)) { error in
            XCTAssertTrue("\(error)".contains("an unknown escape in a string at line 1, column 12"), "\(error)")
        }
        let manifest = try load(#"{"name": "a", "version": "\u00e9\ud83e\uddf5 \"q\"", "command": ["x"], "sandbox": {"cpu_seconds": 1.0e1}}"#)
        XCTAssertEqual(manifest.version, "é🧵 \"q\"")
        XCTAssertEqual(manifest.sandbox.cpuSeconds, 10)
    }

    func testSchemaFieldIsAcceptedAndOtherUnknownFieldsAreNot() throws {
        let manifest = try load(#"{"$schema": "../manifest.schema.json", "name": "a", "version": "1", "command": ["x"]}"#)
        XCTAssertEqual(manifest.name, "a")
        assertInvalid(#"{"$schemas": "x", "name": "a", "version": "1", "command": ["x"]}"#, field: "$schemas",
                      found: "an unknown field")
        assertInvalid(#"{"$schema": 5, "name": "a", "version": "1", "command": ["x"]}"#, field: "$schema")
    }

    func testCommandThatIsADirectoryOrNotExecutableNamesTheManifest() throws {
        let script = directory.appendingPathComponent("server.py")
        try Data("#!/usr/bin/python3\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script.path)
        let folder = directory.appendingPathComponent("server")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let manifestFile = directory.appendingPathComponent("manifest.json").path
        let resolver = CommandResolver(executableDirectory: nil, searchPath: ["/usr/bin"])
        XCTAssertThrowsError(try resolver.resolve("./server.py", manifestDirectory: directory, manifestFile: manifestFile)) { error in
            XCTAssertEqual("\(error)", "invalid manifest \(manifestFile): field 'command[0]': expected an executable file, "
                           + "found './server.py' resolved to \(script.path), which is a file without execute permission "
                           + "(chmod +x \(script.path))")
        }
        XCTAssertThrowsError(try resolver.resolve("./server", manifestDirectory: directory, manifestFile: manifestFile)) { error in
            XCTAssertEqual("\(error)", "invalid manifest \(manifestFile): field 'command[0]': expected an executable file, "
                           + "found './server' resolved to \(folder.path), which is a directory")
        }
        XCTAssertThrowsError(try resolver.resolve("./absent", manifestDirectory: directory, manifestFile: manifestFile)) { error in
            guard case PluginHostError.commandNotFound = error else { return XCTFail("\(error)") }
        }
    }

    func testNotExecutableCommandIsReportedWhenThePluginStarts() async throws {
        let script = directory.appendingPathComponent("server.py")
        try Data("#!/usr/bin/python3\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script.path)
        let url = try Probe.writeManifest(["name": "lazy", "version": "1", "command": ["./server.py"]], in: directory)
        let plugin = RegisteredPlugin(manifest: try Manifest.load(from: url), manifestURL: url, source: .user)
        let executor = try Probe.executor(self, [plugin])
        do {
            _ = try await executor.start(pluginNamed: "lazy")
            XCTFail("a file without execute permission must not start")
        } catch {
            XCTAssertTrue("\(error)".contains("invalid manifest \(url.path): field 'command[0]'")
                          && "\(error)".contains("without execute permission"), "\(error)")
        }
    }

    func testPublishedSchemaAgreesWithTheParser() throws {
        let schemaURL = Repository.root.appendingPathComponent("Plugins/manifest.schema.json")
        let schema = try JSONValue.parse(String(decoding: try Data(contentsOf: schemaURL), as: UTF8.self))
        let top = try XCTUnwrap(schema["properties"]?.objectValue)
        XCTAssertEqual(Set(top.keys), ["name", "version", "description", "command", "url", "headers", "env", "sandbox", "tools"])
        XCTAssertEqual(schema["required"], ["name", "version"])
        XCTAssertEqual(schema["oneOf"], [["required": ["command"]], ["required": ["url"]]])
        XCTAssertEqual(schema["additionalProperties"], false)
        let sandbox = try XCTUnwrap(schema["$defs"]?["sandbox"]?["properties"]?.objectValue)
        XCTAssertEqual(Set(sandbox.keys), ["network", "filesystem", "cpu_seconds", "memory_mb", "wall_seconds",
                                           "max_output_bytes", "max_processes", "max_file_mb", "max_open_files"])
        let defaults = Manifest.Sandbox()
        XCTAssertEqual(sandbox["cpu_seconds"]?["default"]?.intValue, defaults.cpuSeconds)
        XCTAssertEqual(sandbox["memory_mb"]?["default"]?.intValue, defaults.memoryMB)
        XCTAssertEqual(sandbox["wall_seconds"]?["default"]?.doubleValue, defaults.wallSeconds)
        XCTAssertEqual(sandbox["max_output_bytes"]?["default"]?.intValue, defaults.maxOutputBytes)
    }

    func testBuiltInManifestsAreValid() throws {
        let plugins = Repository.root.appendingPathComponent("Plugins")
        let names = try FileManager.default.contentsOfDirectory(atPath: plugins.path).sorted()
        var checked = 0
        for name in names {
            let url = plugins.appendingPathComponent(name).appendingPathComponent("manifest.json")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let manifest = try Manifest.load(from: url)
            XCTAssertEqual(manifest.name, name, "the folder name is the plugin name")
            checked += 1
        }
        XCTAssertEqual(checked, 3, "the built-in manifests calc, web-fetch and code-runner are under Plugins/")
    }
}
