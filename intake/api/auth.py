from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser, update_last_login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.api.fields import StrictCharField
from intake.lockout import lockout_message
from intake.models import AuditAction, AuditOutcome
from intake.services.audit import audit_record
from intake.services.mfa import mfa_enrolled, mfa_required, mfa_verify


class TokenInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=200, trim_whitespace=False)
    # A code is digits: a client may send it as a JSON number.
    otp = serializers.CharField(max_length=12, required=False, allow_blank=True)


class TokenView(APIView):
    """Sign in for API clients: username and password (and `otp`, the current code of the
    authenticator, for an account that has one) give a token (valid for API_TOKEN_TTL_HOURS).
    Failures, a missing or wrong code included, count toward lockout. Roles that must use a
    second factor get no token until they have enrolled one (on the web sign-in)."""

    access_public = True
    authentication_classes: list = []

    @extend_schema(
        request=TokenInput,
        responses={200: inline_serializer("TokenOutput", {"token": StrictCharField()})},
    )
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            return Response(
                {"detail": lockout_message(data.validated_data["username"])},
                status=status.HTTP_403_FORBIDDEN,
            )
        if user is None or not user.is_active:
            return Response({"detail": "Invalid credentials."}, status=status.HTTP_401_UNAUTHORIZED)
        refusal = _second_factor_refusal(user, data.validated_data.get("otp", ""), django_request)
        if refusal is not None:
            return refusal
        # A successful sign-in clears the failures of this account from this address, as the
        # page's does (axes listens to user_logged_in there; no session is made here).
        AxesProxyHandler.user_logged_in(sender=type(self), request=django_request, user=user)
        # A fresh token per sign-in, so its age is the age of the sign-in.
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        update_last_login(None, user)
        audit_record(actor=user, action=AuditAction.SIGN_IN, object_type="api-token")
        return Response({"token": token.key})


def _second_factor_refusal(
    user: AbstractBaseUser, otp: str, django_request: HttpRequest
) -> Response | None:
    """The answer when the second factor stops the sign-in: a missing or wrong code for an
    enrolled account, or a role that must enrol first; None when the sign-in may go on."""
    if mfa_enrolled(user):
        if mfa_verify(user, otp):
            return None
        # Counted like a wrong password (axes and the audit log listen to this signal).
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.get_username()},
            request=django_request,
        )
        if getattr(django_request, "axes_locked_out", False):
            return Response(
                {"detail": lockout_message(user.get_username())},
                status=status.HTTP_403_FORBIDDEN,
            )
        return Response(
            {
                "detail": "This account needs the current code of its authenticator app (otp)."
                if not otp
                else "Invalid credentials: the one-time code is not right."
            },
            status=status.HTTP_401_UNAUTHORIZED,
        )
    if mfa_required(user):
        audit_record(
            actor=user,
            action=AuditAction.SIGN_IN,
            outcome=AuditOutcome.DENIED,
            object_type="api-token",
            detail={"reason": "mfa-enrolment-required"},
        )
        return Response(
            {
                "detail": "This role must sign in with a second factor: enrol an "
                "authenticator app by signing in on the web first."
            },
            status=status.HTTP_403_FORBIDDEN,
        )
    return None
