import AgentCore
import Foundation
@testable import LLM
import TestSupport
import XCTest

/// The prompt cache on disk with the real SmolLM2-135M file: a hit gives the very logits a miss
/// gives, and every kind of bad file is ignored (and rewritten), never trusted.
final class PromptCacheTests: XCTestCase {
    /// A system turn long enough to be cached, and a question after it.
    private static let system = (1...12).map { "Rule \($0): answer in one short sentence about item number \($0 * 7)." }
        .joined(separator: "\n")
    private static let request = CompletionRequest(messages: [.system(system), .user("Which colour is the sky on a clear day?")],
                                                   maxTokens: 12)

    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("loom-prompt-cache-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func cache(model: String = "model-a", build: String = "build-1", capacity: Int64 = 1 << 30,
                       write: (@Sendable (String, UnsafeRawBufferPointer) throws -> Void)? = nil) -> PromptCache {
        PromptCache(directory: directory, capacityBytes: capacity, modelIdentity: model, buildIdentity: build,
                    writeFile: write ?? PromptCache.posixWrite)
    }

    /// A fresh model (an empty in-memory KV cache) over `cache`, with `context` positions (nil: the default).
    private func model(_ cache: PromptCache?, context: Int? = 512, log: LogLines = LogLines()) throws -> LocalModel {
        try LocalModel(path: try TestModels.path(TestModels.smollm), contextLength: context, promptCache: cache,
                       log: { log.add($0) })
    }

    /// The prompt of `request` for `model`, with its cache point.
    private func prompt(_ model: LocalModel) throws -> LocalModel.Prompt {
        let pieces = model.template.render(Self.request.messages, addGenerationPrompt: true)
        let tokens = model.tokenizer.encode(pieces)
        let point = try XCTUnwrap(model.systemTurnLength(Self.request, prompt: tokens), "the system turn is cacheable")
        return LocalModel.Prompt(text: pieces.text, tokens: tokens, cachePoint: point)
    }

    private func entries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    /// An entry holds the filled positions only: sessions with another context length load it and get
    /// the writer's logits; one whose context is too short for the prefix misses it and leaves the file.
    func testAnEntryServesSessionsOfOtherContextLengths() throws {
        let writer = try model(cache())
        let p = try prompt(writer)
        let point = try XCTUnwrap(p.cachePoint)
        let cold = try writer.evaluatePrompt(p.tokens, cachePoint: point)
        XCTAssertEqual(entries().count, 1)
        for context in [p.tokens.count, 2048, nil] {
            let reader = try model(cache(), context: context)
            if context == nil {
                XCTAssertEqual(reader.info.contextLength,
                               min(reader.transformer.configuration.trainedContextLength, LocalModel.defaultContextCap))
            }
            let warm = try reader.evaluatePrompt(p.tokens, cachePoint: point)
            XCTAssertEqual(warm.fromDisk, point, "context \(String(describing: context))")
            XCTAssertEqual(warm.logits, cold.logits, "context \(String(describing: context))")
        }
        let short = try model(cache(), context: point - 1)
        XCTAssertEqual(cache().load(p.tokens[..<point], into: short.sessionForTesting), .miss)
        XCTAssertEqual(entries().count, 1, "the entry is kept for sessions it fits")
    }

    func testAHitLoadsTheSystemTurnAndGivesBitIdenticalLogits() throws {
        let writer = try model(cache())
        let p = try prompt(writer)
        let cold = try writer.evaluatePrompt(p.tokens, cachePoint: p.cachePoint)
        XCTAssertEqual(cold.fromDisk, 0)
        XCTAssertEqual(cold.reused, 0)
        XCTAssertEqual(entries().count, 1, "the miss saved the system turn")

        let reader = try model(cache())
        let warm = try reader.evaluatePrompt(p.tokens, cachePoint: p.cachePoint)
        XCTAssertEqual(warm.fromDisk, p.cachePoint)
        XCTAssertEqual(warm.reused, p.cachePoint)
        XCTAssertEqual(warm.logits, cold.logits, "logits after a hit are bit-identical to the writer's")

        // Without any cache the prefix is computed on its own all the same: the same bits again.
        let plain = try model(nil)
        XCTAssertEqual(try plain.evaluatePrompt(p.tokens, cachePoint: p.cachePoint).logits, cold.logits)

        // And whole completions agree token for token, recording where the keys and values came from.
        let a = try model(cache()).generate(p, sampling: .greedy, maxTokens: 12)
        let b = try model(nil).generate(p, sampling: .greedy, maxTokens: 12)
        XCTAssertEqual(a.generatedTokens, b.generatedTokens)
        XCTAssertEqual(a.diskCachedPromptTokens, p.cachePoint)
        XCTAssertNil(b.diskCachedPromptTokens)
    }

