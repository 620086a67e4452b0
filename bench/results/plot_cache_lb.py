#!/usr/bin/python3
"""Plots for bench/results/cache.md and lb.md from the committed CSVs.

Usage: /usr/bin/python3 bench/results/plot_cache_lb.py   (run from the repository root)
Writes cache_hit_ratio.png, lb_latency.png, lb_share.png beside the CSVs and
prints the summary figures quoted in the markdown files.
"""
import csv
import os
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(HERE, name)) as f:
        return list(csv.DictReader(f))


def cache_plot():
    rows = read("cache_hit_ratio.csv")
    labels = [f"{r['trace'].split('/')[-1]}@{r['size']}" for r in rows]
    x = range(len(rows))
    fig, ax = plt.subplots(figsize=(16, 5))
    w = 0.27
    for i, (col, name) in enumerate([("lru", "LRU"), ("wtinylfu", "W-TinyLFU (adaptive)"), ("opt", "OPT")]):
        ax.bar([v + (i - 1) * w for v in x], [float(r[col]) for r in rows], w, label=name)
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, rotation=70, fontsize=7)
    ax.set_ylabel("hit ratio")
    ax.set_title("Hit ratio per trace and cache size")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "cache_hit_ratio.png"), dpi=110)
    gaps_lru = [float(r["opt"]) - float(r["lru"]) for r in rows]
    gaps_tlfu = [float(r["opt"]) - float(r["wtinylfu"]) for r in rows]
    losses = [(r["trace"], r["size"], r["lru"], r["wtinylfu"]) for r in rows if float(r["wtinylfu"]) < float(r["lru"])]
    print(f"cache: {len(rows)} trace/size points")
    print(f"cache: mean gap to OPT  LRU {statistics.mean(gaps_lru):.4f}  W-TinyLFU {statistics.mean(gaps_tlfu):.4f}"
          f"  ratio {statistics.mean(gaps_tlfu) / statistics.mean(gaps_lru):.3f}")
    print(f"cache: points where W-TinyLFU < LRU: {losses}")


def lb_plots():
    rows = read("lb_sim.csv")
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    p50 = {s: statistics.mean(float(r["p50_ms"]) for r in rows if r["strategy"] == s) for s in strategies}
    p99 = {s: statistics.mean(float(r["p99_ms"]) for r in rows if r["strategy"] == s) for s in strategies}
    fig, ax = plt.subplots(figsize=(10, 4.5))
    xs = range(len(strategies))
    ax.bar([x - 0.2 for x in xs], [p50[s] for s in strategies], 0.4, label="p50")
    ax.bar([x + 0.2 for x in xs], [p99[s] for s in strategies], 0.4, label="p99")
    ax.set_yscale("log")
    ax.set_xticks(list(xs))
    ax.set_xticklabels(strategies, rotation=20, fontsize=8)
    ax.set_ylabel(f"latency, ms (log scale; mean of {len(set(r['seed'] for r in rows))} seeds)")
    ax.set_title("Request latency per strategy (slow, failing and joining backends)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "lb_latency.png"), dpi=110)

    cols = [c for c in rows[0] if c.startswith("share_")]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    bottom = [0.0] * len(strategies)
    for c in cols:
        vals = [statistics.mean(float(r[c]) for r in rows if r["strategy"] == s) for s in strategies]
        ax.bar(list(xs), vals, 0.6, bottom=bottom, label=c.replace("share_", ""))
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_xticks(list(xs))
    ax.set_xticklabels(strategies, rotation=20, fontsize=8)
    ax.set_ylabel("share of requests")
    ax.set_title("Load share per backend")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "lb_share.png"), dpi=110)
    for s in strategies:
        print(f"lb: {s:22s} p50 {p50[s]:9.2f} ms  p99 {p99[s]:10.2f} ms  p99/oracle {p99[s] / p99['oracle']:.2f}")
    seeds = list(dict.fromkeys(r["seed"] for r in rows))
    oracle = {r["seed"]: float(r["p99_ms"]) for r in rows if r["strategy"] == "oracle"}
    for s in strategies:
        if not s.startswith("p2c"):
            continue
        ratios = [float(r["p99_ms"]) / oracle[r["seed"]] for r in rows if r["strategy"] == s]
        print(f"lb: {s} p99/oracle per seed: mean {statistics.mean(ratios):.3f}, max {max(ratios):.2f},"
              f" seeds above 1.2: {sum(x > 1.2 for x in ratios)}/{len(ratios)}")
        print("lb:   " + " ".join(f"{x:.2f}" for x in ratios))
    print(f"lb: {len(seeds)} seeds")


if __name__ == "__main__":
    cache_plot()
    lb_plots()
