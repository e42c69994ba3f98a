import Foundation
import Kernels
@testable import LLM
import TestSupport
import XCTest

/// The panel cache on disk with the real Qwen2.5-Coder-0.5B file (its q4_K matrices are repacked):
/// a mapped file gives the very logits that repacking gives, and every kind of bad file is ignored
/// (and rewritten), never trusted.
final class PanelCacheTests: XCTestCase {
    private var directory: URL!
    /// A short prompt of token ids.
    private static let tokens = [9707, 11, 1879, 0, 576, 3974, 13876, 38835]

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("loom-panel-cache-\(UUID().uuidString)")
        // Panels exist only with the AVX2 kernels: a skip here, a failure in CI.
        if !Kernels.simdEnabled { try TestModels.requirement("this CPU has no AVX2, so there are no panels to cache") }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func cache(model: String = "model-a", capacity: Int64 = 1 << 32,
                       write: (@Sendable (String, [UnsafeRawBufferPointer]) throws -> Void)? = nil) -> PanelCache {
        PanelCache(directory: directory, capacityBytes: capacity, modelIdentity: model, writeFile: write ?? PanelCache.posixWrite)
    }

    private func load(_ cache: PanelCache?, log: LogLines = LogLines()) throws -> Transformer {
        try Transformer(path: try TestModels.path(TestModels.qwen05), panelCache: cache, log: { log.add($0) })
    }

    /// The logits after `tokens`, on 2 threads, for a batch and then one more single step.
    private func logits(_ model: Transformer) throws -> [[Float]] {
        let session = try InferenceSession(model: model, contextLength: 64, threads: 2)
        let batch = try session.logits(after: Self.tokens)
        let step = try session.logits(after: Self.tokens + [25])
        return [batch, step]
    }

    /// Every repacked matrix of `model`, by name.
    private static func panels(of model: Transformer) -> [(name: String, panels: Q4KPanels)] { model.weights.repackedPanels }

    private func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    /// The logits of the model repacked in memory, without any cache.
    private func reference() throws -> [[Float]] {
        let plain = try load(nil)
        XCTAssertEqual(plain.panelSource, .repacked, "the 0.5B model has q4_K matrices to repack")
        XCTAssertGreaterThan(plain.panelBytes, 0)
        return try logits(plain)
    }

    func testAMappedFileGivesBitIdenticalLogits() throws {
        let expected = try reference()
        let writer = try load(cache())
        XCTAssertEqual(writer.panelSource, .repacked, "a miss repacks")
        XCTAssertEqual(files().count, 1, "and saves the panels")
        XCTAssertEqual(try logits(writer), expected)

        let reader = try load(cache())
        XCTAssertEqual(reader.panelSource, .cache(cache().file.path))
        XCTAssertEqual(reader.panelBytes, writer.panelBytes)
        XCTAssertEqual(try logits(reader), expected, "logits from mapped panels are bit-identical to repacked ones")
    }