    func testACompleteRequestUsesTheCacheAndSaysSoInTheCompletion() async throws {
        let first = try await model(cache()).complete(Self.request, onText: nil)
        XCTAssertEqual(first.diskCachedPromptTokens, 0)
        let second = try await model(cache()).complete(Self.request, onText: nil)
        XCTAssertGreaterThan(try XCTUnwrap(second.diskCachedPromptTokens), 32)
        XCTAssertEqual(second.generatedTokens, first.generatedTokens)
        XCTAssertTrue(second.costSummary.contains("\(second.diskCachedPromptTokens!) from disk"), second.costSummary)
    }

    /// Writes the entry, damages it with `damage`, and checks that the next run ignores it with
    /// `reason`, computes the same logits and writes a good entry again.
    private func checkDamaged(reason: String, file: StaticString = #filePath, line: UInt = #line,
                              _ damage: (URL) throws -> Void) throws {
        let writer = try model(cache())
        let p = try prompt(writer)
        let cold = try writer.evaluatePrompt(p.tokens, cachePoint: p.cachePoint)
        let entry = directory.appendingPathComponent(try XCTUnwrap(entries().first, file: file, line: line))
        try damage(entry)

        let log = LogLines()
        let reader = try model(cache(), log: log)
        let result = try reader.evaluatePrompt(p.tokens, cachePoint: p.cachePoint)
        XCTAssertEqual(result.fromDisk, 0, "a damaged entry is not used", file: file, line: line)
        XCTAssertEqual(result.logits, cold.logits, file: file, line: line)
        XCTAssertTrue(log.all.contains { $0.contains("ignored") && $0.contains(reason) }, "\(log.all)", file: file, line: line)
        // The run computed the prefix and saved it again: the next process hits.
        XCTAssertEqual(try model(cache()).evaluatePrompt(p.tokens, cachePoint: p.cachePoint).fromDisk, p.cachePoint,
                       file: file, line: line)
    }

    func testACorruptPayloadIsIgnoredAndRewritten() throws {
        try checkDamaged(reason: "payload checksum") { url in
            var data = try Data(contentsOf: url)
            data[data.count - 1000] ^= 0x40
            try data.write(to: url)
        }
    }

    func testACorruptHeaderIsIgnored() throws {
        try checkDamaged(reason: "header checksum") { url in
            var data = try Data(contentsOf: url)
            data[40] ^= 0x01  // inside the identity
            try data.write(to: url)
        }
    }

    func testATruncatedFileIsIgnored() throws {
        try checkDamaged(reason: "truncated") { url in
            let data = try Data(contentsOf: url)
            try data.prefix(data.count - 4096).write(to: url)
        }
    }

    func testAFileThatIsNotACacheEntryIsIgnored() throws {
        try checkDamaged(reason: "not a Loom prompt cache file") { url in
            try Data(String(repeating: "not a cache entry\n", count: 8).utf8).write(to: url)
        }
    }

