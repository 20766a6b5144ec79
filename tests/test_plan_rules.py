"""Each rule of docs/clinical-rules.md#plan-safety-warnings, firing and not, at its boundary."""

import datetime
from decimal import Decimal

import pytest

from intake.plan_rules import MedLine, PlanDraft, PlanFacts, plan_warnings

NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()
NALOXONE = MedLine("naloxone", Decimal("4"), "once", TODAY)


def med(drug, dose="8", frequency="daily", start=TODAY, taper=()):
    return MedLine(drug, Decimal(dose), frequency, start, tuple(taper))


def codes(*meds, detox=False, **facts):
    plan = PlanDraft(medications=(*meds, NALOXONE), medically_supervised_detox=detox)
    return {w.code for w in plan_warnings(plan, PlanFacts(now=NOW, today=TODAY, **facts))}


def hours_ago(h):
    return NOW - datetime.timedelta(hours=h)


def days_ago(d):
    return NOW - datetime.timedelta(days=d)


# buprenorphine-induction-cows
@pytest.mark.parametrize("totals, fires", [([], True), ([7], True), ([8], False), ([3, 12], False)])
def test_induction_needs_a_cows_of_8_in_24h(totals, fires):
    assert (
        "buprenorphine-induction-cows" in codes(med("buprenorphine"), cows_totals_24h=totals)
    ) is fires


def test_induction_cows_does_not_apply_to_the_monthly_injection_or_a_continuing_dose():
    assert "buprenorphine-induction-cows" not in codes(med("buprenorphine-xr", "300", "monthly"))
    assert "buprenorphine-induction-cows" not in codes(
        med("buprenorphine-naloxone"), continuing_drugs=frozenset({"buprenorphine-naloxone"})
    )


# buprenorphine-induction-timing
@pytest.mark.parametrize(
    "last, hours, fires",
    [
        ("heroin", 11.9, True),
        ("heroin", 12, False),
        ("prescription-opioid", 11, True),
        ("prescription-opioid", 13, False),
        ("fentanyl", 23.9, True),
        ("fentanyl", 24, False),
        ("methadone", 35.9, True),
        ("methadone", 36, False),
    ],
)
def test_induction_waits_after_last_use(last, hours, fires):
    warnings = codes(
        med("buprenorphine-naloxone"),
        cows_totals_24h=[10],
        last_opioid=last,
        last_opioid_use_at=hours_ago(hours),
    )
    assert ("buprenorphine-induction-timing" in warnings) is fires


def test_induction_timing_counts_from_a_future_start_date():
    tomorrow = TODAY + datetime.timedelta(days=1)
    # Fentanyl 2 h ago, start tomorrow at 00:00: 14 h later, still under 24 h.
    assert "buprenorphine-induction-timing" in codes(
        med("buprenorphine", start=tomorrow),
        cows_totals_24h=[9],
        last_opioid="fentanyl",
        last_opioid_use_at=hours_ago(2),
    )
    # Heroin 2 h ago: 14 h by tomorrow, past the 12 h wait.
    assert "buprenorphine-induction-timing" not in codes(
        med("buprenorphine", start=tomorrow),
        cows_totals_24h=[9],
        last_opioid="heroin",
        last_opioid_use_at=hours_ago(2),
    )


# methadone-qtc
@pytest.mark.parametrize(
    "qtc, fires, high",
    [
        (None, True, False),
        (Decimal("449"), False, False),
        (Decimal("450"), True, False),
        (Decimal("499"), True, False),
        (Decimal("500"), True, True),
    ],
)
def test_methadone_needs_a_qtc_below_450(qtc, fires, high):
    plan = PlanDraft(medications=(med("methadone", "30"), NALOXONE))
    warnings = plan_warnings(plan, PlanFacts(now=NOW, today=TODAY, latest_qtc=qtc))
    found = [w for w in warnings if w.code == "methadone-qtc"]
    assert bool(found) is fires
    if found:
        assert ("≥ 500: high risk" in found[0].message) is high


# methadone-first-dose
@pytest.mark.parametrize(
    "dose, frequency, fires",
    [("30", "daily", False), ("30.5", "daily", True), ("20", "bid", False), ("25", "bid", True)],
)
def test_methadone_first_day_limits(dose, frequency, fires):
    warnings = codes(med("methadone", dose, frequency), latest_qtc=Decimal("420"))
    assert ("methadone-first-dose" in warnings) is fires


