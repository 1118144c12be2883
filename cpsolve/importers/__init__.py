"""Importers: turn what users already have (CMS/TPS task packages, dataset rows) into problems.

Each importer is one module of this package with an `import_*` function that writes problem
directories and returns what it wrote (dataset importers: an `ImportReport` of written and
skipped rows, the problem being written told to an optional `show` callback). They print
nothing: `cpsolve import` (cpsolve/cli/imports.py) gives each a command, a status line and the
printed report.
"""
