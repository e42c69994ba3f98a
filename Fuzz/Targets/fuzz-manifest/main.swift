// Fuzz target: plugin manifests, JSON (Loom's strict parser) and YAML (Yams), then validation. Any text
// is a manifest or a `PluginHostError`; JSON that parses reads back the same from
// its compact form (numbers compared by value).
import AgentCore
import FuzzDriver
@testable import PluginHost

/// Equal JSON, numbers compared by value (`-0` reads back as the integer 0; `1e-400` is -0.0 or 0.0).
func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy(same)
    case let (.object(x), .object(y)): return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
    default:
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzDriver.bytes(data, count)
    // The first byte chooses the syntax; the rest is the file (a manifest is read as UTF-8 text).
    guard let mode = input.first, let text = String(validating: input.dropFirst(), as: UTF8.self) else { return 0 }
    let yaml = mode & 1 == 1
    do {
        let document = try Manifest.parseDocument(text, yaml: yaml, file: "fuzz.json")
        if !yaml {
            let again = try ManifestJSONParser.parse(document.compactText, file: "again.json")
            FuzzDriver.check(same(again, document), "JSON round trip changed the document: \(text)")
        }
        _ = try Manifest.parse(document, file: "fuzz.json")
    } catch is PluginHostError {
        return 0
    } catch {
        fatalError("the manifest parser threw a non-PluginHostError: \(error)")
    }
    return 0
}

FuzzDriver.run(testOneInput)
