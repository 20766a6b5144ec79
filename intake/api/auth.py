from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.models import AuditAction
from intake.services.audit import audit_record


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, trim_whitespace=False)
    otp = serializers.CharField(max_length=12, required=False, allow_blank=True)


class TokenView(APIView):
    """Sign in for API clients: username and password give a token (valid for
    API_TOKEN_TTL_HOURS). Failures count toward lockout."""

    access_public = True
    authentication_classes: list = []

    @extend_schema(
        request=TokenInput,
        responses={200: inline_serializer("TokenOutput", {"token": serializers.CharField()})},
    )
    def post(self, request):
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
                {"detail": "Too many failed sign-ins; this account is locked for now."},
                status=status.HTTP_403_FORBIDDEN,
            )
        if user is None or not user.is_active:
            return Response({"detail": "Invalid credentials."}, status=status.HTTP_401_UNAUTHORIZED)
        # A fresh token per sign-in, so its age is the age of the sign-in.
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        audit_record(actor=user, action=AuditAction.SIGN_IN, object_type="api-token")
        return Response({"token": token.key})
