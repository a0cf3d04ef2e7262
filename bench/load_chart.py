"""The load curve: users against p95 round trip and CPU, from load_test runs.

Reads the JSON files ``bench.load_test --json`` wrote, groups them by their
``--label`` (e.g. ``1 worker``, ``2 workers``), draws users against the
steady-window p95 (all actions) and against the app's CPU, and prints the
Markdown table that goes with the chart in BENCHMARKS.md.

    .venv/bin/python -m bench.load_chart bench/results/curve_*.json \
        [--out docs/load_curve.png]
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict


def load(paths: list[str]) -> dict[str, list[dict]]:
    series: dict[str, list[dict]] = defaultdict(list)
    for path in paths:
        with open(path) as handle:
            run = json.load(handle)
        series[run.get("label") or "run"].append(run)
    for runs in series.values():
        runs.sort(key=lambda r: r["config"]["users"])
    return dict(series)


def row(run: dict) -> dict:
    steady = run["steady"].get("all", {})
    res = run["resources"]
    count = steady.get("count", 0)
    ramp = run["config"]["ramp_seconds"]
    open_sockets = [r["users"] for r in run["timeseries"] if r["t"] >= ramp] or [0]
    return {
        "users": run["config"]["users"],
        # Sockets open at once during the steady window (min and mean).
        "connected_min": min(open_sockets),
        "connected_avg": sum(open_sockets) / len(open_sockets),
        "actions_s": run["actions_per_second_steady"],
        "p50": steady.get("p50", math.nan),
        "p95": steady.get("p95", math.nan),
        "p99": steady.get("p99", math.nan),
        "errors": sum(run["errors"].values()),
        "error_share": (steady.get("errors", 0) / count) if count else math.nan,
        "app_cpu": res["app_cpu_avg"],
        "cpu_wait": res.get("app_cpu_wait_avg", math.nan),
        "ms_per_action": res.get("app_cpu_ms_per_action") or math.nan,
        "rss_mib": res["app_rss_max"] / 2**20,
        "machine_cpu": res["machine_cpu_avg"],
        "load": res.get("load_avg_mean", math.nan),
        "hit_rate": (run["cache"] or {}).get("hit_rate"),
    }


def table(series: dict[str, list[dict]]) -> str:
    lines = [
        "| run | users | connected (min / mean) | actions/s | p50 ms | p95 ms | p99 ms | errors | "
        "app CPU % | CPU ms/action | waiting for CPU % | RSS MiB | load avg | cache hits |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, runs in series.items():
        for run in runs:
            r = row(run)
            hits = f"{r['hit_rate'] * 100:.0f} %" if r["hit_rate"] is not None else "–"
            lines.append(
                f"| {label} | {r['users']:,} | {r['connected_min']:,} / "
                f"{r['connected_avg']:,.0f} | {r['actions_s']:.1f} | "
                f"{r['p50']:,.0f} | {r['p95']:,.0f} | {r['p99']:,.0f} | {r['errors']:,} | "
                f"{r['app_cpu']:.0f} | {r['ms_per_action']:.0f} | {r['cpu_wait']:.0f} | "
                f"{r['rss_mib']:,.0f} | {r['load']:.1f} | {hits} |"
            )
    return "\n".join(lines)


def chart(series: dict[str, list[dict]], out: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4.2), dpi=90)
    think = None
    for label, runs in series.items():
        rows = [row(r) for r in runs]
        users = [r["users"] for r in rows]
        think = think or runs[0]["config"]["think_mean"]
        middle.plot(users, [r["actions_s"] for r in rows], marker="o", label=f"{label}: served")
        left.plot(users, [r["p95"] for r in rows], marker="o", label=f"{label}: p95")
        left.plot(users, [r["p50"] for r in rows], marker=".", linestyle=":", label=f"{label}: p50")
        right.plot(users, [r["app_cpu"] for r in rows], marker="o", label=f"{label}: app CPU")
        right.plot(
            users,
            [r["cpu_wait"] for r in rows],
            marker=".",
            linestyle=":",
            label=f"{label}: app waiting for a CPU",
        )
    left.axhline(250, color="red", linewidth=0.8, linestyle="--", label="target p95 250 ms")
    left.set_yscale("log")
    left.set_xlabel("users (think time mean 10 s)")
    left.set_ylabel("event round trip (ms, log)")
    left.set_title("Round trip, steady window")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=7)
    if series:
        top = max(r["config"]["users"] for runs in series.values() for r in runs)
        middle.plot(
            [0, top],
            [0, top / think],
            color="grey",
            linestyle="--",
            linewidth=0.8,
            label=f"offered (users / {think:g} s)",
        )
    middle.set_xlabel("users")
    middle.set_ylabel("actions per second")
    middle.set_title("Throughput, steady window")
    middle.grid(True, alpha=0.3)
    middle.legend(fontsize=7)
    right.axhline(200, color="grey", linewidth=0.8, linestyle="--", label="2 cores")
    right.set_xlabel("users")
    right.set_ylabel("% of one core")
    right.set_title("App processes: CPU")
    right.grid(True, alpha=0.3)
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out)
    print(f"chart written to {out}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", help="JSON files of bench.load_test --json")
    parser.add_argument("--out", default="docs/load_curve.png")
    args = parser.parse_args(argv)
    series = load(args.results)
    print(table(series))
    chart(series, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
