/// The GGUF metadata keys the tokenizer reads (llama.cpp `LLM_KV_TOKENIZER_*`).
enum GGUFKeys {
    static let model = "tokenizer.ggml.model"
    static let pre = "tokenizer.ggml.pre"
    static let tokens = "tokenizer.ggml.tokens"
    static let tokenTypes = "tokenizer.ggml.token_type"
    static let merges = "tokenizer.ggml.merges"
    static let bosID = "tokenizer.ggml.bos_token_id"
    static let eosID = "tokenizer.ggml.eos_token_id"
    static let chatTemplate = "tokenizer.chat_template"
}
