"""Weak-signal watch: public items come in, topics match them, a spike raises one alert, the alert opens a crisis.

Pure decisions live here (`text` matches, `rules` judges a spike, `watch` plans what an arrival changes); doors
only carry signals in and alert cards out.
"""
