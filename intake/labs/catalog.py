"""Lab tests, panels and the drug screens each medication is expected to turn positive.

Source: docs/clinical-rules.md#lab-catalog; the medication codes are those of #medicines. A data
migration loads `LAB_TESTS` and `PANELS`; keep codes stable, they are API codes.

Each test is a dict with these keys:

- `code`, `name`, `unit` ('' where the result has no unit).
- `loinc`: only the codes the reference gives; '' elsewhere (fill from the lab's own compendium,
  never guess).
- `kind`:
  - `screen`: urine drug test; `positive` when value >= `cutoff`, else `negative`.
  - `validity`: specimen temperature, creatinine, specific gravity, pH; they decide the specimen
    status and get no interpretation or flag of their own.
  - `qualitative`: reported as positive / negative / inconclusive only.
  - `ranged`: flagged `normal` / `low` / `high` / `critical` against `low`, `high` and the
    critical limits.
  - `detect`: hcv-rna, a quantitative result read as detected / not detected: `positive` (flag
    `high`) when value > `high` (0, "detected above 0"), else `negative` (flag `normal`).
- `cutoff`, `low`, `high`, `critical_low`, `critical_high`: Decimal or None. Normal range is
  [low, high] inclusive; a value at or beyond a critical limit is critical.
- `plausible_min`, `plausible_max`: Decimal or None; a value outside them cannot be a real
  measurement and is refused (negative concentrations, pH outside 0-14, ...). Both None for
  qualitative-only tests, which take no number at all.
- `method`: 'immunoassay' for the point-of-care drug screens, '' where the reference is silent.
- `is_opioid`: the screen detects an opioid or an opioid metabolite.
- `qualitative_only`: the test takes no numeric value.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeAlias

# A test as interpretation reads it: an entry of LAB_TESTS, or a stored test's as_reference().
LabTestRow: TypeAlias = Mapping[str, Any]

SCREEN = "screen"
VALIDITY = "validity"
QUALITATIVE = "qualitative"
RANGED = "ranged"
DETECT = "detect"

IMMUNOASSAY = "immunoassay"

# What a result is reported as (API codes): its interpretation...
POSITIVE = "positive"
NEGATIVE = "negative"
INCONCLUSIVE = "inconclusive"
NOT_TESTED = "not-tested"
QUALITATIVE_RESULTS = (POSITIVE, NEGATIVE, INCONCLUSIVE, NOT_TESTED)
# ...and its flag against the normal range and critical limits.
NORMAL = "normal"
LOW = "low"
HIGH = "high"
CRITICAL = "critical"

# Validity test codes (specimen_status reads its values under these keys).
SPECIMEN_TEMPERATURE = "specimen-temperature"
CREATININE = "creatinine"
SPECIFIC_GRAVITY = "specific-gravity"
PH = "ph"


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _test(
    code: str,
    name: str,
    unit: str,
    kind: str,
    *,
    loinc: str = "",
    cutoff: str | None = None,
    low: str | None = None,
    high: str | None = None,
    critical_low: str | None = None,
    critical_high: str | None = None,
    plausible_min: str | None = "0",
    plausible_max: str | None = None,
    is_opioid: bool = False,
    qualitative_only: bool = False,
) -> dict[str, Any]:
    """One catalog entry; numbers are given as strings and stored as Decimal."""
    if qualitative_only:
        plausible_min = plausible_max = None
    return {
        "code": code,
        "name": name,
        "loinc": loinc,
        "unit": unit,
        "kind": kind,
        "cutoff": _decimal(cutoff),
        "low": _decimal(low),
        "high": _decimal(high),
        "critical_low": _decimal(critical_low),
        "critical_high": _decimal(critical_high),
        "plausible_min": _decimal(plausible_min),
        "plausible_max": _decimal(plausible_max),
        "method": IMMUNOASSAY if kind == SCREEN else "",
        "is_opioid": is_opioid,
        "qualitative_only": qualitative_only,
    }


# Plausible limits (docs/clinical-rules.md#plausible-limits): entry limits far outside any critical
# limit, so a value beyond them is a typo or a unit mix-up (QTc 5000 ms, hemoglobin 130 g/L typed
# as g/dL) and is refused instead of stored and alerted on.
SCREEN_PLAUSIBLE_MAX = "1000000"  # ng/mL


def _screen(code: str, name: str, cutoff: str, *, is_opioid: bool = False) -> dict[str, Any]:
    return _test(
        code,
        name,
        "ng/mL",
        SCREEN,
        cutoff=cutoff,
        is_opioid=is_opioid,
        plausible_max=SCREEN_PLAUSIBLE_MAX,
    )


URINE_DRUG_TESTS = (
    _screen("opiates", "Opiates (morphine, codeine)", "300", is_opioid=True),
    _screen("6-mam", "6-Monoacetylmorphine (heroin marker)", "10", is_opioid=True),
    _screen("fentanyl", "Fentanyl", "1", is_opioid=True),
    _screen("norfentanyl", "Norfentanyl (fentanyl metabolite)", "1", is_opioid=True),
    _screen("oxycodone", "Oxycodone", "100", is_opioid=True),
    _screen("buprenorphine", "Buprenorphine", "5", is_opioid=True),
    _screen("norbuprenorphine", "Norbuprenorphine (buprenorphine metabolite)", "5", is_opioid=True),
    _screen("methadone", "Methadone", "300", is_opioid=True),
    _screen("eddp", "EDDP (methadone metabolite)", "100", is_opioid=True),
    _screen("benzodiazepines", "Benzodiazepines", "200"),
    _screen("cocaine", "Cocaine (benzoylecgonine)", "150"),
    _screen("amphetamines", "Amphetamines", "500"),
    _screen("thc", "Cannabinoids (THC)", "50"),
    _test("xylazine", "Xylazine", "", SCREEN, qualitative_only=True),
)

SPECIMEN_VALIDITY_TESTS = (
    # Read within 4 minutes of collection.
    _test(SPECIMEN_TEMPERATURE, "Specimen temperature", "°C", VALIDITY, plausible_max="50"),
    _test(CREATININE, "Urine creatinine", "mg/dL", VALIDITY, loinc="2161-8", plausible_max="1000"),
    _test(
        SPECIFIC_GRAVITY,
        "Urine specific gravity",
        "",
        VALIDITY,
        loinc="2965-2",
        plausible_min="0.9900",
        plausible_max="1.0800",
    ),
    _test(PH, "Urine pH", "", VALIDITY, loinc="2756-5", plausible_min="1", plausible_max="14"),
)


def _qualitative(code: str, name: str, loinc: str = "") -> dict[str, Any]:
    """A test reported as positive / negative / inconclusive only, never as a number."""
    return _test(code, name, "", QUALITATIVE, loinc=loinc, qualitative_only=True)


def _limits(text: str) -> tuple[str | None, str | None]:
    """A range as the reference writes it, "12.0-17.5" -> ("12.0", "17.5"); an open side is
    left empty ("-500": no low limit), and "" has neither."""
    low, _, high = text.partition("-")
    return low or None, high or None


def _ranged(
    code: str, name: str, unit: str, loinc: str, normal: str, critical: str, plausible: str
) -> dict[str, Any]:
    """A test flagged against its normal range and critical limits, each written as the
    reference writes a range (`_limits`); a value outside the plausible limits is refused."""
    low, high = _limits(normal)
    critical_low, critical_high = _limits(critical)
    plausible_min, plausible_max = _limits(plausible)
    return _test(
        code,
        name,
        unit,
        RANGED,
        loinc=loinc,
        low=low,
        high=high,
        critical_low=critical_low,
        critical_high=critical_high,
        plausible_min=plausible_min,
        plausible_max=plausible_max,
    )


# Ranged rows: code, name, unit, LOINC, normal range, critical limits, plausible limits.
BLOOD_AND_OTHER_TESTS = (
    _qualitative("hiv", "HIV-1/2 antigen/antibody", "56888-1"),
    _qualitative("hcv-ab", "Hepatitis C antibody", "16128-1"),
    _test(
        "hcv-rna",
        "Hepatitis C RNA",
        "IU/mL",
        DETECT,
        loinc="11011-4",
        high="0",
        plausible_max="1000000000",
    ),
    _qualitative("hbsag", "Hepatitis B surface antigen", "5196-1"),
    _ranged("ast", "AST (aspartate aminotransferase)", "U/L", "1920-8", "10-40", "", "0-20000"),
    _ranged("alt", "ALT (alanine aminotransferase)", "U/L", "1742-6", "7-56", "", "0-20000"),
    _qualitative("hcg", "hCG (pregnancy)"),
    _ranged("hemoglobin", "Hemoglobin", "g/dL", "718-7", "12.0-17.5", "7-20", "1-25"),
    _ranged("wbc", "White blood cell count", "10^3/µL", "6690-2", "4.0-11.0", "2-30", "0-500"),
    _ranged("platelets", "Platelet count", "10^3/µL", "777-3", "150-400", "50-1000", "0-3000"),
    _ranged("qtc", "QTc interval", "ms", "", "350-450", "-500", "200-800"),
)

LAB_TESTS = URINE_DRUG_TESTS + SPECIMEN_VALIDITY_TESTS + BLOOD_AND_OTHER_TESTS

TESTS_BY_CODE = {test["code"]: test for test in LAB_TESTS}

# code -> (name, test codes), in the order the reference lists them.
PANELS = {
    "uds": (
        "Urine drug screen",
        tuple(t["code"] for t in URINE_DRUG_TESTS + SPECIMEN_VALIDITY_TESTS),
    ),
    "intake-blood": (
        "Intake blood work",
        ("hiv", "hcv-ab", "hbsag", "ast", "alt", "hemoglobin", "wbc", "platelets", "hcg"),
    ),
    "hcv-confirm": ("Hepatitis C confirmation (RNA)", ("hcv-rna",)),
    "pregnancy": ("Pregnancy test", ("hcg",)),
    "ecg": ("ECG (QTc)", ("qtc",)),
}

# Decimal places a result is shown with on pages and printouts (how labs report each test:
# hemoglobin 13.5 g/dL, AST 198 U/L, specific gravity 1.015). A value entered with more
# significant places keeps them; trailing storage zeros (198.0000) never show.
DISPLAY_DECIMALS = {
    **{test["code"]: 0 for test in URINE_DRUG_TESTS},
    SPECIMEN_TEMPERATURE: 1,
    CREATININE: 1,
    SPECIFIC_GRAVITY: 3,
    PH: 1,
    "hcv-rna": 0,
    "ast": 0,
    "alt": 0,
    "hemoglobin": 1,
    "wbc": 1,
    "platelets": 0,
    "qtc": 0,
}

# Medication code (section 4) -> the screens it is expected to turn positive.
_BUPRENORPHINE_SCREENS = ("buprenorphine", "norbuprenorphine")
DRUG_SCREEN_FOR_MEDICATION = {
    "buprenorphine": _BUPRENORPHINE_SCREENS,
    "buprenorphine-naloxone": _BUPRENORPHINE_SCREENS,
    "buprenorphine-xr": _BUPRENORPHINE_SCREENS,
    "methadone": ("methadone", "eddp"),
}


def panels_for_test(code: str) -> tuple[str, ...]:
    """Codes of the panels that include this test (the catalog API's `panels`)."""
    return tuple(panel for panel, (_name, codes) in PANELS.items() if code in codes)
