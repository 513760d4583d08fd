"""The EM models, one folder each, listed in one place (:mod:`em_models.registry`):
``mixture/`` (the Gaussian mixture's registration; its code is still in em_core, em_viz,
em_ui and app_pages), ``ppca/`` (probabilistic PCA) and ``hmm/`` (hidden Markov models)."""