def test_methadone_first_dose_reads_the_taper_and_spares_a_continuing_dose():
    taper = [(1, Decimal("40")), (2, Decimal("35"))]
    assert "methadone-first-dose" in codes(
        med("methadone", "35", taper=taper), latest_qtc=Decimal("420")
    )
    assert "methadone-first-dose" not in codes(
        med("methadone", "90"), latest_qtc=Decimal("420"), continuing_drugs=frozenset({"methadone"})
    )


# naltrexone-opioid-free
@pytest.mark.parametrize(
    "last, days, fires",
    [
        ("heroin", 6.9, True),
        ("heroin", 7, False),
        ("methadone", 9.9, True),
        ("methadone", 10, False),
        ("buprenorphine", 9, True),
    ],
)
def test_naltrexone_waits_after_last_use(last, days, fires):
    warnings = codes(med("naltrexone", "50"), last_opioid=last, last_opioid_use_at=days_ago(days))
    assert ("naltrexone-opioid-free" in warnings) is fires


@pytest.mark.parametrize(
    "test, days, fires",
    [
        ("fentanyl", 6.9, True),
        ("fentanyl", 7.1, False),
        ("buprenorphine", 9.5, True),
        ("methadone", 10.1, False),
        ("norfentanyl", 1, False),
    ],
)
def test_naltrexone_waits_after_a_positive_screen(test, days, fires):
    warnings = codes(
        med("naltrexone-xr", "380", "q4w"), opioid_positive_screens=[(test, days_ago(days))]
    )
    assert ("naltrexone-opioid-free" in warnings) is fires


# sedative-with-agonist
def test_sedatives_with_an_agonist():
    assert "sedative-with-agonist" in codes(
        med("methadone", "30"), latest_qtc=Decimal("400"), benzodiazepine_positive_30d=True
    )
    assert "sedative-with-agonist" in codes(
        med("buprenorphine"), cows_totals_24h=[9], latest_auditc_positive=True
    )
    assert "sedative-with-agonist" not in codes(
        med("naltrexone", "50"), benzodiazepine_positive_30d=True
    )
    assert "sedative-with-agonist" not in codes(med("buprenorphine"), cows_totals_24h=[9])


# pregnancy-review
def test_pregnancy_review():
    assert "pregnancy-review" in codes(med("lofexidine", "0.54", "qid"), hcg_positive_30d=True)
    assert "pregnancy-review" in codes(detox=True, pregnancy_reported=True)
    assert "pregnancy-review" not in codes(
        med("buprenorphine"), cows_totals_24h=[9], hcg_positive_30d=True
    )
    assert "pregnancy-review" not in codes(med("naltrexone", "50"))


# liver-enzymes
@pytest.mark.parametrize(
    "liver, fires",
    [
        ({"ast": Decimal("120")}, False),
        ({"ast": Decimal("121")}, True),
        ({"alt": Decimal("168")}, False),
        ({"alt": Decimal("168.5")}, True),
    ],
)
def test_liver_enzymes_above_three_times_normal(liver, fires):
    assert (
        "liver-enzymes" in codes(med("acetaminophen", "650", "q6h-prn"), liver_max=liver)
    ) is fires
    assert "liver-enzymes" not in codes(med("ibuprofen", "400", "tid"), liver_max=liver)


# no-naloxone
def test_no_naloxone():
    plan = PlanDraft(medications=(med("methadone", "30"),))
    found = {w.code for w in plan_warnings(plan, PlanFacts(now=NOW, latest_qtc=Decimal("400")))}
    assert "no-naloxone" in found
    detox = PlanDraft(medications=(), medically_supervised_detox=True)
    assert "no-naloxone" in {w.code for w in plan_warnings(detox, PlanFacts(now=NOW))}
    assert "no-naloxone" not in codes(med("methadone", "30"), latest_qtc=Decimal("400"))
    naltrexone_only = PlanDraft(medications=(med("naltrexone", "50"),))
    assert not plan_warnings(naltrexone_only, PlanFacts(now=NOW))


