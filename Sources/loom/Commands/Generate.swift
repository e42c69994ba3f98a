import AgentCore
import AgentRuntime
import ArgumentParser
import Foundation

/// `loom generate`: Generate text from a GGUF model (streams tokens).
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate text from a GGUF model (streams tokens).")

    @Option(help: "Model name (see 'loom models list') or path to a .gguf file.") var model: String
    @Flag(help: "Apply the model's chat template: the prompt becomes a user turn.") var chat = false
    @Option(help: "System prompt (with --chat; default: the template's own).") var system: String?
    @Option(help: "Seed of the sampler's random generator.") var seed: UInt64 = 0
    @Option(help: "Sampling temperature (0 = greedy).") var temperature = 0.0
    @Option(help: "Keep only the k most likely tokens (0 = off).") var topK = 0
    @Option(help: "Nucleus sampling mass (1 = off).") var topP = 1.0
    @Option(help: "Most tokens to generate.") var maxTokens = 128
    @Option(help: "Context length in tokens (default: the model's trained length, at most 16384).") var ctx: Int?
    @Option(help: "Worker threads.") var threads = 2
    @Option(help: "Constrain the output to one JSON value matching this JSON Schema (the schema, or @FILE).") var jsonSchema: String?
    @Flag(help: "With --json-schema: sample every token, even those the schema leaves no choice about.") var noJumpForward = false
    @Flag(help: "Print JSON: prompt ids, generated ids, text and timings (nothing is streamed).") var json = false
    @Argument(help: "The prompt.") var prompt: String

    func validate() throws {
        guard temperature >= 0 else { throw ValidationError("--temperature must be 0 or more") }
        guard topK >= 0 else { throw ValidationError("--top-k must be 0 or more") }
        guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        guard ctx.map({ $0 >= 16 }) ?? true else { throw ValidationError("--ctx must be at least 16") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        let path = try ModelStore().resolve(model).path
        let sampling = SamplingSettings(temperature: temperature, topK: topK, topP: topP, seed: seed)
        let stream: (@Sendable (String) -> Void)? = json ? nil : { @Sendable text in FileHandleOutput.standardOutput(text) }
        var schema: JSONValue?
        if let jsonSchema {
            do { schema = try TextGeneration.schema(jsonSchema) } catch { throw ValidationError("--json-schema: \(error)") }
        }
        let result = try await TextGeneration(contextLength: ctx, threads: threads)
            .run(modelPath: path, prompt: prompt, chat: chat, system: system, sampling: sampling, maxTokens: maxTokens,
                 schema: schema, jumpForward: !noJumpForward, onText: stream)
        let completion = result.completion, tokensPerSecond = result.tokensPerSecond
        if completion.finishReason == .promptTooLong {
            FileHandleOutput.standardError("loom generate: the prompt (\(completion.promptTokens.count) tokens) leaves no room "
                + "to generate \(min(maxTokens, 64)) tokens in a context of \(result.contextLength); raise --ctx\n")
            throw ExitCode(2)
        }
        guard json else {
            FileHandleOutput.standardOutput("\n")
            FileHandleOutput.standardError(String(format: "[%d prompt tokens in %.2f s, %d generated in %.2f s (%.1f tokens/s), %@]\n",
                                                  completion.promptTokens.count, completion.promptSeconds,
                                                  completion.generatedTokens.count, completion.generateSeconds, tokensPerSecond,
                                                  completion.finishReason.rawValue))
            if let forced = completion.forcedTokens, let mask = completion.maskSeconds {
                FileHandleOutput.standardError(String(format: "[constraint: %d tokens forced, %.3f s deciding allowed tokens]\n",
                                                      forced, mask))
            }
            return
        }
        struct Output: Encodable {
            var model: String
            var prompt: String
            var prompt_ids: [Int]
            var generated_ids: [Int]
            var text: String
            var finish_reason: String
            var prompt_seconds: Double
            var generate_seconds: Double
            var tokens_per_second: Double
            var forced_tokens: Int?
            var constraint_seconds: Double?
        }
        let output = Output(model: result.model, prompt: completion.prompt, prompt_ids: completion.promptTokens,
                            generated_ids: completion.generatedTokens, text: completion.text,
                            finish_reason: completion.finishReason.rawValue, prompt_seconds: completion.promptSeconds,
                            generate_seconds: completion.generateSeconds, tokens_per_second: tokensPerSecond,
                            forced_tokens: completion.forcedTokens, constraint_seconds: completion.maskSeconds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(output), as: UTF8.self))
    }
}
