"""How fast, and in how much memory, the import / export file engine reads and writes.

    python bench/transfer_files.py            # 100,000 rows of each, and a 1,000,000-row CSV read
    python bench/transfer_files.py --quick    # 2,000 rows, no million-row run (the smoke test)
    python bench/transfer_files.py --rows 50000 --million-rows 0

Generates realistic lead lists (16 columns: Romanian, Lithuanian and French names with
diacritics, addresses with commas, some quoted cells with line breaks) in a temporary
directory, then measures each step in a fresh child process, so that every peak RSS
(``resource.getrusage``'s high-water mark) belongs to that step alone. "base" is the
child's RSS after its imports, before it touches the file.

Reads go through ``read_rows`` with a stored layout (as the import job will) and are
compared with a bare ``csv.reader`` / openpyxl loop over the same file; "resume" re-reads
the file and skips to 90% of it (``start_after``), which is what a restarted import pays.
XLSX is measured twice: with inline strings (what openpyxl writes) and with a shared-
strings table (what Excel and LibreOffice write, which openpyxl holds in memory whole).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm_core.transfer.limits import Limits
from crm_core.transfer.reading import FileFormat, Layout, detect_layout, read_rows
from crm_core.transfer.writing import csv_chunks, write_xlsx

HEADER = [
    "Nume", "Companie", "Nr. Reg. Com.", "CUI", "Adresă", "Cod poștal", "Localitate", "Județ", "Țară",
    "Telefon", "Email", "Descriere", "Status", "Sursa", "Prioritate", "Responsabil",
]  # fmt: skip
FIRST = ["Ștefan", "Ana-Maria", "Rūta", "Jonas", "Hélène", "François", "Gintarė", "Raluca", "Zoé", "Ţăran"]
LAST = ["Țăranu", "Ionescu", "Šimkutė", "Petraitis", "Dupré", "Lefèvre", "Žemaitytė", "Bălănescu", "Mercier"]
CITIES = ["Brăila", "Iași", "Šiauliai", "Kaunas", "Besançon", "Orléans", "Târgu Mureș", "Évry"]
CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")  # cp1250 has only the cedilla forms
BIG_LIMITS = Limits(max_bytes=2 * 1024**3, max_rows=10_000_000)


def lead(n: int, rng: random.Random) -> list[str]:
    first, last, city = rng.choice(FIRST), rng.choice(LAST), rng.choice(CITIES)
    notes = "Sună-l marți; vrea ofertă\npentru 2025" if n % 10 == 0 else "Întâlnit la târg, interesat"
    return [
        f"{first} {last}", f"{last} & Co SRL", f"J40/{n}/2020", f"RO{10_000_000 + n}", f"Str. Florilor {n % 200}, ap. 2",
        f"{100000 + n % 900000}", city, city, "România", f"07{n:08d}", f"lead{n}@example.ro", notes,
        rng.choice(["Nou", "În curs", "Calificat"]), "Formular web", "Medie", "Ana Popescu",
    ]  # fmt: skip


def leads(count: int) -> Iterator[list[str]]:
    rng = random.Random(18)
    return (lead(n, rng) for n in range(1, count + 1))


def write_shared_strings_xlsx(path: Path, rows: int) -> None:
    """A minimal XLSX with a shared-strings table, as Excel writes it (openpyxl only inlines)."""
    index: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + NS + b'"><sheetData>')
            for number, values in enumerate([HEADER, *leads(rows)], start=1):
                cells = "".join(
                    f'<c t="s"><v>{index.setdefault(value, len(index))}</v></c>' for value in values
                )
                sheet.write(f'<row r="{number}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="' + NS + b'">')
            for value in index:
                strings.write(f'<si><t xml:space="preserve">{escape(value)}</t></si>'.encode())
            strings.write(b"</sst>")


NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS.decode()}" xmlns:r="{REL}">'
    '<sheets><sheet name="Prospecți" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


# --- measured steps (each runs in its own child process) ---------------------


def _peak_mb() -> float:
    """This process's peak RSS. Linux keeps ``getrusage``'s ``ru_maxrss`` across ``execve``, so
    a child would report its parent's peak; ``VmHWM`` belongs to the new address space."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(name: str, path: Path, rows: int) -> dict[str, float]:
    base = _peak_mb()
    started = time.perf_counter()
    count = 0
    if name == "detect":
        layout = detect_layout(path, limits=BIG_LIMITS)
        assert layout.delimiter == ";", layout
        count = rows
    elif name in ("read-csv", "resume-csv"):
        layout = Layout(FileFormat.CSV, "utf-8-sig", ";")
        start_after = int(rows * 0.9) if name == "resume-csv" else 0
        for _ in read_rows(path, layout, start_after=start_after, limits=BIG_LIMITS):
            pass
        count = rows  # every row was parsed, most of them skipped
    elif name == "bare-csv":
        with open(path, encoding="utf-8-sig", newline="") as file:
            for _ in csv.reader(file, delimiter=";"):
                count += 1
    elif name in ("read-xlsx", "resume-xlsx"):
        start_after = int(rows * 0.9) if name == "resume-xlsx" else 0
        for _ in read_rows(path, Layout(FileFormat.XLSX), start_after=start_after, limits=BIG_LIMITS):
            pass
        count = rows
    elif name == "bare-xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        for _ in workbook.worksheets[0].iter_rows(values_only=True):
            count += 1
        workbook.close()
    elif name == "write-csv":
        with open(path, "wb") as file:
            for chunk in csv_chunks(leads(rows), delimiter=";"):
                file.write(chunk)
        count = rows
    elif name == "write-xlsx":
        write_xlsx(path, leads(rows), header=HEADER, title="Prospecți")
        count = rows
    else:
        raise SystemExit(f"unknown step {name}")
    return {"rows": count, "seconds": time.perf_counter() - started, "base_mb": base, "peak_mb": _peak_mb()}


