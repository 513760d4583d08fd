"""Topic models: pLSA fitted by exact EM (:mod:`em_models.topics.plsa`) and latent Dirichlet
allocation by variational EM (:mod:`em_models.topics.lda`), on the corpora of
:mod:`em_models.topics.corpus`."""
