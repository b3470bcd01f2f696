"""The timetable's pages: weeks (everyone) and edits (staff)."""
