"""Releases: publishing a version, freezing it, and comparing releases.

A published version is frozen in a record folder, releases/<guideline>/<version>/, written by
`nenguide release` and never edited by hand (see record.py for its files). Later builds take
the release's words and calculators from there, so neither a change of content schema,
templates or calculator code, nor an edit of its YAML, can change what it says or answers.
"""
