"""Latent Dirichlet allocation fitted by variational EM (scikit-learn's batch form)."""
