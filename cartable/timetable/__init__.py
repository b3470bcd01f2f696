"""The timetable (emploi du temps): weekly lessons, A/B weeks, changes, rooms and non-school days."""
