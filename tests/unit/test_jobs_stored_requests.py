"""A race request stored with a job reads back as the same request, also under the field names of earlier
records."""
from __future__ import annotations

import json
from datetime import date

import pytest

from backend.routes.models import RaceBody
from backend.services.charts.requests import request_from_dict, request_to_dict

SESSION_ID = "0b6a4f6e-8d0c-4a57-9f4e-2f1d6f0e9a11"


@pytest.mark.parametrize("body", [
    {"session_id": SESSION_ID},
    {"session_id": SESSION_ID, "selected_attribute": "Album", "analysis_metric": "Streams", "start_date": "2021-03-04",
     "timezone": "Europe/Berlin", "figsize": [10.8, 19.2], "dpi": 100, "period": "m", "days": 60, "window_days": 90},
])
def test_a_stored_request_reads_back_as_the_same_request(body):
    req = RaceBody.model_validate(body).to_request(2160)
    stored = json.loads(json.dumps(request_to_dict(req)))
    assert request_from_dict(stored) == req
    assert request_from_dict(stored).chart.start in (None, date(2021, 3, 4))


def test_a_request_stored_under_the_earlier_field_names_reads_back_the_same():
    """Records stored before RaceRequest's `days` and `window_days` were named for what they hold."""
    req = RaceBody.model_validate({"session_id": SESSION_ID, "days": 60, "window_days": 90}).to_request(2160)
    stored = json.loads(json.dumps(request_to_dict(req)))
    assert stored["keyframe_spacing_days"] == 60 and stored["rolling_days"] == 90
    stored["days"], stored["window_days"] = stored.pop("keyframe_spacing_days"), stored.pop("rolling_days")
    assert request_from_dict(stored) == req
