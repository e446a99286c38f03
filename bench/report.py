#!/usr/bin/env python3
"""Turns JMH's JSON results into the side-by-side table: fle4j, the official driver, their ratio."""
import argparse
import json
from collections import defaultdict

FLOOR_SIZE = {"string32": "37", "string1k": "1029", "int32": "4"}


def load(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            for r in json.load(f):
                params = dict(r.get("params") or {})
                alloc = (r.get("secondaryMetrics") or {}).get("·gc.alloc.rate.norm") or \
                        (r.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm")
                rows.append({
                    "benchmark": r["benchmark"].replace("io.fle4j.bench.", ""),
                    "jdk": str(r.get("jdkVersion", "?")).split(".")[0],
                    "impl": params.pop("impl", None),
                    "params": params,
                    "threads": r["threads"],
                    "mode": r["mode"],
                    "score": r["primaryMetric"]["score"],
                    "error": r["primaryMetric"]["scoreError"],
                    "unit": r["primaryMetric"]["scoreUnit"],
                    "bytesPerOp": alloc["score"] if alloc else None,
                })
    return rows


def ops_per_second(row):
    if row["unit"].endswith("/op"):  # single shot: time per operation
        factor = {"ms/op": 1e3, "s/op": 1, "us/op": 1e6}[row["unit"]]
        return factor / row["score"]
    return row["score"]


def fmt(x, digits=0):
    if x is None:
        return "—"
    return f"{x:,.2f}" if digits == 0 and x < 10 else f"{x:,.{digits}f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results", nargs="+")
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = load(args.results)

    groups = defaultdict(dict)
    for row in rows:
        key = (row["benchmark"], tuple(sorted(row["params"].items())), row["threads"], row["jdk"])
        groups[key][row["impl"] or "-"] = row

    floor = {(r["params"].get("plaintextBytes"), r["threads"]): ops_per_second(r)
             for r in rows if r["benchmark"].startswith("CryptoFloor") and r["jdk"] == "17"}

    summary = []
    print("| case | threads | JDK | fle4j ops/s | official ops/s | fle4j / official | plain ops/s | fle4j B/op | official B/op |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (benchmark, params, threads, jdk), impls in sorted(groups.items()):
        if benchmark.startswith("CryptoFloor"):
            continue
        name = benchmark + "".join(f" {v}" for _, v in params)
        f, o, p = impls.get("fle4j") or impls.get("-"), impls.get("official"), impls.get("plain")
        fo = ops_per_second(f) if f else None
        oo = ops_per_second(o) if o else None
        po = ops_per_second(p) if p else None
        ratio = fo / oo if fo and oo else None
        entry = {"case": name, "threads": threads, "jdk": jdk, "fle4j": fo, "official": oo, "plain": po,
                 "ratio": ratio, "fle4jBytesPerOp": f["bytesPerOp"] if f else None,
                 "officialBytesPerOp": o["bytesPerOp"] if o else None}
        value = dict(params).get("value", "")
        if benchmark.endswith("encrypt") and jdk == "17" and value.split("-")[0] in FLOOR_SIZE:
            fl = floor.get((FLOOR_SIZE[value.split("-")[0]], threads))
            if fl and fo:
                entry["floor"] = fl
                entry["floorOverFle4j"] = fl / fo
        summary.append(entry)
        print(f"| {name} | {threads} | {jdk} | {fmt(fo)} | {fmt(oo)} | {fmt(ratio, 1) + '×' if ratio else '—'} "
              f"| {fmt(po)} | {fmt(entry['fle4jBytesPerOp'])} | {fmt(entry['officialBytesPerOp'])} |")
    print()
    print("Floor (bare JCA AES-256-CBC + HMAC-SHA-512, objects ready):")
    for (size, threads), value in sorted(floor.items()):
        print(f"- {size} plaintext bytes, {threads} thread(s): {value:,.0f} ops/s")
    for entry in summary:
        if "floor" in entry:
            print(f"- {entry['case']} ({entry['threads']} thread): floor / fle4j = {entry['floorOverFle4j']:.2f}")
    print()
    print("A new virtual thread per task against a pool of 2 platform threads, same JDK:")
    tasks = {(e["case"], e["jdk"]): e for e in summary if e["case"].startswith("ThreadPerTask")}
    for (case, jdk), entry in sorted(tasks.items()):
        if " virtual" in case:
            pool = tasks.get((case.replace(" virtual", " pool"), jdk))
            for impl in ("fle4j", "official"):
                if pool and entry[impl] and pool[impl]:
                    print(f"- {case.replace(' virtual', '')}, JDK {jdk}, {impl}: "
                          f"{entry[impl] / pool[impl]:.2f}× the pool's throughput")
    print()
    print("The cryptography alone, against the plain client, 1 thread (JDK 17):")
    by_case = {(e["case"], e["threads"], e["jdk"]): e for e in summary}
    for operation, cryptography in (("AutoEncryption.Insert.insertMany", "encryptInsertValues"),
                                    ("AutoEncryption.Find.find", "decryptFindValues")):
        measured = by_case.get((operation, 1, "17"))
        alone = by_case.get(("AutoEncryption.Cryptography." + cryptography, 1, "17"))
        if not (measured and alone and measured["plain"] and measured["fle4j"] and alone["fle4j"]):
            continue
        plain_ms, fle4j_ms, crypto_ms = (1000 / measured["plain"], 1000 / measured["fle4j"],
                                         1000 / alone["fle4j"])
        print(f"- {operation}: plain {plain_ms:.1f} ms, fle4j {fle4j_ms:.1f} ms "
              f"({fle4j_ms / plain_ms:.2f}×); {cryptography} alone {crypto_ms:.1f} ms, so "
              f"(plain + cryptography) / plain = {(plain_ms + crypto_ms) / plain_ms:.2f}×")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cases": summary, "floor": [{"plaintextBytes": s, "threads": t, "opsPerSecond": v}
                                                   for (s, t), v in sorted(floor.items())]}, f, indent=2)


if __name__ == "__main__":
    main()
