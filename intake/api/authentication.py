from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF tokens that stop working API_TOKEN_TTL_HOURS after sign-in (sign in again)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - timedelta(hours=settings.API_TOKEN_TTL_HOURS):
            raise AuthenticationFailed("Token expired; sign in again.")
        return user, token
