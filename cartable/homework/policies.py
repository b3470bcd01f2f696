"""Who may see and change the homework's rows (deny by default until declared)."""