def measure(name: str, path: Path, rows: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, str(path), str(rows)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"step {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2,000 rows, no million-row read")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--million-rows", type=int, default=1_000_000, help="rows of the big CSV read (0: skip)"
    )
    parser.add_argument(
        "--big-xlsx-rows",
        type=int,
        default=0,
        help="also read a shared-strings XLSX of this many rows (slow: minutes)",
    )
    parser.add_argument("--step", nargs=3, metavar=("NAME", "PATH", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        name, path, rows = args.step
        print(json.dumps(step(name, Path(path), int(rows))))
        return
    rows = 2_000 if args.quick else args.rows
    million = 0 if args.quick else args.million_rows
    results: list[tuple[str, int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="bench-transfer-") as tmp:
        folder = Path(tmp)
        csv_path, xlsx_path, shared_path = folder / "leads.csv", folder / "leads.xlsx", folder / "shared.xlsx"
        for name, path in (("write-csv", csv_path), ("write-xlsx", xlsx_path)):
            results.append((name, rows, measure(name, path, rows)))
        write_shared_strings_xlsx(shared_path, rows)
        # The same rows without a BOM, and in cp1250 (ū ė → ?): detection then reads the whole file.
        plain, cp1250 = folder / "plain.csv", folder / "cp1250.csv"
        plain.write_bytes(csv_path.read_bytes()[3:])
        cp1250.write_bytes(plain.read_text(encoding="utf-8").translate(CEDILLA).encode("cp1250", "replace"))
        sizes = {p.name: p.stat().st_size for p in (csv_path, xlsx_path, shared_path)}
        for name, path in (
            ("detect", csv_path),
            ("detect-utf-8", plain),
            ("detect-cp1250", cp1250),
            ("bare-csv", csv_path),
            ("read-csv", csv_path),
            ("resume-csv", csv_path),
            ("bare-xlsx", xlsx_path),
            ("read-xlsx", xlsx_path),
            ("resume-xlsx", xlsx_path),
            ("read-xlsx-shared", shared_path),
        ):
            step_name = "detect" if name.startswith("detect") else name.removesuffix("-shared")
            results.append((name, rows, measure(step_name, path, rows)))
        if million:
            big = folder / "million.csv"
            measure("write-csv", big, million)
            sizes[big.name] = big.stat().st_size
            for name in ("read-csv", "resume-csv"):
                results.append((f"{name} (1M)", million, measure(name, big, million)))
        if args.big_xlsx_rows and not args.quick:
            big_xlsx = folder / "big_shared.xlsx"
            write_shared_strings_xlsx(big_xlsx, args.big_xlsx_rows)
            sizes[big_xlsx.name] = big_xlsx.stat().st_size
            results.append(
                (
                    "read-xlsx-shared (big)",
                    args.big_xlsx_rows,
                    measure("read-xlsx", big_xlsx, args.big_xlsx_rows),
                )
            )
    print("file sizes: " + ", ".join(f"{name} {size / 1024**2:.1f} MB" for name, size in sizes.items()))
    print("| step | rows | seconds | rows/s | base RSS MB | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, count, figures in results:
        rate = figures["rows"] / figures["seconds"] if figures["seconds"] else 0
        print(
            f"| {name} | {count:,} | {figures['seconds']:.2f} | {rate:,.0f} | "
            f"{figures['base_mb']:.0f} | {figures['peak_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
