"""The clinical course of a generated patient: programs and how long episodes last, the level of
care, medication regimes, discharge reasons, the substances used."""

# Programs (Program values) and episode length in days (median, spread, max).
PROGRAM_LENGTH = {
    "inpatient": (6, 0.3, 10),
    "residential": (30, 0.4, 90),
    "intensive-outpatient": (45, 0.5, 120),
    "outpatient": (50, 0.9, 720),
    "otp": (150, 0.8, 1095),
}
FIRST_PROGRAM = (
    ("outpatient", 40),
    ("otp", 22),
    ("intensive-outpatient", 15),
    ("inpatient", 15),
    ("residential", 8),
)
PLAN_SETTING = {
    "inpatient": "inpatient",
    "residential": "residential",
    "intensive-outpatient": "intensive-outpatient",
    "outpatient": "outpatient",
    "otp": "outpatient",
}
ASAM_LEVEL = {
    "inpatient": "3.7",
    "residential": "3.5",
    "intensive-outpatient": "2.1",
    "outpatient": "1",
    "otp": "otp",
}
# Medication regimes by program: (regime, weight).
REGIMES = {
    "inpatient": (("detox", 100),),
    "residential": (("bup", 40), ("naltrexone-xr", 30), ("none", 30)),
    "intensive-outpatient": (("bup", 50), ("naltrexone", 20), ("none", 30)),
    "outpatient": (("bup", 55), ("bup-xr", 10), ("naltrexone-xr", 10), ("none", 25)),
    "otp": (("methadone", 70), ("bup", 30)),
}
REGIME_DRUGS = {
    "bup": ("buprenorphine-naloxone",),
    "bup-xr": ("buprenorphine-xr",),
    "methadone": ("methadone",),
    "naltrexone": ("naltrexone",),
    "naltrexone-xr": ("naltrexone-xr",),
    "detox": (),
    "none": (),
}
MEDICATION_TEXT = {
    "bup": "Buprenorphine/naloxone 16 mg sublingual daily",
    "bup-xr": "Sublocade 300 mg monthly injection",
    "methadone": "Methadone 80 mg daily",
    "naltrexone": "Naltrexone 50 mg daily",
    "naltrexone-xr": "Naltrexone XR 380 mg every 4 weeks",
    "detox": "",
    "none": "",
}
DISCHARGE_REASONS = (
    ("completed", 40),
    ("left-against-advice", 20),
    ("lost-to-follow-up", 22),
    ("transferred", 10),
    ("incarcerated", 4),
    ("other", 4),
)
OPIOIDS = (("fentanyl", 60), ("heroin", 20), ("prescription-opioid", 15), ("other-opioid", 5))
CO_SUBSTANCES = (
    ("stimulant", 0.35),
    ("alcohol", 0.3),
    ("benzodiazepine", 0.15),
    ("cannabis", 0.35),
    ("tobacco", 0.6),
)

# Lab schedule (days): urine drug screens weekly for the first weeks of an episode (and all
# through residential care), then every 4 weeks, then every 8 weeks once stable.
UDS_WEEKLY_WEEKS = 4
UDS_MONTHLY_UNTIL_DAY = 90
UDS_LATER_EVERY = 56
