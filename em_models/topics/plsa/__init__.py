"""Probabilistic latent semantic analysis fitted by exact EM (Hofmann, 1999)."""
