import Foundation
import TestSupport
import XCTest

/// Runs `sympy_check.py` (next to this file) once over a batch of results.
enum SympyChecker {
    /// One result to check: what calc answered for a problem.
    struct Case: Encodable {
        let id: Int
        let kind: String
        let got: String
        let expected: String
        let decimal: String?
        let extra: [String: String]
    }

    /// The checker's verdict on one case.
    struct Verdict: Decodable {
        let id: Int
        let ok: Bool
        let detail: String
    }

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("sympy_check.py")
    }

    /// Skips locally (fails in CI) when python3 with SymPy is not installed.
    static func requireSympy() throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import sympy"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
            probe.waitUntilExit()
        } catch {
            try TestModels.requirement("python3 is not installed (needed with sympy for the calc checks)")
        }
        if probe.terminationStatus != 0 {
            try TestModels.requirement("sympy is not installed: pip install sympy")
        }
    }

    /// Checks all cases in one Python run.
    static func check(_ cases: [Case]) throws -> [Int: Verdict] {
        let input = FileManager.default.temporaryDirectory
            .appendingPathComponent("calc-sympy-\(ProcessInfo.processInfo.processIdentifier).json")
        try JSONEncoder().encode(cases).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, input.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "sympy_check.py failed")
        let verdicts = try JSONDecoder().decode([Verdict].self, from: data)
        return Dictionary(uniqueKeysWithValues: verdicts.map { ($0.id, $0) })
    }
}
