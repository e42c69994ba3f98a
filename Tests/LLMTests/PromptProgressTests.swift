import AgentCore
import Foundation
@testable import LLM
import TestSupport
import XCTest

/// A long prompt reports its progress batch by batch, and a caller that gives up stops it between two
/// batches instead of after the whole prompt (the real SmolLM2-135M file).
final class PromptProgressTests: XCTestCase {
    /// Collects progress reports from a `@Sendable` callback.
    private final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [[Int]] = []
        func add(_ computed: Int, _ total: Int) { lock.withLock { items.append([computed, total]) } }
        var all: [[Int]] { lock.withLock { items } }
    }

    private func longPrompt(_ model: LocalModel, tokens count: Int) -> LocalModel.Prompt {
        let words = (0..<count).map { "w\($0 % 97)" }.joined(separator: " ")
        let tokens = Array(model.tokenizer.encode(words).prefix(count))
        return LocalModel.Prompt(text: model.tokenizer.decode(tokens), tokens: tokens)
    }

    func testALongPromptReportsEachBatchAndAShortOneNothing() throws {
        let model = try LocalModel(path: try TestModels.path(TestModels.smollm), contextLength: 2048)
        let reports = Reports()
        model.setPromptProgress { reports.add($0, $1) }
        let batch = model.sessionForTesting.batchSize
        let prompt = longPrompt(model, tokens: batch * 2 + 100)
        XCTAssertEqual(prompt.tokens.count, batch * 2 + 100)
        _ = try model.generate(prompt, sampling: .greedy, maxTokens: 1)
        let total = prompt.tokens.count - 1  // the last token is computed on its own, for its logits
        XCTAssertEqual(reports.all, [[0, total], [batch, total], [2 * batch, total], [total, total]])

        let before = reports.all.count
        _ = try model.generate(longPrompt(model, tokens: 40), sampling: .greedy, maxTokens: 1)
        XCTAssertEqual(reports.all.count, before, "a prompt of one batch reports nothing")
    }

    func testCancellingStopsThePromptBetweenBatches() async throws {
        let model = try LocalModel(path: try TestModels.path(TestModels.smollm), contextLength: 2048)
        let batch = model.sessionForTesting.batchSize
        let prompt = longPrompt(model, tokens: batch * 3)
        let reports = Reports()
        // The caller gives up as soon as the prompt starts (as a server's client that goes away).
        model.setPromptProgress { computed, total in
            reports.add(computed, total)
            withUnsafeCurrentTask { $0?.cancel() }
        }
        let task = Task { try model.generate(prompt, sampling: .greedy, maxTokens: 8) }
        do {
            _ = try await task.value
            XCTFail("a cancelled generation must not finish")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertEqual(reports.all, [[0, prompt.tokens.count - 1]], "stopped before the second batch")
        XCTAssertEqual(model.sessionForTesting.cachedTokens.count, batch, "the batch already computed stays cached")
    }
}
