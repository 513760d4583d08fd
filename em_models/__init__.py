"""The EM models, one folder each, listed in one place (:mod:`em_models.registry`):
``mixture/`` (the Gaussian mixture, with its lesson pages in ``lessons/``), ``ppca/``
(probabilistic PCA) and ``hmm/`` (hidden Markov models)."""
