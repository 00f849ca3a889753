"""Words shown to readers for the content's codes, in one place so that pages, flowcharts and
forms say the same thing. The calculators' codes (stages, syndromes) are worded in
calculators.labels and re-exported here."""

from calculators.labels import STAGE_LABELS, SYNDROME_LABELS  # noqa: F401 (re-exported)

STRENGTH_LABELS = {
    "recommended": "Recommended",
    "suggested": "Suggested",
    "option": "Option",
    "not_recommended": "Not recommended",
}
STRENGTH_MEANINGS = {
    "recommended": "Do this for the patients described.",
    "suggested": "Usually the right choice; individual factors may weigh against it.",
    "option": "A reasonable choice among others.",
    "not_recommended": "Do not do this for the patients described.",
}
EVIDENCE_LABELS = {
    "rct": "Randomised trial",
    "prospective": "Prospective study",
    "retrospective": "Retrospective series",
    "guideline": "Guideline statement",
    "consensus": "Expert consensus",
}
