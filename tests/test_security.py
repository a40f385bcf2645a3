"""Nothing gets in through a link, a file or a name, and company data stays close.

Each test feeds the dashboard or the package what a hostile link, file or name would, and checks
what comes out: no live link, image, emphasis or HTML in any message; a bounded list of problems;
numbers read only as typed; names stored as text in every report file; heavy optimisations only
after a click, one at a time, and given up when nobody waits; no file name in the link.
"""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile

import pytest

import cx_roi
from cx_roi import formatting as fmt

PHISH = "[Session expired: log in again](https://evil.example/login)"
PIXEL = "![x](https://evil.example/p.png)"
CODES = ":red[boom] :smile: :material/check_circle: evil.example"  # Streamlit's colour, emoji and icon
FORMULA = "=cmd|' /C calc'!A0"


# ---------------------------------------------------------------- the package

@pytest.mark.parametrize("name", [FORMULA, "=2+2", '=HYPERLINK("https://evil.example","x")', "+1+2", "-2+3",
                                  "@SUM(A1)"])
def test_a_name_like_a_formula_is_text_in_the_powerpoint_charts_data(name):
    from openpyxl import load_workbook

    deck = cx_roi.pptx_report({name: cx_roi.load_preset("ad-boost"), "status quo": cx_roi.load_preset("status-quo")},
                              baseline="status quo")
    books = [n for n in zipfile.ZipFile(io.BytesIO(deck)).namelist() if n.endswith(".xlsx")]
    assert books, "the charts carry their data"
    for book in books:
        blob = zipfile.ZipFile(io.BytesIO(deck)).read(book)
        inner = zipfile.ZipFile(io.BytesIO(blob))
        assert not any(b"<f>" in inner.read(m) or b"<f " in inner.read(m) for m in inner.namelist()
                       if m.endswith(".xml")), f"a formula in {book}"
        cells = [c for row in load_workbook(io.BytesIO(blob)).active.iter_rows() for c in row]
        named = [c for c in cells if c.value == name]
        assert named and all(c.data_type == "s" for c in named), (book, [(c.value, c.data_type) for c in cells[:9]])


@pytest.mark.parametrize("name", [FORMULA, "=2+2", "+1+2", "-2+3", "@SUM(A1)"])
def test_a_name_like_a_formula_is_text_in_the_excel_report(name):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(cx_roi.excel_report(
        {name: cx_roi.load_preset("ad-boost"), "status quo": cx_roi.load_preset("status-quo")},
        baseline="status quo")))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert any(c.value == name and c.data_type == "s" for c in cells)
    # The workbook's own formulas (NPV, ROI, payback) name sheets only quoted, so no name adds formula text.
    own = [re.sub(r"'(?:[^']|'')*'!", "", c.value) for c in cells if c.data_type == "f"]
    assert own and not [f for f in own if name in f or "HYPERLINK" in f or "cmd" in f]


@pytest.mark.parametrize("text", ["١٢٣", "۱۲۳", "１２３", "१२३"])
def test_digits_of_other_scripts_are_not_read_as_numbers(text):
    with pytest.raises(cx_roi.ScenarioError, match="expected a number"):
        cx_roi.parse_value("aht_seconds", text)


def test_an_optimisation_stops_when_asked_between_model_runs():
    scenario = cx_roi.load_preset("status-quo")
    asked = []

    def stop() -> bool:
        asked.append(time.perf_counter())
        return len(asked) > 3

    started = time.perf_counter()
    with pytest.raises(cx_roi.Stopped):
        cx_roi.optimize_budget(scenario, 420_000, objective="p10_npv", stop=stop)
    assert time.perf_counter() - started < 1.0, "stopped within a few model runs, not at the end"
    for run in (lambda s: cx_roi.min_budget_for(scenario, 1e12, metric="npv", stop=s),
                lambda s: cx_roi.efficient_frontier(scenario, [300_000, 400_000], stop=s)):
        with pytest.raises(cx_roi.Stopped):
            run(lambda: True)
    # Never asked to stop: the same answer as without the question.
    assert (cx_roi.optimize_budget(scenario, 420_000, stop=lambda: False).kpis["npv"]
            == cx_roi.optimize_budget(scenario, 420_000).kpis["npv"])


# ---------------------------------------------------------------- the dashboard: messages

from streamlit.testing.v1 import AppTest  # noqa: E402

from apptest import messages, run_app  # noqa: E402
from ui import cached, fields, jobs, state, tables, url  # noqa: E402

