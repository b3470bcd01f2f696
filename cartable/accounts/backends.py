"""Authentication backend: Django's, loading the person's preferences with them (no extra query)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("preferences").get(pk=user_id)
        except User.DoesNotExist:
            return None
        # A disabled account is signed out of every session on its next request.
        return user if self.user_can_authenticate(user) else None
