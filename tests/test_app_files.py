"""Scenario files through AppTest: a download reads back on another machine, a bad file says what
is wrong and leaves the scenario on screen as it was."""

from __future__ import annotations

import json

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

import cx_roi
from cx_roi import PARAMETERS, Scenario
from ui import state
from apptest import AD, card, lever, messages, run_app


@pytest.fixture()
def downloads(monkeypatch) -> list[tuple[str | None, bytes]]:
    """Every file a download button registers during the test, as (file name, bytes)."""
    seen: list[tuple[str | None, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            seen.append((filename, path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return seen


def scenario_download(seen: list[tuple[str | None, bytes]]) -> tuple[str, bytes]:
    files = [(n, d) for n, d in seen if n and n.endswith(".json")]
    assert files, "the Explore page offered no scenario download"
    return files[-1]


def test_json_download_round_trips_through_upload(downloads):
    at = run_app(open_sections=(0,))
    lever(at, AD).set_value(320_000.0).run()
    lever(at, "shrinkage").set_value(0.2).run()
    name, data = scenario_download(downloads)
    assert name == "status-quo+2-changes.json"
    assert Scenario.from_json(data) == Scenario().replace(**{AD: 320_000.0, "shrinkage": 0.2})
    # A fresh session (another machine) loads the file.
    other = run_app(open_sections=(0,))
    other.file_uploader[0].upload(name, data, "application/json").run()
    assert not other.exception
    assert lever(other, AD).value == 320_000.0 and lever(other, "shrinkage").value == 0.2
    assert other.query_params == {AD: "320000", "shrinkage": "0.2"}
    assert "Loaded" in messages(other)
    assert card(other, "NPV").value == card(at, "NPV").value


def test_uploaded_preset_file_comes_back_as_its_preset(downloads):
    run_app({"preset": "revolving-door"})
    _, data = scenario_download(downloads)
    other = run_app()
    other.file_uploader[0].upload("door.json", data, "application/json").run()
    assert other.selectbox(key="w:preset").value == "revolving-door"
    assert other.query_params == {"preset": "revolving-door"}


TOO_LARGE = b'{"shrinkage": 0.3' + b" " * (state.MAX_UPLOAD_BYTES + 10) + b"}"


@pytest.mark.parametrize("content, words", [
    (b"hello, I am not JSON", "not valid JSON"),
    (b'{"ad_spend": 100000}', "unknown field"),
    (b'{"shrinkage": 5}', PARAMETERS["shrinkage"].describe_range()),
    (b'{"ad_spend_per_month": NaN}', "ad_spend_per_month"),
    (b'{"ad_spend_per_month": NaN}', "expected a finite number"),
    (b"[1, 2, 3]", "JSON object"),
    (b'{"schema_version": 99}', "schema_version"),
    (bytes(range(256)) * 8, "not UTF-8"),
    (b"[" * 50_000 + b"]" * 50_000, "was not loaded"),
    (TOO_LARGE, "at most"),
])
def test_bad_upload_shows_a_message_and_keeps_the_scenario(content, words):
    at = run_app({AD: "210000"})
    before = (lever(at, AD).value, card(at, "NPV").value, dict(at.query_params))
    at.file_uploader[0].upload("scenario.json", content, "application/json").run()
    assert not at.exception
    text = "\n".join(e.value for e in at.error)
    assert "was not loaded" in text and words in text
    assert (lever(at, AD).value, card(at, "NPV").value, dict(at.query_params)) == before
    # The uploader is emptied, so the same file can be fixed and tried again.
    assert at.file_uploader[0].value is None


def test_a_corrected_upload_replaces_the_failed_one_message():
    at = run_app()
    at.file_uploader[0].upload("scenario.json", b'{"shrinkage": 5}', "application/json").run()
    assert "was not loaded" in "\n".join(e.value for e in at.error)
    good = Scenario(shrinkage=0.25).to_json().encode()
    at.file_uploader[0].upload("scenario.json", good, "application/json").run()
    assert not at.error, [e.value for e in at.error]  # the old error is gone, not beside the success
    assert "Loaded `scenario.json`" in messages(at)

    assert not at.warning  # a whole file takes no default


def test_a_scenario_file_that_leaves_inputs_out_says_which_took_their_defaults():
    """The inputs a file does not give take their defaults; the notice names them rather than
    saying only that the file loaded."""
    data = json.loads(Scenario(shrinkage=0.25, service_quality_spend_per_month=60_000).to_json())
    left_out = ["service_quality_spend_per_month", "aht_seconds"]
    for name in left_out:
        del data[name]
    at = run_app()
    at.file_uploader[0].upload("partial.json", json.dumps(data).encode(), "application/json").run()
    notice = "\n".join(w.value for w in at.warning)
    assert "Loaded `partial.json`" in notice and f"leaves out {len(left_out)} of" in notice
    assert all(cx_roi.PARAMETERS[f].label in notice.replace("\\", "") for f in left_out)
    assert lever(at, "service_quality_spend_per_month").value == cx_roi.PARAMETERS[
        "service_quality_spend_per_month"].default
