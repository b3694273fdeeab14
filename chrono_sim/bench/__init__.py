"""`chrono bench`: the server and a load generator in separate processes, counted at the clients.

`metronome` is the price source both sides agree on, `loadclient` the light
client processes, `baseline` the naive `broadcast()` server measured in the
same run, `processes` starts and stops them, and `scenarios` runs each metric.
"""
