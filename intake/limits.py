"""How much one record may hold (issue 11: bounds on every field). One place, read by the
services (which every page and the API go through) and by the API serializers (so the schema
states them). The numbers are generous for real clinical work and small enough that a request
cannot store megabytes or thousands of rows in one record."""

# Free text: narrative fields are bounded by the API's StrictCharField (10,000 characters) and
# the models' own max_length; these are the lists.
MAX_MEDICATIONS = 20  # medication lines on one plan version
MAX_BEHAVIORAL = 20  # behavioral components on one plan version
MAX_PROBLEMS = 30  # problems on one plan version
MAX_GOALS = 20  # goals of one problem or one behavioral component
MAX_OBJECTIVES = 20  # objectives (and interventions) of one goal
MAX_TAPER_STEPS = 90  # steps of one medication's taper (a day each, up to three months)
MAX_SUBSTANCES = 30  # substances on one intake interview
MAX_LAB_RESULTS = 60  # results entered for one lab order (a panel) at once
MAX_MONITORING_NOTES = 1000  # characters of notes on the withdrawal-monitoring schedule

# Withdrawal monitoring on a plan: which scale, how often. `notes` is optional free text.
# The withdrawal scales the clinic records (intake.models.InstrumentCode): opioid (COWS,
# SOWS) and alcohol (CIWA-Ar), with the names screens show.
MONITORING_SCALES = {"cows": "COWS", "sows": "SOWS", "ciwa-ar": "CIWA-Ar"}
MONITORING_INSTRUMENTS = tuple(MONITORING_SCALES)
MONITORING_HOURS = (1, 48)
# The COWS total a buprenorphine induction waits for (the plan's own, default 8; COWS is 0-48).
INDUCTION_THRESHOLD_DEFAULT = 8
INDUCTION_THRESHOLD_RANGE = (1, 48)
