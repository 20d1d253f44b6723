"""The scenario loader: the issue's example loads; each malformed file names file:line:column."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from support.paths import LIBRARY, SCENARIO_FILES, SCHEMA_FILE

from scenarios.loader import (
    ScenarioLoadError,
    _schema_errors,
    _validator,
    load_file,
    load_files,
    load_text,
    schema,
)
from scenarios.yamltree import YamlProblems, read_document
from shared.clock import SHANGHAI

FILES = SCENARIO_FILES


def problems_of(name: str) -> list[str]:
    with pytest.raises(ScenarioLoadError) as caught:
        load_file(FILES / name)
    return [str(p) for p in caught.value.problems]


def test_the_issue_example_loads_with_its_ten_steps_and_their_positions():
    scenario = load_file(FILES / "issue_example.yaml")
    assert scenario.name == "国庆前签发，3 个工作日后国家平台可绑定"
    assert scenario.start == datetime(2024, 9, 27, 9, tzinfo=SHANGHAI)
    assert scenario.lag == "3wd"
    assert [s.action for s in scenario.steps][:3] == ["national.register", "issue", "national.login"]
    assert len(scenario.steps) == 10
    assert scenario.steps[1].params == {"person": "zhang", "category": "电工作业",
                                        "item": "低压电工作业", "as": "c1"}
    assert scenario.steps[2].at == datetime(2024, 9, 30, 9, tzinfo=SHANGHAI)
    assert scenario.steps[4].expect == {"error": "not_found"}
    assert (scenario.steps[2].line, scenario.steps[2].column) == (22, 5)


@pytest.mark.parametrize(("name", "where", "says"), [
    ("schema_violation.yaml", "10:5", "action 'issue' needs 'item'"),
    ("unknown_key.yaml", "13:5", "unknown key 'itme' for action 'issue'; did you mean 'item'?"),
    ("unknown_action.yaml", "12:9", "unknown action 'national.bnd'; did you mean 'national.bind'?"),
    ("unknown_alias.yaml", "17:18", "unknown certificate 'c2'"),
    ("unknown_person.yaml", "11:13", "unknown person 'li'"),
    ("time_backwards.yaml", "12:9", "time goes backwards: 2024-09-30T09:00:00+08:00 is before "
                                    "2024-10-08T09:00:00+08:00"),
    ("unquoted_time.yaml", "3:8", "unquoted time or date '2024-09-27T09:00:00+08:00'"),
    ("unquoted_date.yaml", "15:16", 'write it as a string in quotes: "2019-06-20"'),
    ("duplicate_key.yaml", "12:5", "duplicate key 'do' (first written at line 10, column 5)"),
    ("bad_lag.yaml", "5:8", "'5wd': the lag is at most 3 working days"),
    ("invalid_yaml.yaml", "5:3", "not valid YAML"),
    ("unquoted_number.yaml", "8:12", 'write it in quotes: "13800138000"'),
    ("misplaced_expectation.yaml", "12:14", "expect key 'bound' does not apply to this action"),
    ("misplaced_guidance.yaml", "12:14", "expect key 'guidance' does not apply to this action"),
    ("fields_without_error.yaml", "12:14", "expect.fields needs expect.error"),
    ("unknown_snapshot.yaml", "4:13", "start.snapshot: unknown snapshot 'demo-2024' (known: demo)"),
    ("snapshot_time_without_offset.yaml", "5:7", "start.at: '2026-09-30T12:00:00' is not an ISO "
                                                  "8601 time with its UTC offset"),
    ("snapshot_time_backwards.yaml", "5:7", "start.at: time goes backwards: 2026-09-29T10:00:00"
                                            "+08:00 is before 2026-09-30T10:00:00+08:00, the time "
                                            "snapshot 'demo' holds"),
    ("certificates_without_snapshot.yaml", "8:1", "`certificates` names certificates a snapshot "
                                                  "holds, but this scenario starts from an empty "
                                                  "world"),
])
def test_each_malformed_file_is_refused_naming_file_line_and_column(name, where, says):
    problems = problems_of(name)
    expected_prefix = f"{FILES / name}:{where}: "
    assert any(p.startswith(expected_prefix) and says in p for p in problems), problems


def test_a_misspelt_key_reports_both_the_unknown_key_and_the_missing_one():
    problems = problems_of("unknown_key.yaml")
    assert [p.split(": ", 1)[0].rsplit(":", 2)[1:] for p in problems] == [["10", "5"], ["13", "5"]]


def test_loading_several_files_reports_every_file_and_returns_nothing():
    with pytest.raises(ScenarioLoadError) as caught:
        load_files([FILES / "issue_example.yaml", FILES / "unknown_action.yaml",
                    FILES / "bad_lag.yaml"])
    assert {Path(p.file).name for p in caught.value.problems} == {"unknown_action.yaml",
                                                                   "bad_lag.yaml"}


def test_a_directory_expands_to_its_yaml_files_in_order():
    with pytest.raises(ScenarioLoadError) as caught:
        load_files([FILES])
    files = {Path(p.file).name for p in caught.value.problems}
    assert "issue_example.yaml" not in files
    assert {"schema_violation.yaml", "unquoted_time.yaml", "invalid_yaml.yaml"} <= files


def test_people_not_listing_phone_or_password_get_defaults_and_id_valid_from_means_long_term():
    scenario = load_text(_minimal("people:\n  li:\n    name: 李四\n    id_number: \"X\"\n"), "t.yaml")
    li = scenario.people["li"]
    assert (li.phone, li.password, li.id_valid_from) == ("13900000001", "Abc12345!", None)


def test_waiting_three_working_days_from_friday_counts_the_tiaoxiu_sunday_before_national_day():
    text = _minimal("", steps='  - do: wait\n    for: 3wd\n  - at: "2024-10-08T08:59:00+08:00"\n'
                              '    do: sync\n')
    with pytest.raises(ScenarioLoadError) as caught:
        load_text(text, "t.yaml")
    # Friday 27 Sep 09:00 + 3wd = Sunday 29 (调休), Monday 30, Tuesday 8 October at 09:00.
    assert "before 2024-10-08T09:00:00+08:00" in str(caught.value)


def test_a_wait_reaching_a_year_without_calendar_data_is_reported_where_it_is_written():
    text = _minimal("", start="2026-12-30T09:00:00+08:00", steps="  - do: wait\n    for: 3wd\n")
    with pytest.raises(ScenarioLoadError) as caught:
        load_text(text, "t.yaml")
    assert str(caught.value).startswith("t.yaml:6:10: no official working-day calendar for 2027")


def test_a_field_expectation_without_an_error_is_refused():
    text = _minimal("people:\n  li:\n    name: 李四\n    id_number: \"X\"\n",
                    steps="  - do: mem.register\n    person: li\n    expect: {field: phone}\n")
    with pytest.raises(ScenarioLoadError) as caught:
        load_text(text, "t.yaml")
    assert "expect.field needs expect.error" in str(caught.value)


def test_expected_fields_are_a_list_of_names_or_a_mapping_to_the_text_of_each_message():
    steps = ("  - do: mem.register\n    person: li\n"
             "    expect: {error: invalid_input, fields: [password, confirm_password]}\n"
             "  - do: mem.register\n    person: li\n"
             "    expect: {error: invalid_input, fields: {agree: 注册协议}}\n"
             "  - do: national.bind\n    person: li\n"
             "    expect: {bound: [], guidance: [原因一, 数据存在延迟]}\n")
    scenario = load_text(_minimal(LI, steps=steps), "t.yaml")
    assert [s.expect.get("fields") for s in scenario.steps] == [
        ["password", "confirm_password"], {"agree": "注册协议"}, None]
    assert scenario.steps[2].expect["guidance"] == ["原因一", "数据存在延迟"]


@pytest.mark.parametrize("fields", ["[]", "{}", "password", "{agree: 1}", "[phone, phone]"])
def test_expected_fields_that_name_nothing_or_no_text_are_refused(fields):
    steps = ("  - do: mem.register\n    person: li\n"
             f"    expect: {{error: invalid_input, fields: {fields}}}\n")
    with pytest.raises(ScenarioLoadError) as caught:
        load_text(_minimal(LI, steps=steps), "t.yaml")
    assert str(caught.value).startswith("t.yaml:11:44: step 1 expect.fields: "), str(caught.value)
    assert "is not valid here (with error: exactly the fields at fault" in str(caught.value)


def test_the_published_schema_is_a_valid_draft_2020_12_schema_matching_the_loaded_one():
    published = json.loads(SCHEMA_FILE.read_text("utf-8"))
    Draft202012Validator.check_schema(published)
    assert published == schema()


LI = "people:\n  li:\n    name: 李四\n    id_number: \"X\"\n"


def _minimal(people: str, *, start: str = "2024-09-27T09:00:00+08:00",
             steps: str = "  - do: sync\n") -> str:
    return f'version: 1\nname: t\nstart: "{start}"\n{people}steps:\n{steps}'


def test_checking_each_step_against_its_action_finds_what_the_whole_schema_finds():
    library = LIBRARY
    checked = 0
    for path in [*FILES.glob("*.yaml"), *library.glob("*.yaml")]:
        try:
            doc = read_document(path.read_text("utf-8"), str(path))
        except YamlProblems:
            continue
        whole = {_place(tuple(e.absolute_path), e.validator)
                 for e in _validator().iter_errors(doc.value)}
        by_step = {_place(prefix + tuple(e.absolute_path), e.validator)
                   for prefix, e in _schema_errors(doc.value)}
        assert by_step == whole, path
        checked += 1
    assert checked >= 20


def _place(path: tuple, validator: str) -> tuple:
    """Where an error is, and which rule found it. The start is checked against the form it is
    written in (a time, or a snapshot), so it names the exact rule where the whole schema only
    says neither form fits: both find a problem at the start."""
    return (("start",), "start") if path[:1] == ("start",) else (path, validator)