# dose-range
@pytest.mark.parametrize(
    "line, fires",
    [
        (med("buprenorphine", "24"), False),
        (med("buprenorphine", "12", "bid"), False),
        (med("buprenorphine", "13", "bid"), True),
        (med("buprenorphine", "1"), True),
        (med("buprenorphine-xr", "300", "monthly"), False),
        (med("buprenorphine-xr", "301", "monthly"), True),
        (med("methadone", "200"), False),
        (med("methadone", "201"), True),
        (med("naltrexone-xr", "380", "q4w"), False),
        (med("naltrexone-xr", "400", "q4w"), True),
        (med("lofexidine", "0.72", "qid"), False),
        (med("lofexidine", "0.9", "tid"), True),
        (med("acetaminophen", "1000", "q6h-prn"), False),
        (med("acetaminophen", "1000", "q4h-prn"), True),
        (med("loperamide", "4", "qid"), False),
        (med("loperamide", "4", "q4h-prn"), True),
        (med("hydroxyzine", "50", "qid"), False),
        (med("hydroxyzine", "75", "qid"), True),
        (med("trazodone", "100"), False),
        (med("trazodone", "150"), True),
        (med("dicyclomine", "20"), False),
        (med("dicyclomine", "10"), True),
        (med("methocarbamol", "1500", "qid"), False),
        (med("methocarbamol", "750", "q4h-prn"), False),
        (med("methocarbamol", "1000", "q4h-prn"), False),
        (med("methocarbamol", "1001", "q4h-prn"), True),
    ],
)
def test_dose_ranges(line, fires):
    facts = {"cows_totals_24h": [9], "latest_qtc": Decimal("400")}
    assert ("dose-range" in codes(line, **facts)) is fires


# qt-prolonging-drug (new)
@pytest.mark.parametrize(
    "drug, dose, frequency",
    [
        ("ondansetron", "4", "tid"),
        ("lofexidine", "0.54", "qid"),
        ("loperamide", "2", "qid"),
        ("hydroxyzine", "25", "tid"),
        ("trazodone", "50", "daily"),
    ],
)
@pytest.mark.parametrize(
    "qtc, fires",
    [
        (None, False),
        (Decimal("449"), False),
        (Decimal("450"), True),
        (Decimal("520"), True),
    ],
)
def test_qt_prolonging_symptom_medicine_with_a_qtc_of_450_or_more(
    drug, dose, frequency, qtc, fires
):
    found = codes(med(drug, dose, frequency), detox=True, latest_qtc=qtc)
    assert ("qt-prolonging-drug" in found) is fires


def test_qt_prolonging_does_not_repeat_methadones_own_rule():
    found = codes(med("methadone", "30"), latest_qtc=Decimal("470"))
    assert "methadone-qtc" in found and "qt-prolonging-drug" not in found


# agonist-duplication (new)
END = datetime.timedelta


@pytest.mark.parametrize(
    "methadone_end, bup_start, fires",
    [
        (None, TODAY, True),  # both open-ended, same day
        (TODAY + END(days=10), TODAY + END(days=10), True),  # last methadone day = first bup day
        (TODAY + END(days=9), TODAY + END(days=10), False),  # a switch: methadone ends first
    ],
)
def test_methadone_and_buprenorphine_on_overlapping_dates(methadone_end, bup_start, fires):
    methadone = MedLine("methadone", Decimal("30"), "daily", TODAY, end_date=methadone_end)
    bup = med("buprenorphine", start=bup_start)
    found = codes(methadone, bup, cows_totals_24h=[10], latest_qtc=Decimal("400"))
    assert ("agonist-duplication" in found) is fires


def test_agonist_duplication_needs_both_agonists():
    assert "agonist-duplication" not in codes(med("methadone", "30"), latest_qtc=Decimal("400"))


# nsaid-low-platelets (new)
@pytest.mark.parametrize(
    "platelets, fires",
    [
        (None, False),
        (Decimal("49"), True),
        (Decimal("49.9"), True),
        (Decimal("50"), False),
    ],
)
def test_ibuprofen_with_platelets_under_50(platelets, fires):
    found = codes(med("ibuprofen", "400", "tid"), platelets_min_30d=platelets)
    assert ("nsaid-low-platelets" in found) is fires


# sedative-with-agonist, from the interview (new)
@pytest.mark.parametrize(
    "used, fires",
    [
        (frozenset(), False),
        (frozenset({"benzodiazepine"}), True),
        (frozenset({"alcohol"}), True),
    ],
)
def test_sedative_with_agonist_from_interview_use(used, fires):
    found = codes(med("methadone", "30"), latest_qtc=Decimal("400"), sedative_use_30d=used)
    assert ("sedative-with-agonist" in found) is fires
    assert "sedative-with-agonist" not in codes(med("naltrexone", "50"), sedative_use_30d=used)


def test_the_rules_take_their_lab_thresholds_from_the_catalog():
    from intake import plan_rules
    from intake.labs.catalog import TESTS_BY_CODE

    assert plan_rules.QTC_WARNING_MS == TESTS_BY_CODE["qtc"]["high"] == Decimal("450")
    assert plan_rules.QTC_HIGH_RISK_MS == TESTS_BY_CODE["qtc"]["critical_high"] == Decimal("500")
    assert plan_rules.LIVER_ULN == {"ast": Decimal("40"), "alt": Decimal("56")}
