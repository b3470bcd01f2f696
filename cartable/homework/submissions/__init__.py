"""Work handed in online (dépôt de devoir): the student's submission, the teacher's list and feedback."""
