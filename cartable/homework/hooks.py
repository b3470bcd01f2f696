"""Homework registrations: module, menu, widgets, notification kinds, personal data."""

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.core import authz, registry
from cartable.directory.models import Role, orders_for
from cartable.homework.models import (
    Attachment,
    Feedback,
    Homework,
    HomeworkDone,
    LogEntry,
    Submission,
    SubmissionFile,
)

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.homework.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="homework",
        label=_("Cahier de textes"),
        description=_("Le contenu des séances, les devoirs, le dépôt de devoirs en ligne et la charge de travail."),
    )
)

SCHOOL_YEAR = _("L'année scolaire, puis un an (document officiel de la classe).")


registry.personal_data(
    LogEntry,
    _("Tenir le cahier de textes de la classe."),
    SCHOOL_YEAR,
    lambda u: list(LogEntry.objects.filter(author=u).values("date", "title")),
    ERASE,
    "author",
)
registry.personal_data(
    Homework,
    _("Donner le travail à faire aux élèves."),
    SCHOOL_YEAR,
    lambda u: list(Homework.objects.filter(author=u).values("due_date", "title")),
    ERASE,
    "author",
)
registry.personal_data(
    Attachment,
    _("Joindre des documents aux séances et aux devoirs."),
    SCHOOL_YEAR,
    lambda u: list(Attachment.objects.filter(uploaded_by=u).values("original_name", "created_at")),
    ERASE,
    "uploaded_by",
)
registry.personal_data(
    HomeworkDone,
    _("Permettre à l'élève de suivre son travail."),
    _("L'année scolaire."),
    lambda u: list(HomeworkDone.objects.filter(student=u).values("homework__title", "done_at")),
    ERASE,
    "student",
    retention_rule=registry.RetentionRule(
        clock="done_at",
        until=registry.RetentionRule.SCHOOL_YEAR,
        source=_("Fin de l'année scolaire (règle par défaut du registre)"),
    ),
)
registry.personal_data(
    Submission,
    _("Recevoir le travail rendu en ligne."),
    _("L'année scolaire."),
    lambda u: list(Submission.objects.filter(student=u).values("homework__title", "submitted_at", "is_late")),
    ERASE,
    "student",
    files=lambda u: [(f.original_name, f.file.name) for f in SubmissionFile.objects.filter(submission__student=u)],
    retention_rule=registry.RetentionRule(
        clock="submitted_at",
        until=registry.RetentionRule.SCHOOL_YEAR,
        source=_("Fin de l'année scolaire (règle par défaut du registre)"),
    ),
)
registry.personal_data(
    Feedback,
    _("Rendre au travail de l'élève son commentaire et sa correction."),
    _("L'année scolaire."),
    lambda u: list(Feedback.objects.filter(submission__student=u).values("text", "mark", "returned_at")),
    ERASE,
    "author",
    files=lambda u: [
        (f.corrected_name or "copie-corrigee", f.corrected_file.name)
        for f in Feedback.objects.filter(submission__student=u).exclude(corrected_file="")
    ],
)


# --- menu, notices, the dashboard and the periodic announcement --------------------------------------
def _teaches(actor) -> bool:
    return actor.role == Role.TEACHER


def _follows_homework(actor) -> bool:
    return actor.role in (Role.STUDENT, Role.GUARDIAN)


registry.register_menu(
    registry.MenuEntry(
        key="homework.teacher",
        label=_("Cahier de textes"),
        url_name="homework:teacher",
        order=30,
        module="homework",
        visible=_teaches,
    )
)
registry.register_menu(
    registry.MenuEntry(
        key="homework.todo",
        label=_("Travail à faire"),
        url_name="homework:todo",
        order=30,
        module="homework",
        visible=_follows_homework,
    )
)
registry.register_notification_kind(
    registry.NotificationKind(key="homework.published", label=_("Nouveau travail à faire"))
)
registry.register_notification_kind(registry.NotificationKind(key="homework.changed", label=_("Travail modifié")))