OPTIMISE, DATA = "pages/optimise.py", "pages/your_data.py"


def shown_texts(at: AppTest) -> list[str]:
    """The Markdown of every element that reads it: notices, captions, text, labels."""
    labels = [w.label for w in [*at.button, *at.selectbox, *at.text_input, *at.file_uploader]]
    return [e.value for e in [*at.warning, *at.error, *at.info, *at.success, *at.caption, *at.markdown]] + labels


def outside_code(text: str) -> str:
    return re.sub(r"``.*?``|`[^`]*`", "", text, flags=re.S)  # a code span shows its text as written


def assert_inert(text: str) -> None:
    """Nothing in ``text`` (Markdown) links, loads, emphasises or opens HTML of its own."""
    plain = outside_code(text)
    assert not re.search(r"(?<!\\)\]\(", plain), f"a Markdown link or image: {text[:300]}"
    assert "://" not in plain and "www." not in plain, f"an address Markdown would link: {text[:300]}"
    assert not re.search(r"(?<!\\)<", plain), f"HTML: {text[:300]}"
    assert "<a href" not in text and "evil.example)" not in plain.replace("\\)", ")").replace("\\](", "")
    assert not re.search(r"(?<!\\)~(?<!\\~)~", plain), f"strikethrough: {text[:300]}"
    # Streamlit's own colour, emoji and icon codes act even after a backslash and inside a code span.
    assert not re.search(r":(red\\?\[|smile:|material/)", text), f"a Streamlit code: {text[:300]}"


@pytest.mark.parametrize("query,page", [
    ({"ad_spend_per_month": PHISH}, None),
    ({"aht_seconds": PIXEL}, None),
    ({"saved": f"plan~aht_seconds:{PIXEL}"}, None),
    ({"saved": f"plan~ad_spend_per_month:{PHISH}", "compare": "plan"}, "pages/compare.py"),
    ({"fitted": f"mine~ad_spend_per_month:{PHISH}"}, None),
    ({"fitted": f"{PHISH}~shrinkage:0.2", "baseline": "your-data"}, DATA),
    ({PHISH: "1"}, None),
    ({"ad_spend_per_mont" + PIXEL: "1"}, None),
    ({"preset": PHISH, "baseline": PIXEL, "bridge": PHISH}, None),
    ({"levers": f"{PHISH},ad_spend_per_month", "bounds": f"{PIXEL}:1:2"}, OPTIMISE),
    ({"ranges": f"{PHISH}:1:2~shrinkage:{PIXEL}:1", "draws": PIXEL}, "pages/risk.py"),
    ({"extra": PHISH, "present": PIXEL, "compare": PIXEL}, None),
    ({"ad_spend_per_month": CODES, "preset": CODES}, None),
    ({"saved": f"plan~aht_seconds:{CODES}", "fitted": "label"}, DATA),
])
def test_a_links_values_are_shown_inert_in_every_message(query, page):
    at = run_app(query, page=page)
    texts = shown_texts(at)
    assert any("evil.examp" in t or "Session expired" in t for t in texts), "the value is named on the page"
    for text in texts:
        assert_inert(text)


@pytest.mark.parametrize("name", ["$a^2$ and $b$", "www.evil.example", "_em_ #1", "a@b.co"])
def test_a_saved_name_is_plain_text_wherever_compare_shows_it(name):
    """Names the rule for saved names allows but Markdown would set as maths, a link or emphasis:
    in the headline, the table's header and the bridge's buttons they read as written."""
    at = run_app({"saved": f"{name}~ad_spend_per_month:200000", "compare": f"ad-boost,{name}", "bridge": name},
                 page="pages/compare.py")
    assert not at.exception
    escaped = tables.inert(name)
    assert escaped != name  # each of these names has something Markdown would act on
    headers = list(at.table[0].value.columns)
    buttons = [option.content for option in at.get("button_group")[0].proto.options]
    assert any(escaped in h for h in headers) and any(escaped in b for b in buttons)
    assert any(escaped in m.value for m in at.markdown)  # the headline names the best: the saved plan
    for text in [*shown_texts(at), *headers, *buttons]:
        assert_inert(text)
    # As the baseline, in Explore's and Risk's subtitles.
    for page in (None, "pages/risk.py"):
        at = run_app({"saved": f"{name}~ad_spend_per_month:200000", "baseline": name, "draws": "50"}, page=page)
        assert any(escaped in t for t in shown_texts(at)), page
        for text in shown_texts(at):
            assert_inert(text)
    # With a horizon of its own (named in a note) and among the baselines a refused one lists.
    at = run_app({"saved": f"{name}~horizon_months:36", "compare": f"ad-boost,{name}", "baseline": "nope"},
                 page="pages/compare.py")
    texts = shown_texts(at)
    assert sum(escaped in t for t in texts) >= 2  # the horizon note and the baseline notice name it
    for text in texts:
        assert_inert(text)


