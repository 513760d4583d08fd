"""The Gaussian mixture fitted by EM, the app's first model and the one its lessons teach.

- the model: ``engine`` (:class:`engine.GaussianMixture`, :func:`engine.fit`, the E- and
  M-step), ``gaussian`` (parameters and covariance types), ``starts`` (given, random,
  K-means and k-means++ starts), ``selection`` and ``search`` (restarts, the search over K,
  BIC and AIC), ``diagnostics`` (near collapses), ``bound`` (the lower bound EM climbs);
- its view and figures: ``view`` (with the K-means phase in ``kmeans_phase``), ``figures``,
  ``figures_1d``, ``figures_2d``, ``formulas``, ``tables``, ``notes``, ``quiz``, and each
  lesson's own figures (``starts_figures``, ``collapse_figures``, ``selection_figures``,
  ``restarts_figures``, ``climb_figures``);
- its pages: ``lessons/`` (the pages), ``stepper`` (the stepping view with the quiz and the
  exports), ``settings``, ``fits``, ``fitting``, ``sweep``, ``typed_start``,
  ``quiz_widgets``;
- the registry's parts: ``pages``, ``cli`` (``fit`` and ``select``), ``trace``, ``exports``,
  ``prepared``.
"""
