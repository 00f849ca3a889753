"""Words shown to readers for the content's and the calculators' codes, in one place so that
pages, flowcharts and forms say the same thing."""

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
REVIEW_LABELS = {
    "submitted": "submitted for review",
    "under_review": "under clinical review",
    "approved": "approved by the editorial board",
}
STAGE_LABELS = {
    "localized": "Localized",
    "locoregional": "Locoregional",
    "resectable_liver_mets": "Resectable liver metastases",
    "unresectable_metastatic": "Unresectable or metastatic",
}
SYNDROME_LABELS = {
    "carcinoid_syndrome": "Carcinoid syndrome",
    "carcinoid_syndrome_refractory_diarrhoea": "Carcinoid syndrome with diarrhoea refractory "
                                               "to SSA",
    "gastrinoma": "Gastrinoma",
    "insulinoma": "Insulinoma",
    "vipoma": "VIPoma",
    "glucagonoma": "Glucagonoma",
}