def test_the_package_quoting_the_value_is_shown_inert_too():
    bad: list[str] = []
    url.apply_fields(cx_roi.Scenario(), {"aht_seconds": PIXEL, "ad_spend_per_month": PHISH}, bad,
                        lambda k, s: "kept")
    assert len(bad) == 2 and all("Got '" in b for b in bad)
    for b in bad:
        assert_inert(b)


@pytest.mark.parametrize("text", [PHISH, PIXEL, CODES, "_under_ *star* ~~strike~~", "<img src=x onerror=alert(1)>",
                                  "# heading", "- item", "1. item", "www.evil.example", "me@evil.example",
                                  "a\u202eb\u200bc\nd", "`code` [x]: https://evil.example"])
def test_inert_text_escapes_what_formats_or_links(text):
    out = tables.inert(text)
    assert_inert(out)
    assert not re.search(r"(?<!\\)[*\[\]~`]", out) and "\n" not in out and "\u202e" not in out
    assert not re.match(r"\s*([#+-]|\d+\.)", out)
    assert len(tables.inert("x" * 60_000, 40)) == 43


def test_a_notice_lists_at_most_25_problems_and_a_60_kb_link_gives_a_small_page():
    query = {f"unknown_{i}": PHISH for i in range(60)}
    query["aht_seconds"] = "9" * 60_000
    at = run_app(query)
    [notice] = [w.value for w in at.warning if "This link had values" in w.value]
    bullets = [line for line in notice.splitlines() if line.startswith("- ")]
    assert len(bullets) == state.MAX_LISTED + 1 and bullets[-1] == f"- ... and {61 - state.MAX_LISTED} more"
    assert len(notice) < 20_000, len(notice)
    assert not re.search(r"\d{41}", notice), "a long number is cut, not echoed"


def test_listing_counts_the_rest_and_cuts_a_long_line():
    text = tables.listed([f"problem {i}" for i in range(100)] + ["x" * 10_000])
    lines = text.splitlines()
    assert len(lines) == 26 and lines[-1] == "- ... and 76 more"
    assert len(tables.listed(["`" + "y" * 10_000 + "`"])) < 700


# ---------------------------------------------------------------- file names

def test_a_scenario_files_name_is_shown_as_written():
    at = run_app()
    for name, content in ((f"{PHISH}.json", b"{not json"), (f"{PIXEL}.json", cx_roi.Scenario().to_json().encode()),
                          ("**bold** _it_.json", b"[]")):
        uploader = next(u for u in at.sidebar.file_uploader if u.key.startswith("w:upload:"))
        uploader.upload(name, content, "application/json").run()
        assert not at.exception
        text = messages(at)
        assert "evil.example" in text or "bold" in text
        for t in shown_texts(at):
            assert_inert(t)
            assert "**bold**" not in outside_code(t)


def test_a_history_files_name_is_shown_as_written():
    at = run_app(page=DATA)
    for name, content in ((f"{PHISH}.csv", b"junk"), (f"{PIXEL} **x**.csv", cx_roi.sample_history_file())):
        uploader = next(u for u in at.file_uploader if u.key.startswith("w:history:"))
        uploader.upload(name, content, "text/csv").run()
        assert not at.exception
        assert any("evil.example" in t for t in shown_texts(at))
        for t in shown_texts(at):
            assert_inert(t)
            assert "**x**" not in outside_code(t)


# ---------------------------------------------------------------- numbers and names from a link

@pytest.mark.parametrize("query,words", [
    ({"budget": "1,2,3"}, "comma may only separate thousands"),
    ({"draws": "2,0,0,0"}, "comma may only separate thousands"),
    ({"budget": "١٢٣"}, "digits 0-9"),
    ({"seed": "٣"}, "digits 0-9"),
    ({"aht_seconds": "٣٠٠"}, "expected a number"),
    ({"extra": "٥٠٠٠٠"}, "the larger step to weigh must be a number"),
    ({"bounds": "ad_spend_per_month:١:"}, "are not numbers"),
])
def test_numbers_are_read_only_as_typed(query, words):
    at = run_app(query, page=OPTIMISE if "bounds" in query else None)
    assert words in messages(at), messages(at)
    key = next(iter(query))
    if key in state.SETTINGS:
        assert at.session_state["cx"][f"set:{key}"] == state.SETTINGS[key].default
    assert key not in at.query_params


