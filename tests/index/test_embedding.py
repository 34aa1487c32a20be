"""The embedding a data dir was built with, and the quantized model."""

import json

import numpy as np
import pytest

from index import embedding
from index.embedding import EmbeddingMismatch, identity_check


def test_a_new_vector_dir_records_the_embedding_and_takes_only_the_same(settings, tmp_path):
    identity_check(tmp_path)
    recorded = json.loads((tmp_path / "embedding.json").read_text())
    assert recorded == {"model": recorded["model"], "max_tokens": 128, "quantize": ""}
    identity_check(tmp_path)  # the same embedding: no complaint
    settings.EMBEDDING_QUANTIZE = "int8"
    with pytest.raises(EmbeddingMismatch, match="quantize '' here, 'int8' asked.*rebuild_index"):
        identity_check(tmp_path)


def test_vectors_older_than_the_record_count_as_float(settings, tmp_path):
    (tmp_path / "papers.faiss").write_bytes(b"")
    settings.EMBEDDING_QUANTIZE = "int8"
    with pytest.raises(EmbeddingMismatch):
        identity_check(tmp_path)
    assert json.loads((tmp_path / "embedding.json").read_text())["quantize"] == ""


def test_the_quantized_model_embeds_close_to_the_float_one(settings):
    texts = [
        "Sparse autoencoders find monosemantic features in language model activations.",
        "Direct preference optimization aligns language models without a reward model.",
        "Graph neural networks predict molecular properties.",
    ]
    floats = embedding.encode(texts)
    settings.EMBEDDING_QUANTIZE = "int8"
    embedding.get_model.cache_clear()
    try:
        quantized = embedding.encode(texts)
    finally:
        settings.EMBEDDING_QUANTIZE = ""
        embedding.get_model.cache_clear()
    agreement = np.einsum("ij,ij->i", floats, quantized)
    assert (agreement > 0.8).all() and (agreement < 0.9999).all()  # close, but quantized
    assert np.allclose(np.linalg.norm(quantized, axis=1), 1, atol=1e-4)
