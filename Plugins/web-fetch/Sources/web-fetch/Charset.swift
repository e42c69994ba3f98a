import Glibc

/// Turns a response body into a Swift string, whatever charset it was sent in.
///
/// Order (after the WHATWG encoding sniffing algorithm, simplified): a byte-order mark, then the
/// `Content-Type` charset, then for HTML a `<meta charset>` / `http-equiv` declaration in the first
/// 4 KiB, then UTF-8 if the bytes are valid UTF-8, else Windows-1252. Labels WHATWG maps to
/// Windows-1252 (`iso-8859-1`, `latin1`, `us-ascii`, …) decode with a built-in table; other labels go
/// through iconv.
enum Charset {
    /// The decoded text and the name of the charset used.
    struct Decoded: Equatable {
        let text: String
        let charset: String
    }

    /// Decodes `body`, declared charset first (`declared` is the header's charset parameter, if any).
    static func decode(_ body: [UInt8], declared: String?, isHTML: Bool) -> Decoded {
        if body.starts(with: [0xEF, 0xBB, 0xBF]) {
            return Decoded(text: String(decoding: body.dropFirst(3), as: UTF8.self), charset: "utf-8")
        }
        if body.starts(with: [0xFF, 0xFE]) { return convert(Array(body.dropFirst(2)), from: "UTF-16LE") }
        if body.starts(with: [0xFE, 0xFF]) { return convert(Array(body.dropFirst(2)), from: "UTF-16BE") }
        let label = declared ?? (isHTML ? metaCharset(body) : nil)
        if let label = label.map(normalize) {
            if utf8Labels.contains(label) { return Decoded(text: String(decoding: body, as: UTF8.self), charset: "utf-8") }
            if windows1252Labels.contains(label) { return Decoded(text: decodeWindows1252(body), charset: "windows-1252") }
            if label == "utf-16" { return convert(body, from: "UTF-16LE") }
            let converted = convert(body, from: label)
            if converted.charset != "utf-8" { return converted }
        }
        if let text = String(validating: body, as: UTF8.self) { return Decoded(text: text, charset: "utf-8") }
        return Decoded(text: decodeWindows1252(body), charset: "windows-1252")
    }

    private static let utf8Labels: Set<String> = ["utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8"]

    /// WHATWG Encoding Standard labels of windows-1252.
    private static let windows1252Labels: Set<String> = [
        "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso88591", "iso_8859-1",
        "iso_8859-1:1987", "iso-ir-100", "latin1", "l1", "csisolatin1", "cp819", "ibm819", "us-ascii",
        "ascii", "ansi_x3.4-1968", "iso-8859-15-1252",
    ]

    /// Windows-1252 bytes 0x80–0x9F (the rest equals Latin-1); 0 where the byte is undefined.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    private static func normalize(_ label: String) -> String {
        label.trimmingASCIIWhitespace().lowercased()
    }

    /// Decodes Windows-1252 (and so Latin-1 and ASCII); undefined bytes map to the same C1 code point.
    static func decodeWindows1252(_ body: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(body.count)
        for byte in body {
            var value = UInt32(byte)
            if (0x80...0x9F).contains(byte), windows1252High[Int(byte) - 0x80] != 0 {
                value = windows1252High[Int(byte) - 0x80]
            }
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    /// The charset a `<meta>` tag in the first 4 KiB declares, if any.
    static func metaCharset(_ body: [UInt8]) -> String? {
        let head = String(decoding: body.prefix(4096).map { $0 < 0x80 ? $0 : 0x20 }, as: UTF8.self).lowercased()
        var searchFrom = head.startIndex
        while let meta = head.range(of: "<meta", range: searchFrom..<head.endIndex) {
            let tagEnd = head[meta.upperBound...].firstIndex(of: ">") ?? head.endIndex
            let tag = head[meta.upperBound..<tagEnd]
            if let charset = tag.range(of: "charset") {
                var rest = tag[charset.upperBound...].drop(while: { $0 == " " })
                if rest.first == "=" {
                    rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\"" || $0 == "'" })
                    let value = rest.prefix(while: { !" \"';/>".contains($0) })
                    if !value.isEmpty { return String(value) }
                }
            }
            searchFrom = tagEnd
        }
        return nil
    }

    /// Converts with iconv; undecodable bytes become U+FFFD. An unknown charset falls back to lossy UTF-8.
    private static func convert(_ body: [UInt8], from charset: String) -> Decoded {
        let converter = iconv_open("UTF-8", charset)
        guard converter != iconv_t(bitPattern: -1) else {
            return Decoded(text: String(decoding: body, as: UTF8.self), charset: "utf-8")
        }
        defer { iconv_close(converter) }
        var output: [UInt8] = []
        output.reserveCapacity(body.count * 2)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = body
        input.withUnsafeMutableBufferPointer { inBuffer in
            var inPointer = UnsafeMutableRawPointer(inBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
            var inLeft = inBuffer.count
            while inLeft > 0 {
                let (produced, result) = chunk.withUnsafeMutableBufferPointer { outBuffer -> (Int, Int) in
                    var outPointer = UnsafeMutableRawPointer(outBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuffer.count
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (outBuffer.count - outLeft, result)
                }
                output.append(contentsOf: chunk.prefix(produced))
                if result == -1 {
                    let error = errno
                    if error == E2BIG { continue }
                    // EILSEQ or EINVAL (truncated input): replace one byte and go on.
                    output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    inPointer = inPointer.map { $0 + 1 }
                    inLeft -= 1
                }
            }
        }
        return Decoded(text: String(decoding: output, as: UTF8.self), charset: charset)
    }
}
