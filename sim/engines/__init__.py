"""Engines that run the model: the Mesa model, the vectorised ensemble, parameter batches and the
open day-by-day stepper.
"""
