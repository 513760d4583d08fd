"""The EM models beyond the Gaussian mixture, one folder each (``hmm/``: hidden Markov models)."""
