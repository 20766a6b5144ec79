"""The flags and plausible limits of CLINICAL_REFERENCE.md §8, at every boundary: each edge of
each band, one value either side (tenths for temperature)."""

from decimal import Decimal

import pytest

from intake import vital_signs_rules as rules

N, L, H, C = "normal", "low", "high", "critical"

# (measure, value, flag): both sides of every edge of §8's table.
BOUNDARIES = [
    # systolic: critical < 80, low 80–89, normal 90–139, high 140–179, critical ≥ 180
    ("systolic", 40, C),
    ("systolic", 79, C),
    ("systolic", 80, L),
    ("systolic", 89, L),
    ("systolic", 90, N),
    ("systolic", 139, N),
    ("systolic", 140, H),
    ("systolic", 179, H),
    ("systolic", 180, C),
    ("systolic", 300, C),
    # diastolic: critical < 40, low 40–59, normal 60–89, high 90–119, critical ≥ 120
    ("diastolic", 20, C),
    ("diastolic", 39, C),
    ("diastolic", 40, L),
    ("diastolic", 59, L),
    ("diastolic", 60, N),
    ("diastolic", 89, N),
    ("diastolic", 90, H),
    ("diastolic", 119, H),
    ("diastolic", 120, C),
    ("diastolic", 200, C),
    # heart rate: critical < 40, low 40–59, normal 60–100, high 101–129, critical ≥ 130
    ("heart_rate", 20, C),
    ("heart_rate", 39, C),
    ("heart_rate", 40, L),
    ("heart_rate", 59, L),
    ("heart_rate", 60, N),
    ("heart_rate", 100, N),
    ("heart_rate", 101, H),
    ("heart_rate", 129, H),
    ("heart_rate", 130, C),
    ("heart_rate", 300, C),
    # respiratory rate: critical < 10, low 10–11, normal 12–20, high 21–28, critical > 28
    ("respiratory_rate", 2, C),
    ("respiratory_rate", 9, C),
    ("respiratory_rate", 10, L),
    ("respiratory_rate", 11, L),
    ("respiratory_rate", 12, N),
    ("respiratory_rate", 20, N),
    ("respiratory_rate", 21, H),
    ("respiratory_rate", 28, H),
    ("respiratory_rate", 29, C),
    ("respiratory_rate", 80, C),
    # temperature: critical < 35.0, low 35.0–35.9, normal 36.0–37.9, high 38.0–38.9,
    # critical ≥ 39.0
    ("temperature_c", "25.0", C),
    ("temperature_c", "34.9", C),
    ("temperature_c", "35.0", L),
    ("temperature_c", "35.9", L),
    ("temperature_c", "36.0", N),
    ("temperature_c", "37.9", N),
    ("temperature_c", "38.0", H),
    ("temperature_c", "38.9", H),
    ("temperature_c", "39.0", C),
    ("temperature_c", "45.0", C),
    # SpO2: critical < 90, low 90–94, normal 95–100 (no high)
    ("spo2", 50, C),
    ("spo2", 89, C),
    ("spo2", 90, L),
    ("spo2", 94, L),
    ("spo2", 95, N),
    ("spo2", 100, N),
]


@pytest.mark.parametrize(("measure", "value", "expected"), BOUNDARIES)
def test_each_value_is_flagged_as_section_8_says(measure, value, expected):
    number = Decimal(value) if isinstance(value, str) else value
    assert rules.value_error(measure, number) is None
    assert rules.flag(measure, number) == expected


# (measure, last plausible below, first plausible, last plausible, first refused above)
PLAUSIBLE = [
    ("systolic", 39, 40, 300, 301),
    ("diastolic", 19, 20, 200, 201),
    ("heart_rate", 19, 20, 300, 301),
    ("respiratory_rate", 1, 2, 80, 81),
    ("temperature_c", Decimal("24.9"), Decimal("25.0"), Decimal("45.0"), Decimal("45.1")),
    ("spo2", 49, 50, 100, 101),
    ("weight_kg", Decimal("1.9"), 2, 350, Decimal("350.1")),
    ("height_cm", Decimal("39.9"), 40, 250, Decimal("250.1")),
    ("pain", -1, 0, 10, 11),
]


@pytest.mark.parametrize(("measure", "below", "low", "high", "above"), PLAUSIBLE)
def test_values_outside_the_plausible_limits_are_refused(measure, below, low, high, above):
    assert rules.value_error(measure, low) is None
    assert rules.value_error(measure, high) is None
    for refused in (below, above):
        message = rules.value_error(measure, refused)
        assert message and "Outside the plausible range" in message


def test_weight_height_and_pain_carry_no_flag():
    values = {"weight_kg": Decimal("70.5"), "height_cm": 172, "pain": 10, "heart_rate": 72}
    assert rules.flags(values) == {"heart_rate": "normal"}
    assert rules.flag("pain", 10) is None


def test_one_critical_vital_per_critical_measure():
    found = rules.flags({"systolic": 200, "diastolic": 130, "heart_rate": 72, "spo2": 85})
    assert found == {"systolic": C, "diastolic": C, "heart_rate": N, "spo2": C}
    assert rules.alerts(found) == ["systolic", "diastolic", "spo2"]


@pytest.mark.parametrize(
    ("measure", "value", "message"),
    [
        ("heart_rate", "72", "Give a whole number."),
        ("heart_rate", True, "Give a whole number."),
        ("heart_rate", Decimal("72.5"), "Give a whole number."),
        ("pain", Decimal("3.5"), "Give a whole number."),
        ("temperature_c", Decimal("36.55"), "Give at most 1 decimal place."),
        ("temperature_c", Decimal("NaN"), "Give a number."),
        ("temperature_c", Decimal("Infinity"), "Give a number."),
    ],
)
def test_wrong_types_and_precision_are_refused(measure, value, message):
    assert rules.value_error(measure, value) == message


def test_a_whole_number_with_a_decimal_point_is_accepted():
    assert rules.value_error("heart_rate", Decimal("72.0")) is None
    assert rules.value_error("temperature_c", Decimal("36.50")) is None


def test_blood_pressure_is_recorded_as_a_pair():
    assert rules.errors({"systolic": 120}) == {
        "diastolic": ["Record systolic and diastolic blood pressure together."]
    }
    assert "systolic" in rules.errors({"diastolic": 80})
    assert rules.errors({"systolic": 120, "diastolic": 80}) == {}


def test_at_least_one_measure():
    assert rules.errors({}) == {"__all__": ["Record at least one measure."]}
    assert rules.errors({"heart_rate": None}) == {"__all__": ["Record at least one measure."]}
    assert rules.errors({"pain": 0}) == {}


def test_the_table_and_the_database_constraints_agree():
    from intake.models.vital_signs import PLAUSIBLE as COLUMNS

    assert [c for c, _, _ in COLUMNS] == list(rules.MEASURE_CODES)
    for code, low, high in COLUMNS:
        assert rules.MEASURES[code].plausible_low == low
        assert rules.MEASURES[code].plausible_high == high


@pytest.mark.parametrize(
    ("pulse", "points"), [(20, 0), (80, 0), (81, 1), (100, 1), (101, 2), (120, 2), (121, 4)]
)
def test_cows_item_1_from_a_heart_rate(pulse, points):
    assert rules.cows_pulse_points(pulse) == points
