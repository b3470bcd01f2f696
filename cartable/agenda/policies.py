"""Who may see and change the agenda's rows (deny by default until declared)."""