def test_thousands_separators_still_read():
    at = run_app({"budget": "1,250,000", "draws": "2,000"}, page=OPTIMISE)
    assert at.session_state["cx"]["set:budget"] == 1_250_000 and not messages(at).count("This link had")


@pytest.mark.parametrize("query", [{"budget": "1" + "0" * 308}, {"draws": "1e308"}, {"target": "9e307"},
                                   {"bounds": "ad_spend_per_month:1e308:"}])
def test_huge_numbers_are_not_echoed_digit_by_digit(query):
    text = outside_code(messages(run_app(query)))
    assert "out of range" in text or "above the largest budget" in text, text
    assert not re.search(r"\d[\d,]{40}", text), text


def test_a_minimum_above_every_budget_is_named_as_such():
    text = messages(run_app({"bounds": "ad_spend_per_month:1e308:"}))
    assert "above the largest budget ($20,000,000)" in text and "minimum <= maximum" not in text
    assert "minimum <= maximum" in messages(run_app({"bounds": "ad_spend_per_month:9:1"}))


@pytest.mark.parametrize("name", ["a\u202eb", "a\u200bb", "\ufeffPlan", "Plan\u2066x\u2069", "a\u200db",
                                  "evil\u202egnp.exe"])
def test_invisible_characters_in_a_saved_name_are_refused(name):
    assert fields.saved_name_problem(name) and "invisible characters" in fields.saved_name_problem(name)
    at = run_app({"saved": f"{name}~shrinkage:0.2"})
    assert "this saved scenario was skipped" in messages(at)
    assert "saved" not in at.query_params
    assert not any(ch in messages(at) for ch in name if not ch.isprintable())


# ---------------------------------------------------------------- heavy work on the Optimise page

HEAVY_LINK = {"objective": "p10_npv", "frontier": "1", "phases": "first_year", "target": "1000000000000",
              "target_metric": "npv", "horizon_months": "120"}


@pytest.fixture()
def no_heavy_search(monkeypatch):
    """Any heavy search the page starts fails the test at once."""
    def refuse(*args, **kwargs):
        if kwargs.get("objective") == "p10_npv":
            raise AssertionError("the cautious search started without a click")
        return real(*args, **kwargs)

    real = cx_roi.optimize_budget
    monkeypatch.setattr(cx_roi, "optimize_budget", refuse)
    monkeypatch.setattr(cx_roi, "min_budget_for", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("the target search started without a click")))
    monkeypatch.setattr(cx_roi, "efficient_frontier", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("the frontier started without a click")))


def test_the_hundred_second_link_costs_nothing_until_a_click(no_heavy_search):
    started = time.perf_counter()
    at = run_app(HEAVY_LINK, page=OPTIMISE)
    assert time.perf_counter() - started < 30
    assert [b for b in at.button if b.key == "run_cautious"], "the page offers to start it"
    assert not at.metric, "no result was computed"
    assert at.session_state["cx"]["set:objective"] == "p10_npv"
    assert at.query_params["objective"] == "p10_npv", "the link keeps what it asked for"


def test_a_linked_frontier_and_target_wait_for_their_clicks(no_heavy_search, monkeypatch):
    at = run_app({"frontier": "1", "target": "1000000000000", "target_metric": "npv", "horizon_months": "24"},
                 page=OPTIMISE)
    assert at.metric, "the ordinary search runs"
    assert [b for b in at.button if b.key == "run_frontier"]
    assert not [s for s in at.get("plotly_chart") if "frontier" in s.proto.spec.lower()]
    assert not at.success and not at.warning, "no answer, and no out-of-reach notice"
    assert any("starts when you click" in c.value for c in at.caption)
    monkeypatch.undo()
    at.button(key="run_frontier").click().run()
    assert not at.exception
    assert any("Efficient frontier" in s.proto.spec or "frontier" in s.proto.spec.lower()
               for s in at.get("plotly_chart"))
    next(b for b in at.button if b.label == "Find the least budget").click().run()
    assert fmt.money(1e12) in "\n".join(w.value for w in at.warning), "the search ran after its click: the " \
        "NPV asked for is out of reach"


