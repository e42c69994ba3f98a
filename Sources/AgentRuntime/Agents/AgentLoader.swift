import AgentCore
import Foundation
import Orchestrator
import YAMLData

/// What is wrong with an agent definition file, with the file and the key.
public enum AgentLoaderError: Error, CustomStringConvertible, Sendable {
    /// No agent of that name in any of the searched directories.
    case notFound(name: String, searched: [String], available: [String])
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not valid YAML (or JSON).
    case syntax(path: String, reason: String)
    /// A key is not part of the agent format (often a typo).
    case unknownKey(path: String, key: String, known: [String])
    /// A value has the wrong type or is out of range.
    case invalidValue(path: String, key: String, reason: String)
    /// A strategy's prompt file (`prompts/<strategy>.prompts`) cannot be read or is malformed.
    case prompts(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let name, let searched, let available):
            return "no agent named '\(name)' (looked in \(searched.joined(separator: ", "))); available: \(available.joined(separator: ", "))"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .syntax(let path, let reason): return "\(path): not valid YAML: \(reason)"
        case .unknownKey(let path, let key, let known):
            return "\(path): unknown key '\(key)' (known keys: \(known.joined(separator: ", ")))"
        case .invalidValue(let path, let key, let reason): return "\(path): '\(key)' \(reason)"
        case .prompts(let path, let reason): return "\(path): \(reason)"
        }
    }
}

/// Loads agent definitions (`Agents/<name>.yaml`, YAML or JSON) with defaults for what is left out
/// and a precise error for what is wrong.
public enum AgentLoader {
    /// Keys of each section, as written in the files (snake_case).
    static let topKeys = ["name", "description", "system_prompt", "examples", "strategy", "plugins", "tools", "compute_tools", "model", "model_api_key_env", "sampling", "limits", "policies", "self_consistency", "routes"]
    static let limitKeys = ["max_steps", "max_tokens", "wall_seconds", "max_replans"]
    /// Sampling keys in the file and the field they set.
    static let samplingKeys: [(file: String, field: String)] = [
        ("temperature", "temperature"), ("top_k", "topK"), ("top_p", "topP"), ("min_p", "minP"),
        ("repetition_penalty", "repetitionPenalty"), ("repetition_window", "repetitionWindow"), ("seed", "seed"),
    ]

    /// Where agents are looked up: `$LOOM_HOME/agents`, then `./Agents`.
    public static func directories(home: LoomHome = LoomHome()) -> [URL] {
        [home.root.appendingPathComponent("agents", isDirectory: true),
         URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Agents", isDirectory: true)]
    }

    /// Loads the agent `nameOrPath`: a file path if it names a file, else `<name>.yaml|.yml|.json` in `directories`.
    public static func load(_ nameOrPath: String, directories: [URL] = directories()) throws -> AgentDefinition {
        try load(nameOrPath, directories: directories, asRoute: false)
    }

    /// `load`; `asRoute` loads an agent a routing agent names, whose own routes are not resolved (a
    /// route that routes in turn is refused, so no file is loaded twice in a chain).
    static func load(_ nameOrPath: String, directories: [URL], asRoute: Bool) throws -> AgentDefinition {
        if FileManager.default.fileExists(atPath: nameOrPath) { return try load(file: nameOrPath, asRoute: asRoute) }
        for directory in directories {
            for ext in ["yaml", "yml", "json"] {
                let path = directory.appendingPathComponent("\(nameOrPath).\(ext)").path
                if FileManager.default.fileExists(atPath: path) { return try load(file: path, directories: directories, asRoute: asRoute) }
            }
        }
        throw AgentLoaderError.notFound(name: nameOrPath, searched: directories.map(\.path), available: available(in: directories))
    }

    /// Names of the agents found in `directories`.
    public static func available(in directories: [URL]) -> [String] {
        let names = directories.flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
                .map { ($0 as NSString).deletingPathExtension }
        }
        return Array(Set(names)).sorted()
    }

    /// Loads one file; its strategies' prompts come from `prompts/` next to it, else from `directories`.
    public static func load(file path: String, directories: [URL] = directories()) throws -> AgentDefinition {
        try load(file: path, directories: directories, asRoute: false)
    }

