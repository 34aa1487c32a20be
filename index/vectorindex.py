"""The only module that imports faiss.

Each index (papers, concepts) is an exact inner-product index over L2-normalised vectors with
stable 64-bit ids derived from the graph key (`vector_id`); the id -> key mapping lives in the
database (`ingest.models.VectorKey`). Writers take a file lock, so there is one writer at a time
across processes, and save atomically (temp file + rename). Readers reload when the file changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

PAPERS = "papers"
CONCEPTS = "concepts"


def vector_id(key: str) -> int:
    """A stable, positive 63-bit id for a graph key."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1


@dataclass(frozen=True)
class Hit:
    vid: int
    score: float


class VectorIndex:
    def __init__(self, *, name: str, directory: Path, dimension: Callable[[], int]):
        self.name = name
        self._dimension = dimension  # asked only when an empty index is made: loads the model
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{name}.faiss"
        self._lock_path = directory / f"{name}.lock"
        self._mutex = threading.Lock()
        self._index: faiss.Index | None = None
        self._ids: set[int] = set()
        self._loaded_stamp: tuple[int, int] | None = None

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _fresh(self) -> faiss.Index:
        """The index as on disk, reloaded only when the file changed since it was last read."""
        stamp = self._stamp()
        if self._index is None or stamp != self._loaded_stamp:
            if stamp is None:
                index = faiss.IndexIDMap2(faiss.IndexFlatIP(self._dimension()))
            else:
                index = faiss.read_index(str(self.path))
            self._index = index
            self._ids = set(faiss.vector_to_array(index.id_map).tolist()) if index.ntotal else set()
            self._loaded_stamp = stamp
        return self._index

    @contextmanager
    def _writer(self) -> Iterator[faiss.Index]:
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)  # the dir may have been emptied
        with self._mutex, open(self._lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self._fresh()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _save(self, index: faiss.Index) -> None:
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        faiss.write_index(index, str(tmp))
        os.replace(tmp, self.path)
        self._loaded_stamp = self._stamp()

    def upsert(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Add or replace vectors by id; adding an id twice keeps one vector."""
        if not len(ids):
            return
        id_array = np.asarray(ids, dtype=np.int64)
        with self._writer() as index:
            if index.d != vectors.shape[1]:
                raise ValueError(
                    f"{self.path} holds {index.d}-d vectors; got {vectors.shape[1]}-d ones "
                    "(EMBEDDING_MODEL changed? run `manage.py rebuild_index`)"
                )
            present = [i for i in ids if i in self._ids]
            if present:
                index.remove_ids(np.asarray(present, dtype=np.int64))
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), id_array)
            self._ids.update(int(i) for i in ids)
            self._save(index)

    def remove(self, ids: Sequence[int]) -> None:
        """Drop the vectors of those ids that have one."""
        with self._writer() as index:
            present = [int(i) for i in ids if i in self._ids]
            if present:
                index.remove_ids(np.asarray(present, dtype=np.int64))
                self._ids.difference_update(present)
                self._save(index)

    def replace_all(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Swap in a complete new index (rebuild)."""
        with self._writer():
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(self._dimension()))
            if len(ids):
                index.add_with_ids(
                    np.ascontiguousarray(vectors, dtype=np.float32),
                    np.asarray(ids, dtype=np.int64),
                )
            self._save(index)
            self._index, self._ids = index, {int(i) for i in ids}

    def missing(self, ids: Sequence[int]) -> list[int]:
        with self._mutex:
            self._fresh()
            return [i for i in ids if i not in self._ids]

    def vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of those ids that have one."""
        with self._mutex:
            index = self._fresh()
            return {int(i): index.reconstruct(int(i)) for i in ids if i in self._ids}

    def export(self) -> tuple[np.ndarray, np.ndarray]:
        """All (ids, vectors) at once, in the index's internal order."""
        with self._mutex:
            index = self._fresh()
            if not index.ntotal:
                return np.array([], dtype=np.int64), np.zeros((0, index.d), dtype=np.float32)
            ids = faiss.vector_to_array(index.id_map).astype(np.int64)
            return ids, index.index.reconstruct_n(0, index.ntotal)

    def count(self) -> int:
        with self._mutex:
            return int(self._fresh().ntotal)

    def search(self, queries: np.ndarray, k: int) -> list[list[Hit]]:
        with self._mutex:
            index = self._fresh()
            if not index.ntotal:
                return [[] for _ in range(len(queries))]
            scores, ids = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return [
            [Hit(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i != -1]
            for row_ids, row_scores in zip(ids, scores, strict=True)
        ]


_indexes: dict[tuple[str, str], VectorIndex] = {}
_registry_lock = threading.Lock()


def get_index(name: str, *, check: bool = True) -> VectorIndex:
    """The process's handle on one index in the data dir, once the dir's vectors are known to
    come from this process's embedding (`check=False` for a rebuild, which replaces them)."""
    from django.conf import settings

    from index.embedding import dimension, identity_check

    with _registry_lock:
        key = (str(settings.VECTOR_DIR), name)
        if key not in _indexes:
            if check:
                identity_check(settings.VECTOR_DIR)
            _indexes[key] = VectorIndex(
                name=name, directory=settings.VECTOR_DIR, dimension=dimension
            )
        return _indexes[key]
