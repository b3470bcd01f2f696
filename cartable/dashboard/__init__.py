"""The dashboard: composes the widgets other apps register. It knows no app's models."""
