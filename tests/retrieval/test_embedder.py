"""Question embeddings in bfloat16 must find the same passages as in float32."""

from __future__ import annotations

import numpy as np

from bot.retrieval.embedder import _native_bf16

QUESTIONS = [
    "Mục tiêu thu nhập bình quân đầu người năm 2045 là bao nhiêu?",
    "muc tieu xuyen suot xay dung thu do theo huong nao",
    "Who gives overall direction for carrying out this plan?",
]


def test_bf16_questions_point_the_same_way_as_float32(engine) -> None:
    encoder = engine.encoder
    chosen = encoder.bf16_queries
    try:
        encoder.bf16_queries = False
        exact = encoder.encode_queries(QUESTIONS)
        encoder.bf16_queries = True
        fast = encoder.encode_queries(QUESTIONS)
    finally:
        encoder.bf16_queries = chosen
    assert fast.dtype == np.float32 and fast.shape == exact.shape
    assert np.all((exact * fast).sum(axis=1) > 0.999)  # both are unit vectors


def test_the_cpu_check_answers_plainly() -> None:
    assert isinstance(_native_bf16(), bool)  # False, never an error, without oneDNN
