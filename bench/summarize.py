#!/usr/bin/env python3
"""Turn the raw numbers bench/run collected into the results table.

Input: a folder with
  meta.env              key=value lines (machine, versions, server, binary size, ...)
  <case>.json           hyperfine --export-json (otp first, then curl when paired)
  rss_<case>_<tool>.txt peak RSS samples in KiB, one per line (/usr/bin/time -f %M)
  skip_<case>.txt       why a case was not run
Output: the markdown table on stdout, RESULTS.md written, and the table between the
markers in README.md replaced.
"""

import argparse
import json
import os
import statistics
import sys

MIB = 1024 * 1024

# (case id, label, paired with curl, target kind, target value)
TIME_CASES = [
    ("send_http", "`otp send` vs curl, HTTP", True, "ratio", 0.45),
    ("send_https", "`otp send` vs curl, HTTPS (verified, own CA)", True, "ratio", 0.45),
    ("send_http_certenv", "(info) send vs curl, HTTP, `SSL_CERT_FILE`=system bundle", True, "info", None),
    ("version", "`otp --version` vs `curl --version`", True, "ratio", 0.3),
    ("dryrun_termii", "`otp send --dry-run` (termii profile)", False, "ms", 2.5),
    ("dryrun_console", "`otp send --dry-run` (console profile)", False, "ms", 2.5),
    # Pairs of otp runs: the first over the second.
    ("store_20k", "console send, ~20,000 live records over an empty store", "self", "ratio", 1.2),
    ("store_redis", "console send, local Redis store over the embedded store", "self", "ratio", 1.3),
]
RSS_CASES = [
    ("send_http", "peak RSS, send over HTTP", None),
    ("send_https", "peak RSS, send over HTTPS", 8 * 1024),  # KiB
    ("version", "peak RSS, `--version`", None),
    ("dryrun_termii", "peak RSS, dry run (termii)", None),
    ("dryrun_console", "peak RSS, dry run (console)", None),
    ("store_20k", "peak RSS, console send, ~20,000 records", 8 * 1024),
    ("store_redis", "peak RSS, console send, Redis store", 8 * 1024),
]
MARK_START = "<!-- bench-table:start -->"
MARK_END = "<!-- bench-table:end -->"


def read_meta(d):
    meta = {}
    path = os.path.join(d, "meta.env")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" in line:
                    k, v = line.split("=", 1)
                    meta[k] = v
    return meta


def skip_reason(d, case):
    p = os.path.join(d, f"skip_{case}.txt")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            return f.read().strip()
    return None


