/// A piece of a prompt with its trust level: template structure may contain CONTROL tokens,
/// content (user text, tool output, plugin descriptions) never becomes one.
public struct PromptPiece: Equatable, Sendable {
    /// The text.
    public var text: String
    /// Whether CONTROL tokens written in this text become their ids (template structure only).
    public var parseSpecial: Bool

    /// Creates a piece.
    public init(_ text: String, parseSpecial: Bool) {
        self.text = text
        self.parseSpecial = parseSpecial
    }

    /// Template structure (`<|im_start|>user\n`).
    public static func template(_ text: String) -> PromptPiece { PromptPiece(text, parseSpecial: true) }
    /// Untrusted content.
    public static func content(_ text: String) -> PromptPiece { PromptPiece(text, parseSpecial: false) }
}

extension Tokenizer {
    /// Encodes a prompt made of pieces with different trust levels.
    ///
    /// Special tokens are found inside each piece according to its own `parseSpecial`; the plain
    /// text around them is then joined across piece boundaries before BPE, so the ids equal those of
    /// encoding the whole text at once (as llama.cpp would) whenever content holds no control-token text.
    public func encode(_ pieces: [PromptPiece]) -> [Int] {
        var bytes: [UInt8] = []
        var fragments: [Fragment] = []
        for piece in pieces {
            let base = bytes.count
            var text = piece.text
            text.withUTF8 { utf8 in
                bytes.append(contentsOf: utf8)
                for fragment in partition(utf8, parseSpecial: piece.parseSpecial) {
                    switch fragment {
                    case .token:
                        fragments.append(fragment)
                    case let .text(range):
                        let shifted = (range.lowerBound + base)..<(range.upperBound + base)
                        if case let .text(previous)? = fragments.last, previous.upperBound == shifted.lowerBound {
                            fragments[fragments.count - 1] = .text(previous.lowerBound..<shifted.upperBound)
                        } else {
                            fragments.append(.text(shifted))
                        }
                    }
                }
            }
        }
        return bytes.withUnsafeBufferPointer { encode(fragments: fragments, in: $0) }
    }
}