    static func load(file path: String, directories: [URL] = directories(), asRoute: Bool) throws -> AgentDefinition {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw AgentLoaderError.unreadable(path: path, reason: error.localizedDescription)
        }
        let own = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try parse(text, path: path, promptDirectories: [own] + directories, asRoute: asRoute)
    }

    /// The prompts of every strategy, each from the first of `directories` whose `prompts/` folder has
    /// its file; a strategy whose file is found nowhere is left out (running it is then a clear error).
    public static func prompts(directories: [URL] = directories()) throws -> [String: PromptTemplates] {
        var sets: [String: PromptTemplates] = [:]
        for strategy in AgentDefinition.Strategy.allCases {
            let name = strategy.rawValue
            for directory in directories {
                let file = directory.appendingPathComponent("prompts/\(name).prompts")
                guard FileManager.default.fileExists(atPath: file.path) else { continue }
                do {
                    sets[name] = try PromptTemplates.load(file: file, required: Orchestrator.promptSections(for: strategy))
                } catch {
                    throw AgentLoaderError.prompts(path: file.path, reason: "\(error)")
                }
                break
            }
        }
        return sets
    }

    /// Parses YAML (or JSON) text into an agent; missing optional parts get their defaults, and the
    /// strategies' prompts are read from `promptDirectories` (see `prompts(directories:)`).
    public static func parse(_ text: String, path: String = "agent", promptDirectories: [URL] = directories()) throws -> AgentDefinition {
        try parse(text, path: path, promptDirectories: promptDirectories, asRoute: false)
    }

    static func parse(_ text: String, path: String, promptDirectories: [URL], asRoute: Bool) throws -> AgentDefinition {
        let loaded: JSONValue
        do { loaded = try YAMLDocument.parse(text) } catch { throw AgentLoaderError.syntax(path: path, reason: "\(error)") }
        guard case .object(let top) = loaded else {
            throw AgentLoaderError.syntax(path: path, reason: "the file must be a mapping of keys to values")
        }
        try checkKeys(top, known: topKeys, path: path, section: nil)
        func string(_ key: String, required: Bool) throws -> String? {
            guard let value = top[key], value != .null else {
                if required { throw AgentLoaderError.invalidValue(path: path, key: key, reason: "is required") }
                return nil
            }
            guard let text = value.stringValue else { throw AgentLoaderError.invalidValue(path: path, key: key, reason: "must be text") }
            return text
        }
        func strings(_ key: String) throws -> [String]? {
            guard let value = top[key], value != .null else { return nil }
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw AgentLoaderError.invalidValue(path: path, key: key, reason: "must be a list of names")
            }
            return items.compactMap(\.stringValue)
        }
        let name = try string("name", required: true) ?? ""
        let strategyText = try string("strategy", required: false) ?? AgentDefinition.Strategy.planExecute.rawValue
        guard let strategy = AgentDefinition.Strategy(rawValue: strategyText) else {
            throw AgentLoaderError.invalidValue(path: path, key: "strategy", reason: "must be \(AgentDefinition.Strategy.names), got '\(strategyText)'")
        }
        let plugins = try strings("plugins") ?? []
        if asRoute, strategy == .route {
            throw AgentLoaderError.invalidValue(path: path, key: "strategy", reason: "is route here, but a routing agent's routes must answer")
        }
        let routes = try routes(strings("routes"), strategy: strategy, plugins: plugins, path: path,
                                directories: promptDirectories)
        return AgentDefinition(
            name: name, description: try string("description", required: false) ?? "",
            systemPrompt: try string("system_prompt", required: true) ?? "", strategy: strategy,
            plugins: plugins, tools: try strings("tools"), model: try string("model", required: false),
            sampling: try sampling(top["sampling"], path: path), limits: try limits(top["limits"], path: path),
            examples: try string("examples", required: false), computeTools: try strings("compute_tools"),
            modelAPIKeyEnv: try string("model_api_key_env", required: false), policies: try policies(strings("policies"), path: path),
            prompts: try prompts(directories: promptDirectories), selfConsistency: try selfConsistency(top["self_consistency"], path: path),
            routes: routes)
    }

    /// The agents a `route` agent chooses among, loaded by name from `directories`: required (at least
    /// two) with that strategy and refused with any other; none of them may route in turn, and each must
    /// use only plugins the routing agent starts (all of them when its `plugins` is empty).
    static func routes(_ names: [String]?, strategy: AgentDefinition.Strategy, plugins: [String], path: String,
                       directories: [URL]) throws -> [AgentDefinition]? {
        guard strategy == .route else {
            if names != nil {
                throw AgentLoaderError.invalidValue(path: path, key: "routes", reason: "is only for the route strategy")
            }
            return nil
        }
        guard let names, Set(names).count >= 2, Set(names).count == names.count else {
            throw AgentLoaderError.invalidValue(path: path, key: "routes",
                                                reason: "must list at least two different agents for the route strategy")
        }
        return try names.map { name in
            let agent: AgentDefinition
            do { agent = try load(name, directories: directories, asRoute: true) } catch {
                throw AgentLoaderError.invalidValue(path: path, key: "routes", reason: "cannot load '\(name)': \(error)")
            }
            let outside = plugins.isEmpty ? [] : (agent.plugins.isEmpty ? ["every plugin"] : agent.plugins.filter { !plugins.contains($0) })
            guard outside.isEmpty else {
                throw AgentLoaderError.invalidValue(path: path, key: "routes",
                                                    reason: "'\(name)' uses \(outside.joined(separator: ", ")), which this agent's plugins do not include")
            }
            return agent
        }
    }

    /// The most reasoning paths of self-consistency: a whole number from 1 to 16.
    static func selfConsistency(_ value: JSONValue?, path: String) throws -> Int? {
        guard let value, value != .null else { return nil }
        guard let paths = value.intValue, (1...16).contains(paths) else {
            throw AgentLoaderError.invalidValue(path: path, key: "self_consistency", reason: "must be a whole number from 1 to 16")
        }
        return paths
    }

    /// The planner policies named in the file, each checked against `PlannerPolicy`.
    static func policies(_ names: [String]?, path: String) throws -> [String]? {
        do { _ = try PlannerPolicy.resolve(names) } catch {
            throw AgentLoaderError.invalidValue(path: path, key: "policies", reason: "\(error)")
        }
        return names
    }

    static func sampling(_ value: JSONValue?, path: String) throws -> SamplingSettings {
        var settings = SamplingSettings.greedy
        guard let members = try section(value, "sampling", known: samplingKeys.map(\.file), path: path) else { return settings }
        func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let member = members[key] else { return nil }
            guard let number = member.doubleValue, range.contains(number) else {
                throw AgentLoaderError.invalidValue(path: path, key: "sampling.\(key)",
                                                    reason: "must be a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        if let v = try number("temperature", 0...5) { settings.temperature = v }
        if let v = try number("top_k", 0...1_000_000) { settings.topK = Int(v) }
        if let v = try number("top_p", 0...1) { settings.topP = v }
        if let v = try number("min_p", 0...1) { settings.minP = v }
        if let v = try number("repetition_penalty", 0.1...10) { settings.repetitionPenalty = v }
        if let v = try number("repetition_window", 0...1_000_000) { settings.repetitionWindow = Int(v) }
        if let member = members["seed"] {
            guard let seed = member.intValue, seed >= 0 else {
                throw AgentLoaderError.invalidValue(path: path, key: "sampling.seed", reason: "must be a whole number ≥ 0")
            }
            settings.seed = UInt64(seed)
        }
        return settings
    }

    static func limits(_ value: JSONValue?, path: String) throws -> AgentDefinition.Limits {
        var limits = AgentDefinition.Limits()
        guard let members = try section(value, "limits", known: limitKeys, path: path) else { return limits }
        func whole(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let member = members[key] else { return nil }
            guard let number = member.intValue, range.contains(number) else {
                throw AgentLoaderError.invalidValue(path: path, key: "limits.\(key)",
                                                    reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        if let v = try whole("max_steps", 0...1000) { limits.maxSteps = v }
        if let v = try whole("max_tokens", 1...10_000_000) { limits.maxTokens = v }
        if let v = try whole("max_replans", 0...100) { limits.maxReplans = v }
        if let member = members["wall_seconds"] {
            guard let seconds = member.doubleValue, seconds > 0 else {
                throw AgentLoaderError.invalidValue(path: path, key: "limits.wall_seconds", reason: "must be a positive number")
            }
            limits.wallSeconds = seconds
        }
        return limits
    }

    /// The members of a nested mapping (nil when absent), with its keys checked.
    static func section(_ value: JSONValue?, _ name: String, known: [String], path: String) throws -> [String: JSONValue]? {
        guard let value, value != .null else { return nil }
        guard case .object(let members) = value else {
            throw AgentLoaderError.invalidValue(path: path, key: name, reason: "must be a mapping")
        }
        try checkKeys(members, known: known, path: path, section: name)
        return members
    }

    static func checkKeys(_ members: [String: JSONValue], known: [String], path: String, section: String?) throws {
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw AgentLoaderError.unknownKey(path: path, key: section.map { "\($0).\(unknown)" } ?? unknown, known: known)
        }
    }
}
