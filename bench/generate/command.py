"""`manage.py generate_data --patients N [--seed S] [--workers W] [--check]` (the command lives
in intake/management/commands/generate_data.py as a one-line shim over this one)."""

from __future__ import annotations

import gc
import math
import multiprocessing
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections

from bench.generate.builder import ClinicBuilder
from bench.generate.common import MAX_CLINICS, PATIENTS_PER_CLINIC, first_patient_id
from bench.generate.database import (
    AUDIT_TABLE,
    analyze_tables,
    broken_foreign_keys,
    create_stage,
    drop_stage,
    insert_audit_events,
    write_clinic,
)
from bench.generate.pools import AnswerPool, LabPool
from bench.generate.staff import create_staff, reserve_mrns, set_mrn_sequence
from bench.generate.state import Context
from intake.models import LabPanel, LabTest, Patient

# Set before the workers fork: they inherit it (the pools' caches included).
_CTX: Context | None = None
ClinicResult = tuple[int, dict[str, int], float, float]


@contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """The built rows hold no reference cycles; with the cycle collector on, it walks the
    clinic's hundreds of thousands of live rows again and again (half the build time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_clinic(index: int) -> ClinicResult:
    """Build and write one clinic: (index, rows per table, build seconds, write seconds)."""
    ctx = _CTX
    if ctx is None:
        raise RuntimeError("The generator's context is not set.")
    with _without_cycle_collector():
        started = time.monotonic()
        builder = ClinicBuilder(ctx, ctx.clinics[index])
        builder.build(index * PATIENTS_PER_CLINIC)
        built = time.monotonic()
        counts = write_clinic(builder)
    return index, counts, built - started, time.monotonic() - built


@contextmanager
def _clinic_results(clinics: int, workers: int, serial: bool) -> Iterator[Iterable[ClinicResult]]:
    """Each clinic built and written, in this process or by `workers` forked processes."""
    if serial or workers == 1 or clinics == 1:
        yield map(_run_clinic, range(clinics))
        return
    connections.close_all()
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        yield pool.imap_unordered(_run_clinic, range(clinics))
    finally:
        pool.close()
        pool.join()


class Command(BaseCommand):
    help = "Fill the database with fictional patients and their records at scale (benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, multiprocessing.cpu_count()),
            help="Processes building and writing clinics (default: 2, or 1 on one CPU).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Afterwards, verify every foreign key of the generated rows.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        global _CTX
        n, seed = options["patients"], options["seed"]
        self._refuse_unless_ready(n, seed)
        t0 = time.monotonic()
        in_test = connection.in_atomic_block
        self.log(
            f"Generating {n} patients in {math.ceil(n / PATIENTS_PER_CLINIC)} clinics, seed {seed}."
        )
        ctx = _CTX = self._context(n, seed)
        create_stage()
        self.log(f"  staff and catalog ready ({time.monotonic() - t0:.1f}s)")
        totals, staged = self._write_clinics(ctx, max(1, options["workers"]), in_test)
        set_mrn_sequence(ctx.mrn_start + n - 1)
        self._chain_audit_events(len(ctx.clinics), staged, totals, in_test)
        if options["check"]:
            self.check_foreign_keys()
        summary = ", ".join(f"{t.removeprefix('intake_')} {c}" for t, c in sorted(totals.items()))
        self.log(f"Done in {time.monotonic() - t0:.1f}s: {summary}.")

    def log(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _refuse_unless_ready(self, n: int, seed: int) -> None:
        if n < 1:
            raise CommandError("--patients must be at least 1")
        if math.ceil(n / PATIENTS_PER_CLINIC) > MAX_CLINICS:
            raise CommandError(f"At most {MAX_CLINICS * PATIENTS_PER_CLINIC} patients.")
        if Patient.objects.filter(pk=first_patient_id(seed)).exists():
            raise CommandError(
                f"Data for seed {seed} is already in this database; use a fresh database."
            )
        if not LabTest.objects.exists():
            raise CommandError("The lab catalog (intake_labtest) is empty: run migrate first.")

    def _context(self, n: int, seed: int) -> Context:
        """Staff, MRNs and the lab catalog: what every clinic's builder reads."""
        staff = create_staff(n, seed)
        self.log(f"  {staff.accounts} staff accounts ({staff.privacy_officers} privacy officers)")
        mrn_start = reserve_mrns(n)
        tests = {t.code: t.as_reference() for t in LabTest.objects.all()}
        panels = {
            p.code: [t.code for t in p.tests.order_by("sort_order", "code")]
            for p in LabPanel.objects.prefetch_related("tests")
        }
        return Context(
            seed=seed,
            patients=n,
            mrn_start=mrn_start,
            clinics=staff.clinics,
            answers=AnswerPool(seed),
            labs=LabPool(seed, tests, panels),
        )

    def _write_clinics(
        self, ctx: Context, workers: int, in_test: bool
    ) -> tuple[dict[str, int], dict[int, int]]:
        """Every clinic's clinical rows; returns the rows per table and the audit events
        staged per clinic."""
        totals: dict[str, int] = {}
        staged: dict[int, int] = {}
        started = time.monotonic()
        build_s = write_s = 0.0
        count = len(ctx.clinics)
        with _clinic_results(count, workers, serial=in_test) as results:
            for done, (index, counts, b, w) in enumerate(results, start=1):
                build_s += b
                write_s += w
                for table, rows in counts.items():
                    totals[table] = totals.get(table, 0) + rows
                staged[index] = counts[AUDIT_TABLE]
                if done % max(1, count // 10) == 0 or done == count:
                    self.log(
                        f"  {done}/{count} clinics, {totals.get('intake_labresult', 0)} "
                        f"lab results ({time.monotonic() - started:.0f}s)"
                    )
        self.log(
            f"  clinical rows written in {time.monotonic() - started:.1f}s (building "
            f"{build_s:.0f}s and writing {write_s:.0f}s across workers)"
        )
        return totals, staged

    def _chain_audit_events(
        self, clinics: int, staged: dict[int, int], totals: dict[str, int], in_test: bool
    ) -> None:
        """The audit events, clinic by clinic in clinic order (the chain is then the same
        whatever the workers' timing), each clinic's in time order. Only now: the chain
        trigger rewrites one head row per event, and an open transaction elsewhere (a
        worker's) keeps its old versions from being pruned, which slows every insert.
        Meanwhile another connection vacuums and analyzes the clinical tables."""
        started = time.monotonic()
        maintenance = None
        if not in_test:
            maintenance = threading.Thread(target=self.analyze, kwargs={"vacuum": True})
            maintenance.start()
        for index in range(clinics):
            insert_audit_events(index, staged.pop(index, 0), vacuum=not in_test)
            if (index + 1) % max(1, clinics // 10) == 0:
                self.log(
                    f"  audit chain through clinic {index + 1} ({time.monotonic() - started:.0f}s)"
                )
        drop_stage(vacuum=not in_test)
        self.log(
            f"  {totals.get(AUDIT_TABLE, 0)} audit events through the chain trigger "
            f"({time.monotonic() - started:.1f}s)"
        )
        if maintenance is not None:
            maintenance.join()
        else:
            self.analyze(vacuum=False)

    def check_foreign_keys(self) -> None:
        """Every foreign key of the intake tables holds (they were loaded without row checks)."""
        broken = broken_foreign_keys()
        if broken:
            raise CommandError("Broken foreign keys: " + "; ".join(broken))
        self.log("  foreign keys checked: all hold")

    def analyze(self, *, vacuum: bool) -> None:
        """Statistics for the loaded tables; in a thread it uses (then closes) its own
        connection."""
        started = time.monotonic()
        try:
            analyze_tables(vacuum=vacuum)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()
        self.log(f"  {'vacuum and ' if vacuum else ''}analyze: {time.monotonic() - started:.1f}s")
