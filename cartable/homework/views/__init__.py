"""The homework log's pages, by audience: ``teacher`` (the log and homework a teacher writes), ``family``
(the student's and guardian's « Travail à faire » and log), ``workload`` (the workload guard and planner)."""
