import AgentCore

/// The text Loom itself adds to an answer (not the model's, not a prompt): what is missing, and the answer
/// built from the results when no budget is left to ask the model.
enum RunNotes {
    /// An answer built without the model, when no budget is left to ask it.
    static func fallbackAnswer(stop: BudgetStop?, results: [(String, ToolResult)], missing: [String]) -> String {
        var text = "I could not finish: \(stop?.description ?? "no usable plan")."
        let good = results.filter { !$0.1.isError }
        if !good.isEmpty {
            text += " Results so far:"
            for (id, result) in good { text += "\n- \(id) (\(result.tool)): \(Truncation.fit(result.content, limit: 300))" }
        }
        if !missing.isEmpty { text += "\nMissing: \(missing.joined(separator: "; "))." }
        return text
    }

    /// The deterministic note appended to an answer when something is missing.
    static func missingNote(stop: BudgetStop?, missing: [String]) -> String? {
        guard stop != nil || !missing.isEmpty else { return nil }
        var parts: [String] = []
        if let stop { parts.append("Stopped early: \(stop).") }
        if !missing.isEmpty { parts.append("Missing: \(missing.joined(separator: "; ")).") }
        return parts.joined(separator: " ")
    }
}
