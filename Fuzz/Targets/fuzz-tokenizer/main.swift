// Fuzz target: the tokenizer on arbitrary bytes, with both pre-tokenizers and special-token parsing on
// and off. Ids stay in range; valid UTF-8 comes back byte for byte from decode(encode(text)); the
// streaming detokenizer gives the same text as a whole decode.
import Foundation
import FuzzDriver
import Tokenizers

/// GPT-2's byte-level alphabet: the spelling of the token for each byte.
func byteSpelling(_ byte: Int) -> String {
    let printable = { (b: Int) in (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) }
    if printable(byte) { return String(Character(Unicode.Scalar(UInt32(byte))!)) }
    let shifted = (0..<byte).filter { !printable($0) }.count
    return String(Character(Unicode.Scalar(UInt32(256 + shifted))!))
}

/// A small byte-level vocabulary: every byte, a few merges of common English, two control tokens and one
/// user-defined token.
func makeTokenizer(_ kind: PreTokenizer.Kind) -> Tokenizer {
    let merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "o n", "1 2", "Ġ Ġ", "ĠĠ ĠĠ", "Ċ Ċ", "' s"]
    let merged = merges.map { $0.replacingOccurrences(of: " ", with: "") }
    let special = ["<|im_start|>", "<|im_end|>", "<tool_call>"]
    let tokens = (0..<256).map(byteSpelling) + merged + special
    let types = [TokenType](repeating: .normal, count: 256 + merged.count) + [.control, .control, .userDefined]
    do {
        return try Tokenizer(tokens: tokens, types: types, merges: merges, preTokenizer: kind, eosToken: tokens.count - 2)
    } catch {
        fatalError("the fuzz vocabulary is invalid: \(error)")
    }
}

let tokenizers = [makeTokenizer(.qwen2), makeTokenizer(.smollm)]

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzDriver.bytes(data, count)
    guard let mode = input.first else { return 0 }
    let tokenizer = tokenizers[Int(mode & 1)]
    let parseSpecial = mode & 2 != 0
    let text = Array(input.dropFirst())
    let ids = text.withUnsafeBufferPointer { tokenizer.encode(bytes: $0, parseSpecial: parseSpecial) }
    FuzzDriver.check(ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) }, "token id out of range: \(ids)")
    let decoded = tokenizer.decodeBytes(ids)
    let isUTF8 = String(validating: text, as: UTF8.self) != nil
    if isUTF8 { FuzzDriver.check(decoded == text, "decode(encode(x)) != x for \(text) -> \(ids)") }
    var stream = StreamingDetokenizer(tokenizer: tokenizer, renderSpecial: true)
    var streamed = ""
    for id in ids { streamed += stream.append(id) }
    streamed += stream.finish()
    if isUTF8 { FuzzDriver.check(streamed == tokenizer.decode(ids), "streamed text differs from decode for \(ids)") }
    return 0
}

FuzzDriver.run(testOneInput)
