"""Browser tests: Chromium through Playwright, axe-core on every page."""
