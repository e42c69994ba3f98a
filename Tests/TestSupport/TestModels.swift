import Foundation
import XCTest

/// Finds the real model files that tests run against.
///
/// Models live in `$LOOM_HOME/models/` (default `~/.cache/loom/models/`); `make test` pulls them.
/// Outside CI a missing model skips the test with the command that fetches it; with `CI=true` it fails,
/// because a skip there would hide a missing install step.
public enum TestModels {
    /// SmolLM2-135M-Instruct, Q4_1 (llama architecture).
    public static let smollm = "smollm2-135m-instruct-q4_1.gguf"
    /// Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (qwen2 architecture).
    public static let qwen05 = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    /// Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (the default model; benchmarks only).
    public static let qwen15 = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

    /// Loom's home directory as the tests see it.
    public static var loomHome: URL {
        if let home = ProcessInfo.processInfo.environment["LOOM_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loom")
    }

    /// Whether the tests run in CI (`CI=true`).
    public static var inCI: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased()
        return value == "true" || value == "1"
    }

    /// The path of a model file, or a skip (locally) / failure (in CI) naming what is missing.
    public static func path(_ file: String, file callerFile: StaticString = #filePath, line: UInt = #line) throws -> String {
        let url = loomHome.appendingPathComponent("models").appendingPathComponent(file)
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        let message = "model \(file) is missing at \(url.path); run `make models` (or `loom models pull`)"
        try requirement(message, file: callerFile, line: line)
        return url.path
    }

    /// Reports a missing requirement: a skip outside CI, a test failure (thrown) in CI.
    public static func requirement(_ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if inCI {
            XCTFail("missing in CI: \(message)", file: file, line: line)
            throw MissingRequirement(message: message)
        }
        throw XCTSkip(message)
    }

    /// Thrown after a CI failure so the test stops at once.
    public struct MissingRequirement: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}

/// Locates files in the repository (plugins, fixtures, examples) from a test source file.
public enum Repository {
    /// The repository root, found by walking up from this source file to `Package.swift`.
    public static var root: URL {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The directory holding built products of the current configuration (where `swift test` put them).
    public static var productsDirectory: URL {
        // The test bundle lives next to the executables it was built with.
        let bundle = Bundle.main.bundleURL
        return bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
    }
}
