"""Generate a region-sized AAF set from the seed's name lists, import it, then a delta, and time them (prints
figures; not a test).

    uv run python bench/aaf_region.py [--establishments 851] [--students 600] [--changes 10000]

The defaults are the issue's region (851 establishments; 600 students each, their two guardians and about
50 staff make about 1.05 million accounts). Without DATABASE_URL the benchmark uses a fresh SQLite file in
a temporary folder; for the figures that matter use PostgreSQL. It writes the four Complet files (UTF-8) to
a temporary folder, imports them with ``provisioning.actions.import_aaf``, then a delta of ``--changes``
class changes, and prints seconds, rows written per second and the peak resident memory of each step.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=851)
    parser.add_argument("--students", type=int, default=600, help="students per establishment")
    parser.add_argument("--staff", type=int, default=50, help="staff per establishment")
    parser.add_argument("--changes", type=int, default=10_000, help="class changes in the delta")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["CARTABLE_VAR"] = tempfile.mkdtemp(prefix="cartable-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(folder: Path, args: argparse.Namespace) -> dict[str, int]:
    """The four Complet files of one académie, written request by request (nothing held in memory)."""
    from cartable.directory.names import BOYS, GIRLS, LAST_NAMES, MEN, WOMEN, uai_key
    from cartable.provisioning.aaf.writer import HEADER, request

    rng = random.Random(args.seed)
    counts = {"structures": 0, "students": 0, "relatives": 0, "staff": 0}
    files = {k: (folder / f"ENT_AC-BENCH_Complet_{k}.xml").open("w", encoding="utf-8") for k in counts}
    for stream in files.values():
        stream.write(HEADER.format(encoding="UTF-8") + "<ficAlimMENESR>\n")
    functions = ["ENS"] * 40 + ["EDU", "EDU", "DIR", "DIR", "ADF", "ADF", "DOC", "SUR", "SUR", "ORI"]
    for e in range(args.establishments):
        digits = f"{9000000 + e:07d}"
        jointure = f"S{e}"
        files["structures"].write(
            request(
                "EtabEducNat",
                jointure,
                {
                    "ENTStructureJointure": jointure,
                    "ENTStructureUAI": digits + uai_key(digits),
                    "ENTStructureNomCourant": f"Collège {rng.choice(LAST_NAMES)} {e}",
                    "ENTStructureTypeStruct": "CLG" if e % 4 else "LYC",
                    "ENTServAcAcademie": "AC-BENCH",
                },
            )
            + "\n"
        )
        counts["structures"] += 1
        classes = [f"{level}e {letter}" for level in (6, 5, 4, 3) for letter in "ABCDE"]
        for s in range(args.students):
            sid, mother, father = f"E{e}-{s}", f"M{e}-{s}", f"P{e}-{s}"
            last = rng.choice(LAST_NAMES)
            files["students"].write(
                request(
                    "Eleve",
                    sid,
                    {
                        "ENTPersonJointure": sid,
                        "sn": last,
                        "givenName": rng.choice(GIRLS + BOYS),
                        "ENTPersonDateNaissance": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2013",
                        "ENTPersonStructRattach": jointure,
                        "ENTEleveClasses": f"{jointure}${classes[s % len(classes)]}",
                        "ENTElevePersRelEleve": [f"{mother}$2$1$1$0$1", f"{father}$1$0$2$0$0"],
                    },
                )
                + "\n"
            )
            for rid, first in ((mother, rng.choice(WOMEN)), (father, rng.choice(MEN))):
                files["relatives"].write(
                    request(
                        "PersRelEleve",
                        rid,
                        {"ENTPersonJointure": rid, "sn": last, "givenName": first, "ENTPersonVille": "Nancy"},
                    )
                    + "\n"
                )
            counts["students"] += 1
            counts["relatives"] += 2
        for t in range(args.staff):
            tid = f"T{e}-{t}"
            code = functions[t % len(functions)]
            attrs = {
                "ENTPersonJointure": tid,
                "sn": rng.choice(LAST_NAMES),
                "givenName": rng.choice(WOMEN + MEN),
                "ENTPersonFonctions": f"{jointure}${code}$FONCTION$X$LIBELLE",
            }
            if code == "ENS":
                attrs["ENTAuxEnsClassesMatieres"] = [f"{jointure}${c}$M{t % 12}" for c in rng.sample(classes, 4)]
            files["staff"].write(request("PersEducNat", tid, attrs) + "\n")
            counts["staff"] += 1
    for stream in files.values():
        stream.write("</ficAlimMENESR>\n")
        stream.close()
    return counts


def delta(folder: Path, args: argparse.Namespace) -> Path:
    from cartable.provisioning.aaf.writer import HEADER, request

    rng = random.Random(args.seed + 1)
    path = folder / "delta" / "ENT_AC-BENCH_Delta_Eleve.xml"
    path.parent.mkdir()
    with path.open("w", encoding="utf-8") as stream:
        stream.write(HEADER.format(encoding="UTF-8") + "<ficAlimMENESR>\n")
        picked = rng.sample(
            range(args.establishments * args.students), min(args.changes, args.establishments * args.students)
        )
        for n in picked:
            e, s = divmod(n, args.students)
            stream.write(request("Eleve", f"E{e}-{s}", {"ENTEleveClasses": f"S{e}$3e F"}, op="modify") + "\n")
        stream.write("</ficAlimMENESR>\n")
    return path.parent


def run(label: str, paths: list[Path]) -> None:
    from cartable.provisioning import actions
    from cartable.provisioning.aaf import sources

    start = time.perf_counter()
    result, _plan = actions.import_aaf(actor=None, sources=sources.from_paths(paths))
    seconds = time.perf_counter() - start
    written = result.count("created") + result.count("changed") + result.count("ended")
    print(
        f"{label}: {result.get_outcome_display()}, {written} rows written in {seconds:.1f} s "
        f"({written / seconds:,.0f} rows/s), peak memory {peak_mb():.0f} MB"
    )
    for issue in result.errors[:5]:
        print("  error:", issue)


def main() -> None:
    args = parse_args()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    with tempfile.TemporaryDirectory(prefix="aaf-bench-") as name:
        folder = Path(name)
        start = time.perf_counter()
        counts = generate(folder, args)
        accounts = counts["students"] + counts["relatives"] + counts["staff"]
        print(f"generated {counts} ({accounts} accounts) in {time.perf_counter() - start:.1f} s")
        files = sorted(folder.glob("*.xml"))
        run("complete set", files)
        run("same set again", files)
        run(f"delta of {args.changes} class changes", [delta(folder, args)])


if __name__ == "__main__":
    main()
