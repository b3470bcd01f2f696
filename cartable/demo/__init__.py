"""The demo: the persona school, the demo region and the synthetic seed, above every feature app.

The top layer: it assembles the whole product (the directory, the accounts, every app's demo loader
registered in its ``hooks.py``); nothing below imports it."""
