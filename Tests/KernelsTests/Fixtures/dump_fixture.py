# Dumps reference dequantized values of a few real tensors with gguf-py (see Fixtures/README.md).
import gguf, os, json, sys
import numpy as np
from gguf.quants import dequantize
models = os.path.expanduser('~/.cache/loom/models/')
picks = [
    ('smollm2-135m-instruct-q4_1.gguf', 'blk.0.attn_q.weight'),
    ('qwen2.5-coder-0.5b-instruct-q4_k_m.gguf', 'blk.0.attn_q.weight'),
    ('qwen2.5-coder-0.5b-instruct-q4_k_m.gguf', 'blk.0.attn_v.weight'),
    ('qwen2.5-coder-0.5b-instruct-q4_k_m.gguf', 'blk.0.ffn_down.weight'),
    ('qwen2.5-coder-0.5b-instruct-q4_k_m.gguf', 'blk.11.ffn_down.weight'),
    ('qwen2.5-coder-0.5b-instruct-q4_k_m.gguf', 'blk.0.attn_norm.weight'),
]
out = []
readers = {}
for model, name in picks:
    r = readers.setdefault(model, gguf.GGUFReader(models + model))
    t = next(t for t in r.tensors if t.name == name)
    v = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1)
    n = v.size
    idx = [int(i * n // 64 + 7) % n for i in range(64)]
    out.append({
        'model': model, 'tensor': name, 'type': t.tensor_type.name.lower().replace('_k', '_K'),
        'count': int(n),
        'first': [float(x) for x in v[:64]],
        'sampleIndices': idx, 'samples': [float(v[i]) for i in idx],
        'sum': float(v.astype(np.float64).sum()), 'sumOfSquares': float((v.astype(np.float64) ** 2).sum()),
    })
json.dump({'generator': 'gguf-py 0.19.0 (gguf.quants.dequantize)',
           'tensors': out}, open(sys.argv[1], 'w'), indent=1)
