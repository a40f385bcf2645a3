"""Package data: the history template and a SYNTHETIC sample history.

``sample_history.csv`` is not a real company: scripts/make_sample_history.py
made it from cx_roi's own model with known parameters plus noise (fixed seed);
``sample_history_truth.json`` records those parameters and the noise.
Load them with :func:`cx_roi.sample_history`, :func:`cx_roi.sample_history_truth`
and :func:`cx_roi.history_template`, which work from any working directory.
"""
