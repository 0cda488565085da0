"""The embedders: shapes, unit vectors, determinism, meaning, bad input, offline loading."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from dailypapers.search.embeddings import (
    MODELS,
    Embedder,
    document_text,
    get_embedder,
    stored_name,
)

DIMS = {"minilm": 384, "minilm-128": 384, "wordllama": 256}

ABSTRACTS = {
    "rlhf": document_text(
        "Training language models to follow instructions with human feedback",
        "We fine-tune large language models with reinforcement learning from human feedback: "
        "labelers rank model outputs, a reward model learns their preferences, and the policy "
        "is optimised against that reward with PPO.",
    ),
    "protein": document_text(
        "Protein structure prediction with deep learning",
        "We predict the three-dimensional structure of proteins from their amino acid sequence "
        "using an attention-based network trained on the Protein Data Bank.",
    ),
    "weather": document_text(
        "A foundation model for global weather forecasting",
        "Trained on decades of reanalysis data, our model forecasts temperature, wind and "
        "precipitation ten days ahead, faster than numerical weather prediction.",
    ),
    "segmentation": document_text(
        "Segmenting objects in videos",
        "A promptable model segments any object in images and tracks it through video frames "
        "with a streaming memory.",
    ),
}
QUERIES = {
    "rlhf": "align llm with human preferences",
    "protein": "predict 3d protein folding",
    "weather": "ai weather forecast",
    "segmentation": "track and segment objects across video frames",
}
NASTY = [
    "",
    "   \n\t ",
    "\x00",
    "a\x00b\x00" * 50,
    "x" * 1_000_000,
    "word " * 200_000,
    "注意力机制 Трансформеры عربي 🚀🧪",
    "\ud800 lone surrogate",
    '"unbalanced NEAR * ^ -- ; DROP TABLE papers;',
    "...!!!???",
]


@pytest.fixture(scope="module", params=sorted(MODELS))
def embedder(request: pytest.FixtureRequest) -> Embedder:
    return get_embedder(request.param)


def test_documents_are_unit_float32_rows_of_the_model_dimension(embedder: Embedder) -> None:
    vectors = embedder.embed_documents(list(ABSTRACTS.values()))

    assert vectors.shape == (len(ABSTRACTS), embedder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(("name", "dim"), sorted(DIMS.items()))
def test_each_model_has_its_published_dimension(name: str, dim: int) -> None:
    embedder = get_embedder(name)

    assert embedder.dim == dim
    assert embedder.embed_documents(["a title. an abstract"]).shape == (1, dim)


def test_query_is_one_unit_float32_vector(embedder: Embedder) -> None:
    vector = embedder.embed_query("reward models for rlhf")

    assert vector.shape == (embedder.dim,)
    assert vector.dtype == np.float32
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_no_documents_give_an_empty_matrix(embedder: Embedder) -> None:
    assert embedder.embed_documents([]).shape == (0, embedder.dim)


def test_vectors_do_not_depend_on_the_batch_or_on_repetition(embedder: Embedder) -> None:
    text = ABSTRACTS["rlhf"]
    alone = embedder.embed_documents([text])[0]
    # Batched with longer and shorter texts (padding, length sorting) and in another position.
    batched = embedder.embed_documents(["short", ABSTRACTS["protein"] * 5, text, "x"])[2]

    np.testing.assert_allclose(batched, alone, atol=1e-5)
    np.testing.assert_array_equal(embedder.embed_documents([text])[0], alone)
    np.testing.assert_allclose(embedder.embed_query(text), alone, atol=1e-5)


def test_each_query_is_nearest_its_own_abstract(embedder: Embedder) -> None:
    keys = list(ABSTRACTS)
    documents = embedder.embed_documents([ABSTRACTS[key] for key in keys])

    for key, query in QUERIES.items():
        scores = documents @ embedder.embed_query(query)
        assert keys[int(np.argmax(scores))] == key, (query, dict(zip(keys, scores, strict=True)))


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_any_string_embeds_to_a_finite_unit_vector(embedder: Embedder, text: str) -> None:
    query = embedder.embed_query(text)
    documents = embedder.embed_documents([text, "a normal title. a normal abstract"])

    for vector in (query, *documents):
        assert np.isfinite(vector).all()
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_whitespace_and_nul_do_not_change_the_vector(embedder: Embedder) -> None:
    plain = embedder.embed_query("diffusion models for video")

    np.testing.assert_array_equal(
        embedder.embed_query("  diffusion\n models\x00for\tvideo "), plain
    )


def test_name_identifies_model_and_settings() -> None:
    from dailypapers.search.embeddings import MiniLM

    assert get_embedder("minilm").name == "minilm-l6-int8-256"
    # A different truncation gives different vectors, so it must give a different name.
    assert get_embedder("minilm-128").name == "minilm-l6-int8-128"
    assert get_embedder("wordllama").name.startswith("wordllama-")
    assert MiniLM(max_tokens=64).name != get_embedder("minilm").name


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_stored_name_known_without_loading_is_the_loaded_models(name: str) -> None:
    assert stored_name(name) == get_embedder(name).name


@override_settings(EMBEDDING_MODEL="wordllama")
def test_the_stored_name_follows_the_setting() -> None:
    assert stored_name() == get_embedder("wordllama").name
    with pytest.raises(ImproperlyConfigured, match="'bert'"):
        stored_name("bert")


def test_embedders_are_loaded_once_per_process() -> None:
    assert get_embedder("minilm") is get_embedder("minilm")


@override_settings(EMBEDDING_MODEL="wordllama")
def test_default_comes_from_the_setting() -> None:
    assert get_embedder() is get_embedder("wordllama")


def test_unknown_model_is_a_configuration_error_naming_the_choices() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"'bert'.*minilm, minilm-128, wordllama"):
        get_embedder("bert")


def test_document_text_joins_title_and_abstract_with_whitespace_folded() -> None:
    assert document_text(" Attention\nis all  you need ", "We propose\tthe Transformer.\n") == (
        "Attention is all you need. We propose the Transformer."
    )
    assert document_text("Only a title", "") == "Only a title"
    assert document_text("", "  ") == ""


OFFLINE_SCRIPT = textwrap.dedent(
    """
    import socket, sys

    def no_network(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
            raise RuntimeError(f"network access: {event} {args!r}")

    sys.addaudithook(no_network)
    from dailypapers.search.embeddings import MODELS

    for name, make in sorted(MODELS.items()):
        embedder = make()
        assert embedder.embed_query("offline").shape == (embedder.dim,)
        print(name, embedder.name)
    try:  # the guard itself works: a real connection attempt is refused by it
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    except RuntimeError as error:
        print("guard:", error)
    """
)


def test_models_load_and_run_with_the_network_blocked(tmp_path: Path) -> None:
    # A fresh HOME has no model caches: everything must come from the installed packages.
    env = {**os.environ, "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1", "XDG_CACHE_HOME": ""}
    result = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["minilm", "minilm-128", "wordllama"]
    assert lines[3].startswith("guard: network access: socket.")