def hyperfine_medians(d, case):
    p = os.path.join(d, f"{case}.json")
    if not os.path.exists(p):
        return None
    with open(p, encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for r in data["results"]:
        times = r["times"]
        out.append(
            {
                "median_ms": statistics.median(times) * 1000,
                "min_ms": min(times) * 1000,
                "max_ms": max(times) * 1000,
                "stddev_ms": (statistics.stdev(times) * 1000) if len(times) > 1 else 0.0,
                "runs": len(times),
            }
        )
    return out


def rss_median(d, case, tool):
    p = os.path.join(d, f"rss_{case}_{tool}.txt")
    if not os.path.exists(p):
        return None
    with open(p, encoding="utf-8") as f:
        vals = [int(x) for x in f.read().split() if x.strip().isdigit()]
    return statistics.median(vals) if vals else None


def fmt_ms(v):
    return "—" if v is None else f"{v:.2f} ms"


def fmt_kib(v):
    return "—" if v is None else f"{v / 1024:.2f} MiB"


def met(ok):
    return "—" if ok is None else ("yes" if ok else "**NO**")


def build_rows(d, meta):
    rows = []
    for case, label, paired, kind, target in TIME_CASES:
        tgt = {"ratio": f"≤ {target}x", "ms": f"≤ {target} ms"}.get(kind, "— (info)")
        why = skip_reason(d, case)
        m = None if why else hyperfine_medians(d, case)
        if why or not m:
            # The curl side may still have been timed alone (curl_http, curl_https).
            alone = hyperfine_medians(d, "curl_" + case.split("_", 1)[1]) if paired is True else None
            curl = fmt_ms(alone[0]["median_ms"]) if alone else "—"
            rows.append([label, f"skipped: {why or 'no data'}", curl, "—", tgt, "—"])
            continue
        otp = m[0]["median_ms"]
        if paired == "self" and len(m) > 1:
            base = m[1]["median_ms"]
            ratio = otp / base if base else None
            ok = None if ratio is None else ratio <= target
            rows.append(
                [label, f"{fmt_ms(otp)} over {fmt_ms(base)}", "—", f"{ratio:.3f}x", tgt, met(ok)]
            )
        elif paired and len(m) > 1:
            curl = m[1]["median_ms"]
            ratio = otp / curl if curl else None
            ok = None if ratio is None or target is None else ratio <= target
            rows.append([label, fmt_ms(otp), fmt_ms(curl), f"{ratio:.3f}x", tgt, met(ok)])
        else:
            rows.append([label, fmt_ms(otp), "—", "—", tgt, met(otp <= target)])

    for case, label, limit in RSS_CASES:
        tgt = "—" if limit is None else f"≤ {limit / 1024:g} MiB (otp)"
        why = skip_reason(d, case)
        o = None if why else rss_median(d, case, "otp")
        c = rss_median(d, case, "curl")
        if why or o is None:
            rows.append([label, f"skipped: {why or 'no data'}", fmt_kib(c), "—", tgt, "—"])
            continue
        ratio = f"{o / c:.3f}x" if c else "—"
        ok = None if limit is None else o <= limit
        rows.append([label, fmt_kib(o), fmt_kib(c), ratio, tgt, met(ok)])

    size = meta.get("binary_bytes")
    if size and size.isdigit():
        b = int(size)
        rows.append(
            [
                f"shipped binary (`{meta.get('binary_rel', 'otp')}`)",
                f"{b / MIB:.2f} MiB ({b} bytes)",
                "—",
                "—",
                "≤ 6.5 MiB",
                met(b <= 6.5 * MIB),
            ]
        )
    else:
        rows.append(["shipped binary", "not measured", "—", "—", "≤ 6.5 MiB", "—"])

    bt = meta.get("clean_build_s")
    if bt:
        try:
            s = float(bt)
            rows.append(
                [
                    "clean `cargo build --release`",
                    f"{s:.1f} s on {meta.get('nproc', '?')} cores",
                    "—",
                    "—",
                    "≤ 120 s on 2 cores",
                    met(s <= 120),
                ]
            )
        except ValueError:
            rows.append(["clean `cargo build --release`", bt, "—", "—", "≤ 120 s on 2 cores", "—"])
    else:
        rows.append(
            [
                "clean `cargo build --release`",
                "not measured this run (BENCH_CLEAN_BUILD=1 measures it)",
                "—",
                "—",
                "≤ 120 s on 2 cores",
                "—",
            ]
        )
    return rows


def table(rows):
    head = ["case", "otp median", "curl median", "ratio", "target", "met?"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    return "\n".join(lines)


def spread(d):
    """min / stddev per timed command, for the detail section."""
    out = []
    cases = [(c, label, paired) for c, label, paired, _, _ in TIME_CASES]
    cases += [("curl_http", "curl alone, HTTP", False), ("curl_https", "curl alone, HTTPS", False)]
    for case, label, paired in cases:
        if skip_reason(d, case):
            continue
        m = hyperfine_medians(d, case)
        if not m:
            continue
        if paired == "self":
            names = ["otp (first)", "otp (baseline)"]
        elif paired:
            names = ["otp", "curl"]
        else:
            names = ["curl"] if case.startswith("curl_") else ["otp"]
        for name, r in zip(names, m):
            out.append(
                f"| {label} | {name} | {r['median_ms']:.3f} | {r['min_ms']:.3f} | "
                f"{r['max_ms']:.3f} | {r['stddev_ms']:.3f} | {r['runs']} |"
            )
    return out


def results_md(rows, meta, d):
    m = meta.get
    lines = [
        "# otp benchmark results",
        "",
        "Written by `bench/run`; do not edit by hand (rerun it). Medians of "
        f"{m('runs', '50')} runs after {m('warmup', '5')} warm-ups "
        "(`hyperfine -N`, no shell), peak RSS the median of "
        f"{m('rss_runs', '10')} runs of `/usr/bin/time -f %M`. "
        "Ratios are otp/curl from one paired run on the same loopback endpoint with "
        "the same request bytes; one run on a shared machine, not a timed test.",
        "",
        table(rows),
        "",
        "## Machine and versions",
        "",
        f"- date: {m('date', '?')}",
        f"- system: {m('uname', '?')}",
        f"- CPU: {m('cpu', '?')}, nproc {m('nproc', '?')}",
        f"- load average before the run: {m('loadavg_start', '?')}; after: {m('loadavg_end', '?')}",
        f"- CPU busy while timing, whole machine: {m('cpu_busy', '?')} of {m('nproc', '?')} cores "
        "(this benchmark keeps about one busy itself)",
        f"- otp: {m('otp_version', '?')} (commit {m('git_commit', '?')}), built with profile `{m('profile', '?')}`",
        f"- rustc: {m('rustc', '?')}",
        f"- curl: {m('curl', '?')}",
        f"- server: {m('server_version', '?')}",
        f"- hyperfine: {m('hyperfine', '?')}",
        f"- openssl (made the CA): {m('openssl', '?')}",
        f"- termii provider in this build: {m('termii', '?')}",
        "",
        "## How it was measured",
        "",
        f"- Endpoint: {m('server_desc', '?')} on 127.0.0.1, `POST /api/sms/otp/send` answering "
        "200 with the documented Termii reply JSON; the HTTPS server uses a leaf for "
        "`localhost`/`127.0.0.1` signed by a CA made for this run (ECDSA P-256), which otp "
        "gets as the profile's `ca_file` and curl as `--cacert`.",
        f"- Request body ({m('body_bytes', '?')} bytes, {m('body_source', '?')}) sent by both tools; "
        "curl: `curl -sS -X POST -H 'Content-Type: application/json' --data-binary @body.json URL`.",
        "- Every run is a fresh process for both tools (no connection reuse).",
        "- Both tools run with the same cleared environment: temp HOME and XDG dirs (no "
        "`~/.curlrc`, otp's local records go to a temp folder), no proxy variables, and no "
        "`SSL_CERT_FILE`/`SSL_CERT_DIR`/`CURL_CA_BUNDLE`.",
    ]
    if m("server") == "python":
        lines.append(
            "- **The endpoint was the Python fallback responder** (nginx could not be "
            "installed or BENCH_SERVER=python). It is several times slower per request "
            "than nginx, and that time is in both tools' medians, so the otp/curl "
            "ratios are pulled towards 1.0 compared with an nginx run."
        )
    sp = spread(d)
    if sp:
        lines += [
            "",
            "## Spread (ms)",
            "",
            "| case | tool | median | min | max | stddev | runs |",
            "|---|---|---|---|---|---|---|",
            *sp,
        ]
    busy_warning = busy_note(meta)
    if busy_warning:
        lines += ["", f"**{busy_warning}**"]
    notes = m("notes")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes.split(" || ") if n]
    return "\n".join(lines) + "\n"


def busy_note(meta):
    try:
        busy, n = float(meta.get("cpu_busy", "")), int(meta.get("nproc", ""))
    except ValueError:
        return None
    if busy > 1.5 and busy > n * 0.6:
        return (
            f"Other work shared the machine while timing ({busy:g} of {n} cores busy, about "
            "one of them this run's own): medians are noisier than on a quiet machine; "
            "compare the min column of the spread table, and rerun when the machine is quiet."
        )
    return None


def update_readme(path, rows, meta):
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if MARK_START not in text or MARK_END not in text:
        return
    before, rest = text.split(MARK_START, 1)
    _, after = rest.split(MARK_END, 1)
    block = (
        f"{MARK_START}\n"
        f"Latest run: {meta.get('date', '?')}, {meta.get('cpu', '?')}, "
        f"nproc {meta.get('nproc', '?')}, endpoint {meta.get('server', '?')} "
        "(full details in [bench/RESULTS.md](bench/RESULTS.md)).\n\n"
        f"{table(rows)}\n"
        f"{MARK_END}"
    )
    with open(path, "w", encoding="utf-8") as f:
        f.write(before + block + after)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--results")
    ap.add_argument("--readme")
    a = ap.parse_args()
    meta = read_meta(a.dir)
    rows = build_rows(a.dir, meta)
    print(table(rows))
    note = busy_note(meta)
    if note:
        print("\n" + note)
    if a.results:
        with open(a.results, "w", encoding="utf-8") as f:
            f.write(results_md(rows, meta, a.dir))
    if a.readme:
        update_readme(a.readme, rows, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
