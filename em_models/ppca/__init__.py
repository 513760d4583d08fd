"""Probabilistic PCA as an EM model: engine, command line, trace file, figures, view, page and
exports, registered in em_models/registry.py."""
