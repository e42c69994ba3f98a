// Fuzz target: web-fetch's page conversion (charset detection, Gumbo's HTML parse, the markdown
// renderer, JSON pretty-printing). Any body converts or is refused as binary; never a crash.
import FuzzDriver
@testable import web_fetch

/// Declared content types, chosen by the first input byte: HTML (with and without a charset), JSON,
/// plain text and none (the type is sniffed).
let contentTypes = ["text/html", "text/html; charset=utf-8", "text/html; charset=windows-1252",
                    "application/json", "text/plain", ""]

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzDriver.bytes(data, count)
    guard let mode = input.first else { return 0 }
    let contentType = contentTypes[Int(mode) % contentTypes.count]
    do {
        _ = try PageConverter.convert(body: Array(input.dropFirst()), contentType: contentType,
                                      url: "https://example.org/a/b.html")
    } catch is WebFetchError {
        return 0
    } catch {
        fatalError("conversion threw a non-WebFetchError: \(error)")
    }
    return 0
}

FuzzDriver.run(testOneInput)
