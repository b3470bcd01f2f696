"""The annuaire: people, academies, establishments, years, classes, groups, subjects and roles."""
