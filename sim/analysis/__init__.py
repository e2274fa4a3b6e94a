"""Analysis of runs and results: statistics, reports, sensitivity, claims, history replay, calibration and forecasts."""
