"""Apprentissage: registrations (module, menu, personal data, demo loader)."""

from django.utils.translation import gettext_lazy as _

from cartable.core import authz, registry
from cartable.learning.models import Bank

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.learning.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="learning",
        label=_("Apprentissage"),
        description=_("Les banques de questions des enseignants (GIFT et Moodle XML)."),
    )
)
registry.register_menu(
    registry.MenuEntry(
        key="learning.bank",
        label=_("Banque de questions"),
        url_name="learning:bank",
        order=75,
        module="learning",
        visible=lambda actor: authz.can(actor, "learning.use_bank"),
    )
)

registry.personal_data(
    Bank,
    _("Garder les questions qu'un enseignant écrit ou importe pour ses élèves."),
    _("Jusqu'à ce que l'enseignant les supprime ou quitte la région."),
    lambda u: [
        {
            "establishment": b.establishment_id,
            "categories": b.categories.count(),
            "created_at": b.created_at.isoformat(),
        }
        for b in Bank.objects.filter(owner=u)
    ],
    ERASE,
    "owner",
)

registry.register_demo_loader("learning", "cartable.learning.demo.load_demo")
