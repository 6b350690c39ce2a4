"""Deterministic demo survey (clearly labelled DEMO): 2 agencies x 2 rounds so the survey views have data.

`python -m framework.demo` rewrites data/demo/*.csv and manifest.json; the same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

from framework.catalog import Catalog
from framework.paths import DEMO_DIR

SEED = 2018
ROUNDS = ("2024-06-30", "2025-06-30")
AGENCIES = (
    # (agency, stage, respondents, ability offset, file label)
    ("กรมตัวอย่างดิจิทัล (DEMO ข้อมูลสาธิต)", "Developing", 1500, 0.3, "agency-a"),
    ("สำนักงานตัวอย่างบริการ (DEMO ข้อมูลสาธิต)", "Early", 900, -0.3, "agency-b"),
)
GROUP_SHARE = (
    ("Executive", 0.03),
    ("Management", 0.09),
    ("Academic", 0.28),
    ("Service", 0.30),
    ("Technologist", 0.10),
    ("Others", 0.20),
)
ORG_UNITS = (
    "สำนักบริหารกลาง",
    "กองยุทธศาสตร์และแผนงาน",
    "ศูนย์เทคโนโลยีสารสนเทศ",
    "กองบริการประชาชน",
    "กองกฎหมาย",
    "สำนักตรวจสอบภายใน",
)
POSITIONS = {
    "Executive": "อธิบดี/รองอธิบดี",
    "Management": "ผู้อำนวยการกอง",
    "Academic": "นักวิเคราะห์นโยบายและแผน",
    "Service": "เจ้าพนักงานธุรการ",
    "Technologist": "นักวิชาการคอมพิวเตอร์",
    "Others": "เจ้าหน้าที่",
}


def _required(catalog: Catalog) -> set[tuple[str, str, str]]:
    m = catalog.requirement_matrix()
    m = m[m["required"]]
    return set(zip(m["stage"], m["staff_group"], m["unit_code"]))


def generate(catalog: Catalog | None = None) -> dict[str, bytes]:
    """File name -> CSV bytes (UTF-8 with BOM), plus manifest.json; deterministic for the fixed seed."""
    catalog = catalog or Catalog()
    rng = random.Random(SEED)
    codes = catalog.unit_codes()
    required = _required(catalog)
    thai = {r.key: r.name_th for r in catalog.staff_groups().itertuples()}
    files: dict[str, bytes] = {}
    manifest = {"demo": True, "note": f"Synthetic demo data (seed {SEED}) - not real survey results.", "batches": []}
    for agency, stage, n, offset, label in AGENCIES:
        people = []
        for i in range(n):
            g = rng.choices([g for g, _ in GROUP_SHARE], [w for _, w in GROUP_SHARE])[0]
            people.append((f"DEMO-{label[-1].upper()}{i + 1:05d}", g, rng.gauss(offset, 0.7), rng.choice(ORG_UNITS)))
        for r, round_date in enumerate(ROUNDS):
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\r\n")
            w.writerow(["respondent_id", "group", "agency", "unit", "position", *codes])
            # Round 1 of agency B did not assess Digital Leadership / Transformation (DL*, DTr*).
            skipped = (
                {c for c in codes if c.startswith(("DL1", "DL2", "DL3", "DTr"))}
                if (label, r) == ("agency-b", 0)
                else set()
            )
            for pid, g, ability, org in people:
                if r == 1 and rng.random() < 0.08:
                    continue  # left before round 2
                cells = []
                for code in codes:
                    if code in skipped or rng.random() < 0.04:
                        cells.append("")
                        continue
                    base = 2.7 if (stage, g, code) in required else 1.4
                    if g == "Technologist" and code.startswith(("DT", "DS")):
                        base += 0.6
                    lvl = round(base + ability + 0.45 * r + rng.gauss(0, 0.8))
                    cells.append(str(min(4, max(0, lvl))))
                group_label = thai[g] if (r == 0 or rng.random() < 0.5) else g
                w.writerow([pid, group_label, agency, org, POSITIONS[g], *cells])
            name = f"demo_{label}_{round_date}.csv"
            files[name] = out.getvalue().encode("utf-8-sig")
            manifest["batches"].append({"file": name, "agency": agency, "stage": stage, "round_date": round_date})
    files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def write(target: Path = DEMO_DIR) -> list[Path]:
    """Write the demo files into data/demo/."""
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in generate().items():
        (target / name).write_bytes(data)
        paths.append(target / name)
    return paths


if __name__ == "__main__":
    for p in write():
        print(p)
