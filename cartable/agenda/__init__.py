"""The agenda: establishment, class and personal events, with homework due dates and announced tests,
and each person's calendar feed (iCalendar)."""