def test_the_cautious_split_runs_after_its_click():
    at = run_app({"objective": "p10_npv", "horizon_months": "24"}, page=OPTIMISE)
    assert not at.metric
    at.button(key="run_cautious").click().run()
    assert not at.exception and at.metric
    # Choosing it in the sidebar is a click too.
    other = run_app({"horizon_months": "24"}, page=OPTIMISE)
    other.sidebar.radio(key="w:set:objective").set_value("p10_npv").run()
    assert not other.exception and other.metric and not [b for b in other.button if b.key == "run_cautious"]


def test_heavy_searches_run_one_at_a_time():
    running, most = [], []
    lock = threading.Lock()

    def work(stop):
        with lock:
            running.append(1)
            most.append(len(running))
        time.sleep(0.15)
        with lock:
            running.pop()
        return True

    threads = [threading.Thread(target=jobs.heavy, args=(work,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(most) == 4 and max(most) == 1


def test_a_queued_search_is_told_and_gives_up_when_its_session_ends(monkeypatch):
    def page():
        import streamlit as st

        from ui import jobs

        with jobs.queued_note() as told:
            pass
        st.text(told or "not queued")

    assert jobs.HEAVY.acquire(timeout=5)
    try:
        at = AppTest.from_function(page).run()
        assert "Queued" in at.text[0].value
        gone = [False]
        monkeypatch.setattr(jobs, "session_gone", lambda: lambda: gone[0])
        waiter = threading.Thread(target=lambda: pytest.raises(cx_roi.Stopped, jobs.heavy, lambda stop: None))
        waiter.start()
        time.sleep(0.3)
        assert waiter.is_alive(), "it waits its turn"
        gone[0] = True
        waiter.join(2)
        assert not waiter.is_alive(), "and stops waiting once its session is gone"
    finally:
        jobs.HEAVY.release()
    assert AppTest.from_function(page).run().text[0].value == "not queued"


def test_a_page_whose_session_ended_during_its_search_ends_quietly():
    def page():
        import streamlit as st

        import cx_roi
        from ui import jobs

        st.text("before")
        with jobs.searching("Searching..."):
            raise cx_roi.Stopped("the session ended while its search ran")
        st.text("after")

    at = AppTest.from_function(page).run()
    assert not at.exception and [t.value for t in at.text] == ["before"]


def test_a_search_stops_when_streamlit_says_its_session_is_gone(monkeypatch):
    class Server:
        active = True

        def is_active_session(self, session_id):
            return self.active

    server = Server()
    monkeypatch.setattr(jobs.runtime, "exists", lambda: True)
    monkeypatch.setattr(jobs.runtime, "get_instance", lambda: server)
    monkeypatch.setattr(jobs, "get_script_run_ctx", lambda: type("Ctx", (), {"session_id": "s1"})())
    stop = jobs.session_gone()
    assert not stop()
    server.active = False  # the tab closed
    assert stop()
    with pytest.raises(cx_roi.Stopped):
        jobs.heavy(lambda stop: cx_roi.optimize_budget(cx_roi.load_preset("status-quo"), 420_000,
                                                          objective="p10_npv", stop=stop))


# ---------------------------------------------------------------- company data

SECRET = "ACME Corp churn FY24 - board only CONFIDENTIAL.csv"


@pytest.fixture(scope="module")
def sample_fit() -> cx_roi.HistoryFit:
    return cx_roi.fit_history(cx_roi.read_history(cx_roi.sample_history_file(), "sample_history.csv"))


def fitted_upload(sample_fit, monkeypatch, calls: list) -> AppTest:
    """A session that uploads the sample's rows under a confidential name and fits them (the fit itself
    is the sample's, counted, to keep the test quick)."""
    def fit(history):
        calls.append(history.months)
        return sample_fit

    from streamlit.runtime.caching import clear_session_data_cache

    monkeypatch.setattr(cx_roi, "fit_history", fit)
    clear_session_data_cache("test session id")  # AppTest's sessions share one id: start as a new one
    at = run_app(page=DATA)
    uploader = next(u for u in at.file_uploader if u.key.startswith("w:history:"))
    uploader.upload(SECRET, cx_roi.sample_history_file(), "text/csv").run()
    at.button(key="fit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_says_what_the_link_will_carry_and_the_file_name_stays_out(sample_fit, monkeypatch):
    at = fitted_upload(sample_fit, monkeypatch, [])
    carried = len(sample_fit.scenario.changed_fields(cx_roi.Scenario()))
    warning = " ".join(w.value for w in at.warning)
    assert f"puts the {carried} figures" in warning and "link" in warning, warning
    at.button(key="use_fit").click().run()
    link = " ".join(str(v) for v in at.query_params.values())
    assert "ACME" not in link and "CONFIDENTIAL" not in link and "csv" not in link, link
    assert at.query_params["fitted"].startswith("48 months to 2024-12~")


def test_an_uploaded_fit_is_cached_for_its_session_only(sample_fit, monkeypatch):
    from streamlit.runtime.caching import clear_session_data_cache

    calls: list = []
    at = fitted_upload(sample_fit, monkeypatch, calls)
    at.run()  # a rerun in the same session: from the session's cache
    assert len(calls) == 1
    # What Streamlit does when a session ends (AppSession.clear_session_caches): the fit is gone with it.
    clear_session_data_cache("test session id")  # AppTest's one session id
    at.run()
    assert len(calls) == 2, "after the session's end the fit is not in memory"

    def other_session():
        import dataclasses

        import threading

        from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

        import cx_roi
        from ui import cached

        # The same file, asked for from another session (another session id on the same server).
        ctx = dataclasses.replace(get_script_run_ctx(), session_id="another session")
        thread = threading.Thread(target=cached.fit_history,
                                  args=("ACME Corp churn FY24 - board only CONFIDENTIAL.csv",
                                        cx_roi.sample_history_file(), None))
        add_script_run_ctx(thread, ctx)
        thread.start()
        thread.join(60)

    AppTest.from_function(other_session).run()
    assert len(calls) == 3, "another session does not get the first one's fit from memory"
    clear_session_data_cache("another session")


def test_only_the_bundled_sample_is_fitted_once_for_everyone():
    sample = cx_roi.sample_history_file()
    assert cached._is_sample("sample_history.csv", sample)
    assert not cached._is_sample(SECRET, sample) and not cached._is_sample("sample_history.csv", sample + b"\n")


def test_a_fitted_label_from_a_link_loses_what_formats_or_hides():
    label = fields.clean_label("_x_ $y$ a\u202eb\u200bc " + PHISH)
    assert not re.search(r"[_$\u202e\u200b\[\]]", label) and "://" not in label


# ---------------------------------------------------------------- in a real browser

@pytest.mark.browser
def test_a_phishing_link_and_a_tracking_pixel_stay_text_in_the_browser(page, app_url):
    from test_browser import ALERT, expect, open_app, url

    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    open_app(page, url(app_url, "/", ad_spend_per_month=PHISH, aht_seconds=PIXEL,
                       saved=f"plan~shrinkage:{PIXEL}", fitted=f"mine~ad_spend_per_month:{PHISH}"))
    notice = page.locator(ALERT, has_text="This link had values")
    expect(notice).to_contain_text("Session expired: log in again")
    expect(notice).to_contain_text("![x]")
    assert page.locator("a[href*='evil.example']").count() == 0, "no live link"
    assert page.locator("img[src*='evil.example']").count() == 0, "no image"
    from urllib.parse import urlsplit

    assert not [r for r in requested if urlsplit(r).hostname == "evil.example"], "nothing fetched from there"


@pytest.mark.browser
def test_a_name_with_html_entities_reads_as_typed_in_the_tables_and_the_charts(page, app_url):
    # '&' is allowed in a saved name; Markdown and plotly both read "&amp;" and "&lt;i&gt;" as
    # characters, so unescaped this name showed as "R&D <i>x</i>" in one place and as typed in another.
    from test_browser import CHART, TABLE, expect, open_app, url

    name = "R&amp;D &lt;i&gt;x&lt;/i&gt;"
    open_app(page, url(app_url, "/compare", saved=f"{name}~ad_spend_per_month:200000",
                       compare=f"ad-boost,{name}", bridge=name))
    expect(page.locator(TABLE).first).to_contain_text(name)
    # Plotly draws after the run: wait for the legend entry and the bridge's title (it names the pair).
    expect(page.locator(f"{CHART} .legendtext", has_text=name).first).to_be_visible()
    expect(page.locator(f"{CHART} .gtitle", has_text=name).first).to_be_visible()
    assert page.locator("i", has_text="x").count() == 0


def test_the_odds_process_does_not_run_the_app():
    """The odds process starts by importing the main module as __mp_main__: in a Streamlit server, the
    app script. It ran the app without a session (a hundred log warnings) and kept all its imports."""
    code = ("import runpy, sys; runpy.run_path('app.py', run_name='__mp_main__'); "
            "print('ui.router' in sys.modules, 'streamlit' in sys.modules)")
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "False"], done.stderr[-2000:]
