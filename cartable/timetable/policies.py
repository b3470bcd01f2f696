"""Who may see and change the timetable's rows (deny by default until declared)."""
