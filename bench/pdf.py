"""Benchmark: how long a Chinese PDF (a signed opinion, a referral slip) takes to make, the
first one in a process and the next ones, with the font subset by HarfBuzz (what ./xt
installs: libharfbuzz-subset0) and, with --fonttools, by WeasyPrint's fallback.

    ./xt bench pdf [--pdfs 5] [--fonttools]

The opinion is filed as a PDF after signing, and the referral slip is made when the desk
prints it, so this cost is paid by a person waiting. Prints each variant's first and median
time and one JSON line."""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, json_line, machine_print

# A page like the opinion: headings, a table of facts and paragraphs of Chinese text.
PAGE = """<html><head><style>
body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 11pt; }}
th {{ text-align: left; color: #555; padding-right: 1em; }}
</style></head><body>
<h1>远程会诊意见书</h1>
<table><tr><th>会诊编号</th><td>HZ2026{n:06d}</td></tr><tr><th>患者</th><td>张某某 男 63岁</td></tr>
<tr><th>申请机构</th><td>金桥县人民医院 神经内科</td></tr>
<tr><th>会诊专家</th><td>陈思远 主任医师</td></tr></table>
<h2>会诊意见</h2>
<p>患者突发右侧肢体无力两天，头颅CT未见出血。结合病史与体征，考虑急性脑梗死（左侧大脑中动脉供血区）。
建议完善头颅磁共振弥散加权成像及颈部血管超声，评估溶栓或取栓指征已过时间窗，予抗血小板聚集、
调脂稳定斑块治疗，控制血压、血糖，早期康复训练。如病情加重，及时转诊至上级医院。</p>
<h2>诊断</h2><p>I63.9 脑梗死</p></body></html>"""


def _times(count: int) -> list[float]:
    from weasyprint import HTML

    walls = []
    for n in range(count):
        start = time.perf_counter()
        HTML(string=PAGE.format(n=n)).write_pdf()
        walls.append((time.perf_counter() - start) * 1000)
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pdfs", type=int, default=5)
    parser.add_argument("--fonttools", action="store_true", help="also time the fallback")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
    machine = machine_print()
    payload: dict[str, object] = {"bench": "pdf", **machine}

    start = time.perf_counter()
    import weasyprint.pdf.fonts as fonts  # loading WeasyPrint and Pango is paid once

    payload["import_ms"] = round((time.perf_counter() - start) * 1000, 1)
    print(f"loading WeasyPrint: {payload['import_ms']} ms (once per process)")
    variants = {"harfbuzz": fonts.harfbuzz_subset}
    if args.fonttools:
        variants["fonttools"] = None
    for name, subsetter in variants.items():
        if name == "harfbuzz" and subsetter is None:
            print("harfbuzz: libharfbuzz-subset0 is not installed (./xt installs it)")
            continue
        fonts.harfbuzz_subset = subsetter  # None: WeasyPrint's fontTools fallback
        logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its fallback warning
        walls = _times(args.pdfs if name == "harfbuzz" else 2)
        first, rest = walls[0], statistics.median(walls[1:] or walls)
        print(f"{name:<10} first PDF {first:.0f} ms, then median {rest:.0f} ms")
        payload[f"{name}_first_ms"] = round(first, 1)
        payload[f"{name}_median_ms"] = round(rest, 1)
    json_line(payload)


if __name__ == "__main__":
    main()
