"""Hidden Markov models fitted by EM (Baum–Welch).

- ``engine``: the model for the EM driver (:class:`engine.HMM`) and :func:`engine.fit`;
- ``params``: the parameters π, A, e and the emissions;
- ``emissions``: categorical, Gaussian and Poisson emissions;
- ``forward_backward``: the scaled forward–backward pass (the E-step);
- ``starts``: given, random and mixture starts;
- ``viterbi``: the most likely path, and the most likely state at each step;
- ``datasets``: the sequences shipped in ``data/``.
"""
