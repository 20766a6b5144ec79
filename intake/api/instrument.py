from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.access import Perm
from intake.api.fields import StrictCharField
from intake.scoring import all_instruments, get_instrument


class OptionSerializer(serializers.Serializer):
    value = StrictCharField()
    label = StrictCharField()
    points = serializers.IntegerField()


class ItemSerializer(serializers.Serializer):
    key = StrictCharField()
    text = StrictCharField()
    options = OptionSerializer(many=True)


class BandSerializer(serializers.Serializer):
    code = StrictCharField()
    label = StrictCharField()
    min = serializers.IntegerField()
    max = serializers.IntegerField()


class InstrumentSerializer(serializers.Serializer):
    code = StrictCharField()
    name = StrictCharField()
    version = StrictCharField()
    description = StrictCharField()
    items = ItemSerializer(many=True)
    bands = BandSerializer(many=True)
    alerts = serializers.DictField(child=StrictCharField(), source="alert_descriptions")


def _as_dict(instrument) -> dict:
    data = asdict(instrument)
    data["alert_descriptions"] = dict(instrument.alert_descriptions)
    return InstrumentSerializer(data).data


class InstrumentListView(APIView):
    """Instrument definitions (no patient data): items, options with points, bands."""

    access_perm = Perm.INSTRUMENT_CATALOG

    @extend_schema(responses=InstrumentSerializer(many=True), operation_id="instruments_list")
    def get(self, request):
        return Response([_as_dict(i) for i in all_instruments()])


class InstrumentDetailView(APIView):
    access_perm = Perm.INSTRUMENT_CATALOG

    @extend_schema(responses=InstrumentSerializer)
    def get(self, request, code):
        try:
            return Response(_as_dict(get_instrument(code)))
        except KeyError:
            raise NotFound("No such instrument.") from None
