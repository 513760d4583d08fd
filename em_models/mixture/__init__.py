"""The Gaussian mixture, registered as a model (:mod:`em_models.registry`).

Its parts here are thin: they point at where the mixture's code lives today, the engine in
``em_core/`` (``mixture.py``, ``gaussian.py``, ``init.py``, ``selection.py``, ``search.py``,
the trace file in ``trace_json.py``, the command line's options in ``cli.py``), its figures
and view in ``em_viz/``, its stepping view's extras in ``em_models/mixture/stepper.py`` and its
lesson pages in ``app_pages/``. Moving those files into this folder, as probabilistic PCA's
are in ``em_models/ppca/``, is a later step.

- ``pages``: its lesson pages under "Learn";
- ``cli``: ``fit`` for a mixture (the command's own options, shared with ``select``);
- ``trace``: its trace file, written, read and replayed (:mod:`em_core.trace_json`);
- ``exports``: the files of its "Export this run" section.
"""
