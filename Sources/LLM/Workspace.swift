/// Scratch activations for one batch of up to `capacity` tokens, allocated once per session.
///
/// Shapes, for n ≤ capacity tokens of the batch (row-major, one row per token):
/// `residual` (n, d), `normed` (n, d), `query` (n, H·hd), `attention` (n, H·hd),
/// `gate` (n, ff), `up` (n, ff), `logits` (logitRows, vocab).
final class Workspace {
    /// Largest batch the buffers hold.
    let capacity: Int
    /// Output rows computed together by the output projection.
    let logitRows: Int
    /// The residual stream x.
    let residual: UnsafeMutablePointer<Float>
    /// Normalized activations, and the output of the attention/FFN projections before the residual add.
    let normed: UnsafeMutablePointer<Float>
    /// Queries.
    let query: UnsafeMutablePointer<Float>
    /// Attention output (all heads, before the output projection).
    let attention: UnsafeMutablePointer<Float>
    /// SwiGLU gate, then the activation.
    let gate: UnsafeMutablePointer<Float>
    /// SwiGLU up projection.
    let up: UnsafeMutablePointer<Float>
    /// Logits of up to `logitRows` positions.
    let logits: UnsafeMutablePointer<Float>

    private let all: [UnsafeMutablePointer<Float>]

    /// Allocates buffers for batches of `capacity` tokens of a model shaped like `configuration`.
    init(configuration c: ModelConfiguration, capacity: Int, logitRows: Int) {
        self.capacity = capacity
        self.logitRows = logitRows
        let d = c.embeddingLength, q = c.headCount * c.headDimension
        // Every buffer is written before it is read; left uninitialized, large ones stay out of
        // the resident set until a batch that large actually runs.
        func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            UnsafeMutablePointer<Float>.allocate(capacity: count)
        }
        residual = buffer(capacity * d)
        normed = buffer(capacity * max(d, q))
        query = buffer(capacity * q)
        attention = buffer(capacity * q)
        gate = buffer(capacity * c.feedForwardLength)
        up = buffer(capacity * c.feedForwardLength)
        logits = buffer(logitRows * c.vocabularySize)
        all = [residual, normed, query, attention, gate, up, logits]
    }

    deinit {
        for pointer in all { pointer.deallocate() }
    }
}