    func testAnEntryOfAnotherModelOrBuildIsNeverUsed() throws {
        let p = try prompt(try model(nil))
        _ = try model(cache(model: "model-a")).evaluatePrompt(p.tokens, cachePoint: p.cachePoint)
        // Another model, or another build of Loom, looks under another name: a plain miss …
        XCTAssertEqual(try model(cache(model: "model-b")).evaluatePrompt(p.tokens, cachePoint: p.cachePoint).fromDisk, 0)
        XCTAssertEqual(try model(cache(build: "build-2")).evaluatePrompt(p.tokens, cachePoint: p.cachePoint).fromDisk, 0)
        XCTAssertEqual(entries().count, 3)
        // … and a file of model A put in the place of another build's entry is refused by its header.
        let other = cache(build: "build-3")
        let target = other.file(for: p.tokens[..<p.cachePoint!])
        try FileManager.default.copyItem(at: cache(model: "model-a").file(for: p.tokens[..<p.cachePoint!]), to: target)
        let log = LogLines()
        XCTAssertEqual(try model(other, log: log).evaluatePrompt(p.tokens, cachePoint: p.cachePoint).fromDisk, 0)
        XCTAssertTrue(log.all.contains { $0.contains("another model or build") }, "\(log.all)")
    }

    func testAnEntryOfAnotherFormatVersionIsIgnored() throws {
        try checkDamaged(reason: "format version") { url in
            var data = try Data(contentsOf: url)
            data[8] = 0xFE  // the format version's low byte
            try data.write(to: url)
        }
    }

    func testAFullDiskLeavesNothingBehindAndTheRunGoesOn() throws {
        let log = LogLines()
        let full = cache(write: { path, bytes in
            // Half the file reaches the disk, then it is full.
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            _ = write(fd, bytes.baseAddress!, bytes.count / 2)
            close(fd)
            throw PromptCacheError.io(path: path, errno: ENOSPC)
        })
        let writer = try model(full, log: log)
        let p = try prompt(writer)
        let result = try writer.evaluatePrompt(p.tokens, cachePoint: p.cachePoint)
        XCTAssertEqual(result.logits, try model(nil).evaluatePrompt(p.tokens, cachePoint: p.cachePoint).logits)
        XCTAssertTrue(log.all.contains { $0.contains("not saved") && $0.contains("No space left on device") }, "\(log.all)")
        XCTAssertEqual(entries(), [], "no partial entry or temporary file is left")
    }

    func testTwoWritersOfTheSameEntryLeaveOneWholeFile() throws {
        let p = try prompt(try model(nil))
        let sessions = try (0..<2).map { _ -> LocalModel in
            let m = try model(nil)
            _ = try m.evaluatePrompt(p.tokens, cachePoint: p.cachePoint)
            return m
        }
        let caches = [cache(), cache()]
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            try? caches[i % 2].store(count: p.cachePoint!, from: sessions[i % 2].sessionForTesting)
        }
        XCTAssertEqual(entries().count, 1, "\(entries())")
        XCTAssertEqual(try model(cache()).evaluatePrompt(p.tokens, cachePoint: p.cachePoint).fromDisk, p.cachePoint)
    }

    func testTheLeastRecentlyUsedEntriesGoWhenTheCacheIsFull() throws {
        let m = try model(nil)
        let p = try prompt(m)
        let point = try XCTUnwrap(p.cachePoint)
        _ = try m.evaluatePrompt(p.tokens, cachePoint: point)
        let entryBytes: Int64 = {
            try? cache().store(count: point, from: m.sessionForTesting)
            let size = (try? FileManager.default.attributesOfItem(atPath: cache().file(for: p.tokens[..<point]).path))?[.size] as? NSNumber
            return size?.int64Value ?? 0
        }()
        XCTAssertGreaterThan(entryBytes, 0)
        try PromptCache.clear(directory: directory)
        // Room for two entries: storing three prefixes (of different lengths) leaves the last two.
        let small = cache(capacity: entryBytes * 2 + entryBytes / 2)
        for (index, count) in [point, point - 1, point - 2].enumerated() {
            try small.store(count: count, from: m.sessionForTesting)
            let file = small.file(for: p.tokens[..<count]).path
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: Double(index - 10))], ofItemAtPath: file)
        }
        let kept = PromptCache.list(directory: directory).map(\.tokens)
        XCTAssertEqual(kept, [point - 2, point - 1])
        XCTAssertEqual(try PromptCache.clear(directory: directory).entries, 2)
        XCTAssertEqual(entries(), [])
    }
}
