import Foundation
import TestSupport
import XCTest

/// `loom models …` as a user runs it.
final class ModelsCommandTests: XCTestCase {
    private var home: URL!
    private var cli: CLIRunner!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        cli = CLIRunner(environment: ["LOOM_HOME": home.path])
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: home)
    }

    func testListShowsEveryKnownModelAsAbsentInAnEmptyHome() throws {
        let output = try cli.run(["models", "list"])
        XCTAssertEqual(output.status, 0, output.stderr)
        let lines = output.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first?.split(separator: " ", omittingEmptySubsequences: true), ["NAME", "SIZE", "STATUS", "ROLE"])
        for name in ["qwen2.5-coder-1.5b-instruct", "qwen2.5-coder-0.5b-instruct", "smollm2-135m-instruct"] {
            let row = try XCTUnwrap(lines.first { $0.hasPrefix(name + " ") }, "no row for \(name)")
            XCTAssertTrue(row.contains(" absent "), row)
        }
        XCTAssertEqual(lines.last, "models directory: \(home.appendingPathComponent("models").path)")
    }

    func testPathOfAModelNotPulledSaysHowToPullIt() throws {
        let output = try cli.run(["models", "path", "smollm2-135m-instruct"])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("run: loom models pull smollm2-135m-instruct"), output.stderr)
    }

    func testUnknownModelNameIsAClearError() throws {
        let output = try cli.run(["models", "pull", "gpt-17"])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("unknown model 'gpt-17'"), output.stderr)
    }

    func testInfoDescribesTheRealSmolLM2File() throws {
        let path = try TestModels.path(TestModels.smollm)
        let output = try cli.run(["models", "info", path])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.contains("architecture:   llama"), output.stdout)
        XCTAssertTrue(output.stdout.contains("vocabulary:     49152 (gpt2)"), output.stdout)
        XCTAssertTrue(output.stdout.contains("context length: 8192"), output.stdout)
        XCTAssertTrue(output.stdout.contains("chat template:  chatml"), output.stdout)
        XCTAssertTrue(output.stdout.contains("q4_1"), output.stdout)
    }

    func testInfoRefusesATruncatedModelWithAClearMessage() throws {
        let source = try TestModels.path(TestModels.smollm)
        let truncated = home.appendingPathComponent("truncated.gguf")
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: source))
        try handle.read(upToCount: 4_000_000)?.write(to: truncated)
        try handle.close()
        let output = try cli.run(["models", "info", truncated.path])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertFalse(output.stderr.isEmpty)
        XCTAssertTrue(output.stderr.lowercased().contains("truncated") || output.stderr.contains("out of bounds")
                      || output.stderr.contains("beyond"), output.stderr)
    }
}