    func testACorruptMatrixIsIgnoredAndRewritten() throws {
        try checkDamaged(reason: "checksum does not match") { url in
            let handle = try FileHandle(forUpdating: url)
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: size - 5000)  // inside the last matrix (the padding after it is under 4096 bytes)
            var byte = try XCTUnwrap(handle.read(upToCount: 1))
            byte[0] ^= 0x10
            try handle.seek(toOffset: size - 5000)
            handle.write(byte)
            try handle.close()
        }
    }

    func testACorruptHeaderIsIgnored() throws {
        try checkDamaged(reason: "header checksum") { url in
            var data = try Data(contentsOf: url)
            data[40] ^= 0x01  // inside the JSON header
            try data.write(to: url)
        }
    }

    func testATruncatedFileIsIgnored() throws {
        try checkDamaged(reason: "truncated") { url in
            let handle = try FileHandle(forUpdating: url)
            try handle.truncate(atOffset: try handle.seekToEnd() - 100_000)
            try handle.close()
        }
        try checkDamaged(reason: "shorter than its header") { url in
            try Data("LOOMPNL".utf8).write(to: url)
        }
    }

    func testAFileThatIsNotAPanelFileIsIgnored() throws {
        try checkDamaged(reason: "not a panel cache file") { url in
            try Data(String(repeating: "not a panel file\n", count: 8).utf8).write(to: url)
        }
    }

    func testAFileOfAnotherFormatVersionIsIgnored() throws {
        try checkDamaged(reason: "format") { url in
            let handle = try FileHandle(forUpdating: url)
            try handle.seek(toOffset: 8)
            handle.write(Data([0xFE]))  // the format version's low byte
            try handle.close()
        }
    }

    func testAFileOfAnotherModelIsNeverUsed() throws {
        _ = try load(cache(model: "model-a"))
        // Another model looks under another name: a plain miss, and a file of its own.
        let log = LogLines()
        XCTAssertEqual(try load(cache(model: "model-b"), log: log).panelSource, .repacked)
        XCTAssertEqual(files().count, 2)
        XCTAssertEqual(log.all, [])
        // A file of model A put in the place of model C's is refused by its header.
        try FileManager.default.copyItem(at: cache(model: "model-a").file, to: cache(model: "model-c").file)
        let expected = try reference()
        let model = try load(cache(model: "model-c"), log: log)
        XCTAssertEqual(model.panelSource, .repacked)
        XCTAssertTrue(log.all.contains { $0.contains("another model or layout") }, "\(log.all)")
        XCTAssertEqual(try logits(model), expected)
    }

    func testAFileMissingAMatrixIsIgnored() throws {
        let panels = Self.panels(of: try load(nil))
        XCTAssertGreaterThan(panels.count, 1)
        try cache().store(Array(panels.dropLast()))
        let log = LogLines()
        XCTAssertEqual(try load(cache(), log: log).panelSource, .repacked)
        XCTAssertTrue(log.all.contains { $0.contains("no panels of the right shape") }, "\(log.all)")
        XCTAssertEqual(try load(cache()).panelSource, .cache(cache().file.path), "the file was rewritten whole")
    }

    func testAFullDiskLeavesNothingBehindAndTheModelLoads() throws {
        let log = LogLines()
        let full = cache(write: { path, parts in
            // The header and one matrix reach the disk, then it is full.
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            for part in parts.prefix(2) { _ = write(fd, part.baseAddress!, part.count) }
            close(fd)
            throw PromptCacheError.io(path: path, errno: ENOSPC)
        })
        let model = try load(full, log: log)
        XCTAssertEqual(model.panelSource, .repacked)
        XCTAssertTrue(log.all.contains { $0.contains("could not save") && $0.contains("No space left on device") }, "\(log.all)")
        XCTAssertEqual(files(), [], "no partial file or temporary file is left")
        XCTAssertEqual(try logits(model), try reference())
    }

    func testTwoWritersAtOnceLeaveOneWholeFile() throws {
        let model = try load(nil)
        let panels = Self.panels(of: model)
        let caches = [cache(), cache()]
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            try? caches[i % 2].store(panels)
        }
        XCTAssertEqual(files().count, 1, "\(files())")
        let reader = try load(cache())
        XCTAssertEqual(reader.panelSource, .cache(cache().file.path))
        XCTAssertEqual(try logits(reader), try logits(model))
    }

    func testTheLeastRecentlyUsedFilesGoWhenTheCacheIsFull() throws {
        _ = try load(cache(model: "model-a"))
        let bytes = try XCTUnwrap(PanelCache.list(directory: directory).first?.bytes)
        // Room for two files: the third model's save removes the oldest.
        for (index, name) in ["model-b", "model-c"].enumerated() {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: Double(index * 10 - 100))],
                                                  ofItemAtPath: PanelCache.list(directory: directory)[0].path)
            _ = try load(cache(model: name, capacity: bytes * 2 + bytes / 2))
        }
        let kept = Set(PanelCache.list(directory: directory).map(\.path))
        XCTAssertEqual(kept, [cache(model: "model-b").file.path, cache(model: "model-c").file.path])
        XCTAssertEqual(try PanelCache.clear(directory: directory).files, 2)
        XCTAssertEqual(files(), [])
    }

    /// Writes the file, damages it with `damage`, then checks that the next load ignores it with a
    /// note naming `reason`, computes the same logits as repacking, and rewrites the file whole.
    private func checkDamaged(reason: String, damage: (URL) throws -> Void) throws {
        _ = try load(cache())
        try damage(cache().file)
        let log = LogLines()
        let model = try load(cache(), log: log)
        XCTAssertEqual(model.panelSource, .repacked)
        XCTAssertTrue(log.all.contains { $0.contains("ignored the panel cache file") && $0.contains(reason) }, "\(log.all)")
        XCTAssertEqual(try logits(model), try reference())
        XCTAssertEqual(try load(cache()).panelSource, .cache(cache().file.path), "the file was rewritten whole")
    }
}
