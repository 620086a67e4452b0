#!/usr/bin/python3
"""Plots bench/results/resilience_sim.csv (written by resilience_sim) as
goodput within the SLO and p99 latency per second, with and without the
resilience pipeline, the downstream's phases shaded.

  /usr/bin/python3 bench/resilience/plot_resilience_sim.py \
      bench/results/resilience_sim.csv bench/results/resilience_sim.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(src, dst):
    rows = {}
    phases = []
    with open(src) as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["mode"], []).append(r)
            if r["mode"] == "unprotected":
                if not phases or phases[-1][0] != r["phase"]:
                    phases.append([r["phase"], int(r["second"]), int(r["second"])])
                phases[-1][2] = int(r["second"])
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    colors = {"unprotected": "tab:red", "pipeline": "tab:blue"}
    for mode, rs in rows.items():
        t = [int(r["second"]) for r in rs]
        ax1.plot(t, [int(r["good_slo"]) for r in rs], label=mode, color=colors.get(mode))
        p99 = [float(r["p99_ms"]) or float("nan") for r in rs]  # no finished call: no point
        ax2.plot(t, p99, label=mode, color=colors.get(mode))
    shades = ["#f0f0f0", "#fff2cc", "#fde0dd", "#e0e0e0", "#e5f5e0"]
    for i, (name, lo, hi) in enumerate(phases):
        for ax in (ax1, ax2):
            ax.axvspan(lo, hi + 1, color=shades[i % len(shades)], zorder=0)
        ax1.text((lo + hi + 1) / 2, 5, name.replace("_", " "), ha="center", fontsize=8)
    offered = [int(r["offered"]) for r in rows["unprotected"]]
    ax1.plot(range(len(offered)), offered, ":", color="gray", label="offered")
    ax1.set_ylabel("goodput (successes within 1 s SLO) / s")
    ax1.legend(loc="upper right")
    ax2.set_yscale("log")
    ax2.set_ylabel("p99 latency of finished calls (ms)")
    ax2.set_xlabel("virtual time (s)")
    ax2.legend(loc="upper right")
    fig.suptitle("Downstream degrading under fixed offered load: with and without the pipeline")
    fig.tight_layout()
    fig.savefig(dst, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
