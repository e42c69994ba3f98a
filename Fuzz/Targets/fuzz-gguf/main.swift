// Fuzz target: the GGUF reader, and the tokenizer and chat template read from a file's metadata.
// Any file must open or throw `GGUFError`; a file that opens has every tensor inside the mapping.
import FuzzDriver
import Foundation
import AgentCore
import GGUF
import Tokenizers

/// One file per process, rewritten for each input (`GGUFFile` maps a path).
let path = FileManager.default.temporaryDirectory.appendingPathComponent("loom-fuzz-gguf-\(getpid()).gguf").path
let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
precondition(descriptor >= 0, "cannot create \(path)")
atexit { unlink(FileManager.default.temporaryDirectory.appendingPathComponent("loom-fuzz-gguf-\(getpid()).gguf").path) }

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard ftruncate(descriptor, 0) == 0, pwrite(descriptor, data, count, 0) == count else { return 0 }
    let file: GGUFFile
    do { file = try GGUFFile(path: path) } catch is GGUFError { return 0 } catch {
        fatalError("GGUFFile threw a non-GGUFError: \(error)")
    }
    _ = file.summary
    for tensor in file.tensors where tensor.byteCount > 0 {
        FuzzDriver.check(tensor.offset + tensor.byteCount <= file.fileSize, "tensor \(tensor.name) ends past the file")
        _ = file.data(tensor).load(fromByteOffset: tensor.byteCount - 1, as: UInt8.self)
    }
    for value in file.metadata.values { _ = (value.stringArray, value.intArray, value.floatArray) }
    guard let tokenizer = try? Tokenizer(gguf: file) else { return 0 }
    let ids = tokenizer.encode("Hello, world! <|im_end|> 123", parseSpecial: true)
    FuzzDriver.check(ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) }, "token id out of range")
    _ = tokenizer.decode(ids)
    if let template = try? ChatTemplate(jinja: tokenizer.chatTemplate, allowFallback: true) {
        _ = template.render([Message(role: .user, content: "hi")])
    }
    return 0
}

FuzzDriver.run(testOneInput)
