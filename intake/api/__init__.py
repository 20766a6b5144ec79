"""The JSON API (docs/api.md). Model serializers map text columns to StrictCharField (fields.py)."""

from django.db import models
from rest_framework import serializers

from intake.api.fields import StrictCharField

serializers.ModelSerializer.serializer_field_mapping[models.CharField] = StrictCharField
serializers.ModelSerializer.serializer_field_mapping[models.TextField] = StrictCharField
