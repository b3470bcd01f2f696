"""Messagerie: the demo region's data. Lively mailboxes for every persona, relative to now, deterministic.

A thread between claire.martin and paul.dupont (the last answer unread), the principal's message to the
parents of 5e A, messages from the vie scolaire (nadia.petit), a class message from paul.dupont, a staff
message, a regional message, a draft each for claire.martin and paul.dupont, a message reported by
lucas.martin for the direction, and a parent's question to charlie.roux in the other collège. Rows are
written in bulk (a few dozen inserts), without notices: the demo's notification centre shows its own.

Writes: messages and mailbox entries directly, dated over the last days (``send_message`` sends now, to
an audience it resolves, audited and with the recipients' notices).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cartable.directory.actor import current
from cartable.directory.models import Enrolment, Guardianship, SchoolClass
from cartable.messaging.models import MailboxEntry, Message, Report

Box = MailboxEntry.Box


class _Writer:
    def __init__(self, personas, now: dt.datetime) -> None:
        self.p = personas.people
        self.college = personas.college.establishment
        self.other = personas.other.establishment
        self.now = now
        self.entries: list[MailboxEntry] = []

    def send(
        self,
        sender: str,
        recipients: list[int] | list[str],
        subject: str,
        body: str,
        *,
        days_ago: float,
        read_by=(),
        parent: Message | None = None,
        label: str = "",
        establishment=None,
    ) -> Message:
        ids = sorted({self.p[r].pk if isinstance(r, str) else r for r in recipients} - {self.p[sender].pk})
        when = self.now - dt.timedelta(days=days_ago)
        establishment = establishment or self.college
        message = Message.objects.create(
            establishment=establishment,
            sender=self.p[sender],
            subject=subject,
            body=body,
            thread_id=parent.thread_root_id if parent else None,
            parent=parent,
            audience_label=label or ", ".join(self._names(ids)),
            recipient_ids=ids,
            recipient_count=len(ids),
            sent_at=when,
            delivered_at=when,
        )
        readers = {self.p[r].pk if isinstance(r, str) else r for r in read_by}
        self.entries.append(
            MailboxEntry(
                establishment=establishment,
                message=message,
                person=self.p[sender],
                box=Box.SENT,
                sent_at=when,
                read_at=when,
            )
        )
        self.entries += [
            MailboxEntry(
                establishment=establishment,
                message=message,
                person_id=pid,
                box=Box.INBOX,
                sent_at=when,
                read_at=when + dt.timedelta(hours=2) if pid in readers else None,
            )
            for pid in ids
        ]
        return message

    def _names(self, ids: list[int]) -> list[str]:
        by_id = {u.pk: u.get_full_name() for u in self.p.values()}
        return [by_id[i] for i in ids if i in by_id]

    def draft(self, sender: str, subject: str, body: str, keys: list[str]) -> Message:
        message = Message.objects.create(
            establishment=self.college, sender=self.p[sender], subject=subject, body=body, recipient_keys=keys
        )
        self.entries.append(
            MailboxEntry(
                establishment=self.college,
                message=message,
                person=self.p[sender],
                box=Box.DRAFTS,
                sent_at=self.now - dt.timedelta(hours=1),
                read_at=self.now,
            )
        )
        return message


def load_demo(personas, *, now: dt.datetime | None = None) -> None:
    """Fill the demo's mailboxes (unless the demo already has messages)."""
    college = personas.college.establishment
    if Message.objects.filter(establishment=college).exists():
        return
    w = _Writer(personas, now or timezone.now())
    p = personas.people
    five_a = SchoolClass.objects.get(establishment=college, name="5e A")
    students = current(Enrolment.objects.filter(school_class=five_a)).values("student_id")
    parents = sorted(set(Guardianship.objects.filter(student_id__in=students).values_list("guardian_id", flat=True)))
    pupils = sorted(set(students.values_list("student_id", flat=True)))

    question = w.send(
        "claire.martin",
        ["paul.dupont"],
        "Exercices de Lucas pour jeudi",
        "<p>Bonjour Monsieur,</p><p>Lucas n'a pas compris l'exercice 4 sur les fractions. Pourriez-vous lui "
        "indiquer une méthode ?</p><p>Bien cordialement,<br>Claire Martin</p>",
        days_ago=3,
        read_by=["paul.dupont"],
    )
    answer = w.send(
        "paul.dupont",
        ["claire.martin"],
        "RE : Exercices de Lucas pour jeudi",
        "<p>Bonjour Madame,</p><p>Je reprendrai l'exercice en classe mardi ; Lucas peut aussi venir à l'aide aux "
        "devoirs du lundi, en salle 12.</p><p>Paul Dupont</p>",
        days_ago=2,
        read_by=["claire.martin"],
        parent=question,
    )
    w.send(
        "claire.martin",
        ["paul.dupont"],
        "RE : Exercices de Lucas pour jeudi",
        "<p>Merci beaucoup, il viendra lundi.</p>",
        days_ago=0.2,
        parent=answer,
    )
    w.send(
        "marc.leroy",
        parents,
        "Rencontre parents-professeurs des 5e",
        "<p>Madame, Monsieur,</p><p>La rencontre avec l'équipe pédagogique de la classe de 5e A aura lieu jeudi "
        "à partir de 17 h 30, en salle polyvalente. Merci de vous inscrire auprès du professeur principal.</p>"
        "<p>Le principal, Marc Leroy</p>",
        days_ago=1,
        read_by=parents[::3],
        label="Parents de 5e A",
    )
    w.send(
        "nadia.petit",
        ["lucas.martin", "claire.martin"],
        "Carnet de correspondance",
        "<p>Bonjour,</p><p>Lucas a oublié son carnet de correspondance au bureau de la vie scolaire : il peut "
        "venir le chercher à la récréation.</p><p>Mme Petit, CPE</p>",
        days_ago=0.5,
    )
    w.send(
        "paul.dupont",
        pupils,
        "Devoir maison de mathématiques",
        "<p>Le devoir maison n° 3 est à rendre lundi. Pensez à justifier chaque calcul.</p>",
        days_ago=4,
        read_by=["lucas.martin", "lea.bernard"],
        label="Élèves de 5e A",
    )
    w.send(
        "lucas.martin",
        ["lea.bernard"],
        "Exposé d'histoire",
        "<p>Salut Léa, on se retrouve au CDI mercredi pour finir l'exposé ?</p>",
        days_ago=1.5,
        read_by=["lea.bernard"],
    )
    w.send(
        "marc.leroy",
        ["paul.dupont", "sophie.bernard", "nadia.petit", "julie.moreau"],
        "Conseil pédagogique de mardi",
        "<p>L'ordre du jour est affiché en salle des professeurs. Merci d'apporter vos propositions de projets.</p>",
        days_ago=2.5,
        read_by=["nadia.petit", "julie.moreau"],
    )
    w.send(
        "admin.region",
        ["marc.leroy", "julie.moreau"],
        "Nouvelle version de l'ENT",
        "<p>La messagerie de Cartable explique désormais à chacun pourquoi il peut ou non écrire à une personne. "
        "Les règles de communication de l'établissement se règlent dans la messagerie.</p>",
        days_ago=5,
        read_by=["marc.leroy"],
    )
    rude = w.send(
        "lea.bernard",
        ["lucas.martin"],
        "Ton exposé",
        "<p>Ton exposé était vraiment nul, personne ne veut travailler avec toi.</p>",
        days_ago=0.8,
        read_by=["lucas.martin"],
    )
    w.send(
        "nathalie.lambert",
        ["charlie.roux"],
        "Absence de Hugo vendredi",
        "<p>Bonjour, Hugo sera absent vendredi matin pour un rendez-vous médical.</p>",
        days_ago=1,
        establishment=personas.other.establishment,
    )
    w.draft(
        "claire.martin",
        "Sortie au musée",
        "<p>Bonjour Madame, Lucas pourra-t-il</p>",
        [f"u:{p['sophie.bernard'].pk}"],
    )
    w.draft("paul.dupont", "Conseil de classe", "<p>Points à aborder :</p>", [f"g:class:{five_a.pk}:teachers"])
    MailboxEntry.objects.bulk_create(w.entries)
    Report.objects.create(
        establishment=college,
        message=rude,
        reporter=p["lucas.martin"],
        reason="Ce message est blessant.",
    )
