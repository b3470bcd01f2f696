"""The homework log (cahier de textes), homework, online submission and feedback, and the workload guard."""