def _upcoming(actor):
    """Homework due in the next seven days with its done state (the active child's for a guardian)."""
    from cartable.homework.queries import dashboard_due

    today = timezone.localdate()
    items = [i for i in dashboard_due(actor) if today <= i.due_date <= today + dt.timedelta(days=7)]
    return {"items": items, "child": actor.child, "can_hand_in": authz.can(actor, "homework.hand_in")}


registry.register_widget(
    registry.Widget(
        key="homework.upcoming",
        title=_("Devoirs à venir"),
        template="homework/widgets/upcoming.html",
        context=_upcoming,
        order=20,
        module="homework",
        visible=_follows_homework,
    )
)


# --- the teacher's dashboard: copies to correct, log entries to write (on top for teachers) --------------
def _writes_log(actor) -> bool:
    return authz.can(actor, "homework.write_log")


def _to_correct(actor):
    """Hand-ins received and not returned yet, per homework (one query; cached a minute, forgotten by every
    hand-in and feedback)."""
    from cartable.homework.submissions.queries import to_correct

    items = to_correct(actor)
    return {"items": items, "total": sum(h.waiting for h in items)}


def _log_to_fill(actor):
    """This week's lessons up to today without a log entry (the timetable's queries and one for the
    entries; cached a minute, forgotten by every homework and timetable write)."""
    from cartable.homework.queries import log_to_fill

    return {"lessons": log_to_fill(actor, timezone.localdate())}


registry.register_widget(
    registry.Widget(
        key="homework.to_correct",
        orders=orders_for(({Role.TEACHER}, 1)),  # the teacher's day: hand-ins to correct, roll calls, the log
        title=_("Copies à corriger"),
        template="homework/widgets/to_correct.html",
        context=_to_correct,
        order=40,
        module="homework",
        visible=_writes_log,
        cache_for=60,
        changes_with=("homework.submission.", "homework.feedback."),
    )
)
registry.register_widget(
    registry.Widget(
        key="homework.log_to_fill",
        orders=orders_for(({Role.TEACHER}, 3)),
        title=_("Cahier de textes à remplir"),
        template="homework/widgets/log_to_fill.html",
        context=_log_to_fill,
        order=40,
        module="homework",
        visible=_writes_log,
        cache_for=60,
        changes_with=("homework.", "timetable."),
    )
)


def _periodic() -> None:
    from cartable.homework.tasks import announce_published_homework

    registry.register_periodic(
        registry.PeriodicJob(
            key="homework.announce_published",
            task=announce_published_homework,
            every=dt.timedelta(minutes=5),
            description=_("Annonce aux élèves et aux familles des devoirs préparés à l'avance devenus visibles."),
        )
    )


_periodic()


def _due_tomorrow(tomorrow: dt.date) -> Iterator[registry.Reminder]:
    """Tomorrow's homework each student has not ticked done yet, read when the reminder leaves; the notice
    names the due day itself (« Pour le mardi 8 décembre… »), never « demain »."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from cartable.core import dates
    from cartable.homework.queries import undone_due_on

    for homework, students in undone_due_on(tomorrow):
        if not students:
            continue
        yield registry.Reminder(
            recipients=students,
            title=gettext("Pour le %(day)s en %(subject)s : %(title)s")
            % {
                "day": dates.date_avis(homework.due_date),
                "subject": homework.assignment.subject.name,
                "title": homework.title,
            },
            body=gettext("Ce travail n'est pas encore marqué comme fait."),
            url=reverse("homework:detail", args=[homework.pk]),
            target=homework,
            establishment_id=homework.establishment_id,
        )


# The kind is the notification centre's (it registers it, with its label and channels).
registry.register_reminder_source(registry.ReminderSource(kind="notifications.homework_due", due=_due_tomorrow))

from cartable.homework.submissions import hooks as submission_hooks  # noqa: E402,F401  (registers them)
from cartable.homework.views import workload as workload_hooks  # noqa: E402,F401  (its menu entry and widget)

# The demo loader: its submissions' demo included.
registry.register_demo_loader("homework", "cartable.homework.demo.load_demo", after=("timetable",))
