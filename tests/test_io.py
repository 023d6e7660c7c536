"""Tests for jingwu.io: reading users' exports, with malformed-input cases.

Every malformed case asserts a ``jw.DataError`` whose message names the
problem (and the file, column and file line numbers where they apply), and
that the input file is byte-for-byte unchanged with the same mtime.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import jingwu as jw
from jingwu import io as jio
from jingwu.privacy import PrivacyWarning

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


def write_text(tmp: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp / name
    p.write_bytes(text.encode(encoding))
    # an old mtime, so a rewrite within the same clock tick would still show
    os.utime(p, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return p


def write_bytes(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.write_bytes(data)
    os.utime(p, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return p


def write_xlsx(
    tmp: Path,
    name: str,
    rows: list[list],
    title: str | None = None,
    blank_rows: int = 0,
    sheet: str = "Sheet1",
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title is not None:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows))
    for _ in range(blank_rows):
        ws.append([])
    for r in rows:
        ws.append(r)
    p = tmp / name
    wb.save(p)
    os.utime(p, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return p


def csv_text(header: str, *rows: str) -> str:
    return "\n".join((header, *rows)) + "\n"


SALT = "a-secret-salt-of-32-characters!!"
DEMAND_H = "派出所,日期,警情类别,数量"
INC_H = "警情编号,派出所,报警时间,警情类别"
PANEL_H = "派出所,月份,警情数,立案数,破案数"
ST_H = "派出所编号,派出所名称,分局,辖区人口,民警"


def _stations_df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station_id": ["S01", "S02"],
            "district": ["D1", "D1"],
            "population": [1000, 2000],
            "officers": [10, 20],
        }
    )


# --------------------------------------------------------------------------
# malformed inputs: (id, writer, reader, kwargs, substrings that must appear)
# --------------------------------------------------------------------------

Writer = Callable[[Path], Path]

MALFORMED: list[tuple[str, Writer, str, dict, list[str]]] = [
    (
        "missing_column",
        lambda t: write_text(t, "d.csv", csv_text("派出所,日期,警情类别", "S01,2024-01-05,刑事")),
        "read_demand",
        {},
        ["d.csv", "missing required", "count"],
    ),
    (
        "missing_column_unrecognised_header",
        lambda t: write_text(t, "d.csv", csv_text("派出所,日期,警情类别,件数X", "S01,2024-01-05,刑事,3")),
        "read_demand",
        {},
        ["d.csv", "count", "not recognised", "件数X", "header_map"],
    ),
    (
        "duplicated_header",
        lambda t: write_text(t, "i.csv", csv_text(INC_H + ",报警时间", "J1,S01,2024-01-05,刑事,2024-01-05")),
        "read_incidents",
        {},
        ["i.csv", "reported_at", "'报警时间' appears twice", "columns 3 and 5"],
    ),
    (
        "two_headers_same_canonical",
        lambda t: write_text(
            t, "d.csv", csv_text("派出所,所属派出所,日期,警情类别,数量", "S01,S01,2024-01-05,刑事,3")
        ),
        "read_demand",
        {},
        ["d.csv", "'派出所'", "'所属派出所'", "both map to 'station_id'"],
    ),
    (
        "unparseable_date",
        lambda t: write_text(
            t,
            "d.csv",
            csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", "S01,昨天,刑事,3", "S01,05/01/2024,刑事,3"),
        ),
        "read_demand",
        {},
        ["d.csv", "'date'", "unparseable dates", "昨天", "05/01/2024", "rows 3, 4"],
    ),
    (
        "impossible_calendar_date",
        lambda t: write_text(t, "d.csv", csv_text(DEMAND_H, "S01,2024-02-30,刑事,3")),
        "read_demand",
        {},
        ["d.csv", "'date'", "invalid", "2024-02-30", "rows 2"],
    ),
    (
        "date_1900",
        lambda t: write_text(
            t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", "S01,1900-01-01,刑事,3")
        ),
        "read_demand",
        {},
        ["d.csv", "'date'", "dates before 1990", "rows 3", "1990-01-01"],
    ),
    (
        "datetime_2200",
        lambda t: write_text(t, "i.csv", csv_text(INC_H, "J1,S01,2200/01/05 08:30,刑事")),
        "read_incidents",
        {},
        ["i.csv", "'reported_at'", "dates after the export date", "rows 2", "2200-01-05 08:30:00", "as_of="],
    ),
    (
        "negative_count",
        lambda t: write_text(
            t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", "S01,2024-01-06,刑事,-3")
        ),
        "read_demand",
        {},
        ["d.csv", "'count'", "out of range", "-3", "rows 3", ">= 0"],
    ),
    (
        "non_integer_count",
        lambda t: write_text(t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,12.5")),
        "read_demand",
        {},
        ["d.csv", "'count'", "non-integer", "12.5", "rows 2"],
    ),
    (
        "text_in_count",
        lambda t: write_text(
            t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", "S01,2024-01-06,刑事,abc")
        ),
        "read_demand",
        {},
        ["d.csv", "'count'", "text in a numeric column", "abc", "rows 3"],
    ),
    (
        "duplicate_incident_ids",
        lambda t: write_text(
            t,
            "i.csv",
            csv_text(
                INC_H,
                "J1,S01,2024-01-05 08:00,刑事",
                "J2,S01,2024-01-05 09:00,刑事",
                "J1,S02,2024-01-06 10:00,治安",
            ),
        ),
        "read_incidents",
        {},
        ["i.csv", "incident_id", "duplicated keys", "rows 2, 4"],
    ),
    (
        "duplicate_demand_keys",
        lambda t: write_text(
            t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", "S01,2024/1/5,刑事警情,4")
        ),
        "read_demand",
        {},
        ["d.csv", "duplicated keys", "rows 2, 3"],
    ),
    (
        "panel_station_not_in_stations",
        lambda t: write_text(t, "p.csv", csv_text(PANEL_H, "S01,2024-01,100,10,5", "S99,2024-01,100,10,5")),
        "read_panel",
        {"stations": _stations_df()},
        ["p.csv", "station_id", "S99", "not in the station table", "rows 3"],
    ),
    (
        "cleared_exceeds_cases",
        lambda t: write_text(t, "p.csv", csv_text(PANEL_H, "S01,2024-01,100,10,5", "S01,2024-02,100,10,12")),
        "read_panel",
        {},
        ["p.csv", "'cleared'", "exceeds 'cases'", "rows 3"],
    ),
    (
        "satisfied_exceeds_surveyed",
        lambda t: write_text(
            t, "p.csv", csv_text("派出所,月份,警情数,调查人数,满意人数", "S01,2024-01,100,50,51")
        ),
        "read_panel",
        {},
        ["p.csv", "satisfaction_yes", "exceeds", "rows 2"],
    ),
    ("empty_file", lambda t: write_bytes(t, "empty.csv", b""), "read_demand", {}, ["empty.csv", "empty"]),
    (
        "blank_lines_only",
        lambda t: write_text(t, "blank.csv", "\n\n  \n"),
        "read_demand",
        {},
        ["blank.csv", "empty"],
    ),
    (
        "bom_only",
        lambda t: write_bytes(t, "bom.csv", b"\xef\xbb\xbf\n,,,\n"),
        "read_demand",
        {},
        ["bom.csv", "empty"],
    ),
    (
        "totals_row_is_not_a_category",
        lambda t: write_text(
            t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", "S01,2024-01-05,合计,3")
        ),
        "read_demand",
        {},
        ["d.csv", "unknown categories", "合计", "rows 3"],
    ),
    (
        "minute_digits_run_on",
        lambda t: write_text(t, "i.csv", csv_text(INC_H, "J1,S01,2024-01-05 8:305,刑事")),
        "read_incidents",
        {},
        ["i.csv", "unparseable dates", "8:305", "rows 2"],
    ),
    (
        "month_not_first_of_month",
        lambda t: write_xlsx(
            t, "p.xlsx", [["派出所", "月份", "警情数"], ["S01", dt.datetime(2024, 1, 15), 3]]
        ),
        "read_panel",
        {},
        ["p.xlsx", "'month'", "unparseable months", "2024-01-15", "rows 2"],
    ),
    (
        "header_only",
        lambda t: write_text(t, "h.csv", DEMAND_H + "\n"),
        "read_demand",
        {},
        ["h.csv", "no data rows", "line 1"],
    ),
    (
        "utf16",
        lambda t: write_bytes(t, "u16.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3").encode("utf-16")),
        "read_demand",
        {},
        ["u16.csv", "wrong encoding", "UTF-16", "byte offset 0"],
    ),
    (
        "utf16_without_bom",
        lambda t: write_bytes(
            t, "u16le.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3").encode("utf-16-le")
        ),
        "read_demand",
        {},
        ["u16le.csv", "wrong encoding", "line 1"],
    ),
    (
        "random_bytes",
        lambda t: write_bytes(
            t, "junk.csv", "派出所,日期\n".encode() + bytes([0x81, 0x20, 0xFF, 0xFE, 0x80]) * 20
        ),
        "read_demand",
        {},
        ["junk.csv", "wrong encoding", "byte offset", "line 2"],
    ),
    (
        "forced_wrong_encoding",
        lambda t: write_text(
            t, "gbk.csv", csv_text(DEMAND_H, "城东派出所,2024-01-05,刑事,3"), encoding="gbk"
        ),
        "read_demand",
        {"encoding": "utf-8"},
        ["gbk.csv", "wrong encoding", "utf-8", "byte offset 0"],
    ),
    (
        "mixed_types_excel_date_column",
        lambda t: write_xlsx(
            t,
            "m.xlsx",
            [
                ["警情编号", "派出所", "报警时间", "警情类别"],
                ["J1", "S01", dt.datetime(2024, 1, 5, 8, 30), "刑事"],
                ["J2", "S01", 45300, "刑事"],
            ],
        ),
        "read_incidents",
        {},
        ["m.xlsx", "'reported_at'", "mixed types", "45300", "rows 3"],
    ),
    (
        "mixed_types_excel_count_column",
        lambda t: write_xlsx(
            t,
            "m.xlsx",
            [
                ["派出所", "日期", "警情类别", "数量"],
                ["S01", dt.datetime(2024, 1, 5), "刑事", 3],
                ["S01", dt.datetime(2024, 1, 6), "刑事", dt.datetime(2024, 1, 6)],
            ],
        ),
        "read_demand",
        {},
        ["m.xlsx", "'count'", "mixed types", "rows 3"],
    ),
    (
        "unknown_category",
        lambda t: write_text(
            t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", "S01,2024-01-05,火灾,3")
        ),
        "read_demand",
        {},
        ["d.csv", "'category'", "unknown categories", "火灾", "rows 3", "category_map"],
    ),
    (
        "bad_boolean",
        lambda t: write_text(t, "i.csv", csv_text(INC_H + ",是否立案", "J1,S01,2024-01-05,刑事,也许")),
        "read_incidents",
        {},
        ["i.csv", "'is_case'", "yes/no", "也许", "rows 2"],
    ),
    (
        "missing_required_value",
        lambda t: write_text(t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", ",2024-01-05,治安,3")),
        "read_demand",
        {},
        ["d.csv", "'station_id'", "missing values", "rows 3"],
    ),
    (
        "time_in_date_column",
        lambda t: write_text(t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05 08:30,刑事,3")),
        "read_demand",
        {},
        ["d.csv", "'date'", "times of day", "rows 2"],
    ),
    (
        "unparseable_month",
        lambda t: write_text(t, "p.csv", csv_text(PANEL_H, "S01,2024-01,100,10,5", "S01,2024-13,100,10,5")),
        "read_panel",
        {},
        ["p.csv", "'month'", "unparseable months", "2024-13", "rows 3"],
    ),
    (
        "ragged_row",
        lambda t: write_text(
            t, "d.csv", csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", "S01,2024-01-05,治安,1,234")
        ),
        "read_demand",
        {},
        ["d.csv", "more values than the header", "rows 3"],
    ),
    (
        "title_rows_shift_line_numbers_csv",
        lambda t: write_text(
            t,
            "t.csv",
            "2024年1月警情统计表,,,\n,,,\n"
            + csv_text(DEMAND_H, "S01,2024-01-05,刑事,3", "S01,2024-01-06,刑事,x"),
        ),
        "read_demand",
        {},
        ["t.csv", "'count'", "rows 5"],
    ),
    (
        "title_rows_shift_line_numbers_excel",
        lambda t: write_xlsx(
            t,
            "t.xlsx",
            [
                ["派出所", "日期", "警情类别", "数量"],
                ["S01", "2024-01-05", "刑事", 3],
                ["S01", "2024-01-06", "刑事", -1],
            ],
            title="2024年1月警情统计表",
            blank_rows=1,
        ),
        "read_demand",
        {},
        ["t.xlsx", "'count'", "out of range", "rows 5"],
    ),
    (
        "old_xls",
        lambda t: write_bytes(t, "old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100),
        "read_demand",
        {},
        ["old.xls", ".xls", "not supported", ".xlsx"],
    ),
    (
        "corrupt_xlsx",
        lambda t: write_bytes(t, "bad.xlsx", b"this is not a workbook"),
        "read_demand",
        {},
        ["bad.xlsx", "cannot read as an Excel workbook"],
    ),
    (
        "excel_missing_sheet",
        lambda t: write_xlsx(
            t, "s.xlsx", [["派出所", "日期", "警情类别", "数量"], ["S01", "2024-01-05", "刑事", 3]]
        ),
        "read_demand",
        {"sheet_name": "警情"},
        ["s.xlsx", "no sheet named '警情'", "Sheet1"],
    ),
    (
        "excel_header_only",
        lambda t: write_xlsx(t, "h.xlsx", [["派出所", "日期", "警情类别", "数量"]], title="标题"),
        "read_demand",
        {},
        ["h.xlsx", "no data rows", "line 2"],
    ),
    (
        "excel_empty_sheet",
        lambda t: write_xlsx(t, "e.xlsx", [[None]]),
        "read_demand",
        {},
        ["e.xlsx", "empty"],
    ),
    (
        "parquet_non_integer_count",
        lambda t: _parquet(
            t,
            pd.DataFrame(
                {
                    "station_id": ["S01", "S01"],
                    "date": pd.to_datetime(["2024-01-05"] * 2),
                    "category": ["fraud", "traffic"],
                    "count": [1.0, 2.5],
                }
            ),
        ),
        "read_demand",
        {},
        ["d.parquet", "'count'", "non-integer", "2.5", "rows 3"],
    ),
    (
        "infinite_count",
        lambda t: write_text(
            t,
            "st.csv",
            csv_text(ST_H + ",辅警", "0101,城东派出所,东区分局,5,30,inf", "0102,城西派出所,东区分局,5,30,"),
        ),
        "read_stations",
        {},
        ["st.csv", "'auxiliaries'", "non-finite", "rows 2"],
    ),
    (
        "negative_population",
        lambda t: write_text(t, "st.csv", csv_text(ST_H, "0101,城东派出所,东区分局,-5,30")),
        "read_stations",
        {},
        ["st.csv", "'population'", "out of range", "rows 2"],
    ),
    (
        "unrecognised_english_headers_excel",
        lambda t: write_xlsx(t, "x.xlsx", [["unit", "when", "kind", "n"], ["S01", "2024-01-05", "刑事", 3]]),
        "read_demand",
        {},
        ["x.xlsx", "missing required", "not recognised"],
    ),
]


def _parquet(tmp: Path, df: pd.DataFrame, name: str = "d.parquet") -> Path:
    p = tmp / name
    df.to_parquet(p, index=False)
    os.utime(p, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return p


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_input_raises_data_error(tmp_path, case):
    _, writer, reader, kwargs, needles = case
    path = writer(tmp_path)
    before = fingerprint(path)
    with pytest.raises(jw.DataError) as info:
        getattr(jio, reader)(path, **kwargs)
    message = str(info.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert fingerprint(path) == before, "the input file was modified"


def test_at_least_25_malformed_cases():
    assert len(MALFORMED) >= 25


def test_data_error_is_value_error(tmp_path):
    p = write_text(tmp_path, "d.csv", DEMAND_H + "\n")
    with pytest.raises(ValueError):
        jio.read_demand(p)


# --------------------------------------------------------------------------
# inputs that must succeed
# --------------------------------------------------------------------------


def _expected_demand() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station_id": ["0012", "0012", "0105"],
            "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-01-06"]),
            "category": ["criminal", "fraud", "public_order"],
            "count": np.array([3, 7, 0], dtype="int64"),
        }
    )


DEMAND_ROWS = ("0012,2024-01-05,刑事,3", "0012,2024/1/5,电信诈骗,7", "0105,2024年1月6日,治安,0")


def _check_unchanged(path: Path, reader: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    before = fingerprint(path)
    out = reader()
    assert fingerprint(path) == before
    return out


def test_gbk_csv_with_chinese_headers(tmp_path):
    p = write_text(tmp_path, "gbk.csv", csv_text(DEMAND_H, *DEMAND_ROWS), encoding="gbk")
    out = _check_unchanged(p, lambda: jio.read_demand(p))
    pd.testing.assert_frame_equal(out, _expected_demand())


def test_gbk_csv_written_by_pandas(tmp_path):
    df = pd.DataFrame(
        {
            "派出所": ["城东派出所", "城西派出所"],
            "日期": ["2024-01-05", "2024-01-05"],
            "警情类别": ["纠纷", "求助"],
            "数量": [2, 5],
        }
    )
    p = tmp_path / "pd_gbk.csv"
    df.to_csv(p, encoding="gbk", index=False)
    out = jio.read_demand(p)
    assert out["station_id"].tolist() == ["城东派出所", "城西派出所"]
    assert out["category"].tolist() == ["dispute", "assistance"]


def test_gb18030_only_characters(tmp_path):
    # 𠀀 (U+20000) is not in GBK but is in GB18030
    p = write_text(tmp_path, "gb.csv", csv_text(DEMAND_H, "𠀀村派出所,2024-01-05,刑事,1"), encoding="gb18030")
    assert jio.read_demand(p)["station_id"].iloc[0] == "𠀀村派出所"


def test_utf8_bom(tmp_path):
    p = write_text(tmp_path, "bom.csv", csv_text(DEMAND_H, *DEMAND_ROWS), encoding="utf-8-sig")
    out = _check_unchanged(p, lambda: jio.read_demand(p))
    pd.testing.assert_frame_equal(out, _expected_demand())


def test_excel_with_title_row(tmp_path):
    rows = [
        ["派出所", "日期", "警情类别", "数量"],
        ["0012", dt.datetime(2024, 1, 5), "刑事", 3],
        ["0012", "2024/01/05", "电诈", 7.0],
        ["0105", "2024年1月6日", "治安", 0],
    ]
    p = write_xlsx(tmp_path, "title.xlsx", rows, title="2024年1月警情统计表", blank_rows=2)
    out = _check_unchanged(p, lambda: jio.read_demand(p))
    pd.testing.assert_frame_equal(out, _expected_demand())
    m = jio.describe_mapping(p)
    assert m["header_line"].iloc[0] == 4
    assert m.attrs["table"] == "demand"


def test_excel_sheet_by_name_and_numeric_ids(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表为示例"])
    ws = wb.create_sheet("所")
    ws.append(["派出所编号", "分局", "辖区人口", "民警", "辅警", "面积", "智慧警务上线时间"])
    ws.append([101, "东区分局", 52000, 31, 40, 12.5, dt.datetime(2022, 3, 1)])
    ws.append(["0102", "东区分局", 38000.0, 22, None, None, None])
    p = tmp_path / "st.xlsx"
    wb.save(p)
    st = jio.read_stations(p, sheet_name="所")
    assert st["station_id"].tolist() == ["101", "0102"]
    assert st["adoption_month"].iloc[0] == pd.Period("2022-03", "M")
    assert pd.isna(st["adoption_month"].iloc[1])
    assert str(st["auxiliaries"].dtype) == "Int64"
    assert st["area_km2"].iloc[0] == 12.5
    assert jio.read_stations(p, sheet_name=1).equals(st)


def test_parquet(tmp_path):
    df = pd.DataFrame(
        {
            "station_id": ["0012", "0105"],
            "month": ["2024-01", "2024-02"],
            "incidents": [120, 98],
            "cases": [30, 20],
            "cleared": [12, 9],
        }
    )
    p = _parquet(tmp_path, df, "panel.parquet")
    out = _check_unchanged(p, lambda: jio.read_panel(p))
    assert out["station_id"].tolist() == ["0012", "0105"]
    assert isinstance(out["month"].dtype, pd.PeriodDtype)
    assert out["incidents"].tolist() == [120, 98]


def test_parquet_typed_datetimes(tmp_path):
    df = pd.DataFrame(
        {
            "警情编号": ["J1", "J2"],
            "派出所": ["S01", "S02"],
            "报警时间": pd.to_datetime(["2024-01-05 08:30", "2024-01-06 09:00"]),
            "警情类别": ["刑事", "交通"],
            "是否破案": [True, False],
        }
    )
    p = _parquet(tmp_path, df, "inc.parquet")
    out = jio.read_incidents(p)
    assert out["reported_at"].iloc[0] == pd.Timestamp("2024-01-05 08:30")
    assert out["cleared"].tolist() == [True, False]


def test_override_header_map(tmp_path):
    text = csv_text("所名,统计日,分类,件数,单位", "S01,2024-01-05,刑事,3,x", "S02,2024-01-05,火灾,1,y")
    p = write_text(tmp_path, "custom.csv", text)
    out = _check_unchanged(
        p,
        lambda: jio.read_demand(
            p,
            header_map={
                "所名": "station_id",
                "统计日": "date",
                "分类": "category",
                "件数": "count",
                "单位": None,
            },
            category_map={"火灾": "other"},
        ),
    )
    assert list(out.columns) == ["station_id", "date", "category", "count"]
    assert out["category"].tolist() == ["criminal", "other"]


def test_header_map_overrides_builtin(tmp_path):
    # a file whose 派出所 column holds names and 派出所编号 holds IDs; keep only the IDs
    text = csv_text("派出所编号,派出所,日期,警情类别,数量", "0012,城东派出所,2024-01-05,刑事,3")
    p = write_text(tmp_path, "o.csv", text)
    out = jio.read_demand(p, header_map={"派出所": None})
    assert out["station_id"].tolist() == ["0012"]


def test_english_headers_normalised(tmp_path):
    text = csv_text(
        "Incident ID,Station,Reported At,CATEGORY,handling_minutes,Response-Time,Is Case,Cleared",
        "J1,S01,2024-01-05T08:30:00,Criminal,35.5,12,Y,N",
        "J2,S01,2024-01-05 09:00,public order,,8,no,",
    )
    p = write_text(tmp_path, "en.csv", text)
    out = jio.read_incidents(p)
    assert out["category"].tolist() == ["criminal", "public_order"]
    assert out["handling_minutes"].iloc[0] == 35.5 and np.isnan(out["handling_minutes"].iloc[1])
    assert out["response_minutes"].tolist() == [12.0, 8.0]
    assert out["is_case"].tolist() == [True, False]
    assert out["cleared"].iloc[0] is False or out["cleared"].iloc[0] == False  # noqa: E712
    assert pd.isna(out["cleared"].iloc[1])


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2024/01/05 08:30", "2024-01-05 08:30"),
        ("2024-01-05", "2024-01-05"),
        ("2024年1月5日", "2024-01-05"),
        ("2024年1月5日 8时30分", "2024-01-05 08:30"),
        ("2024.1.5 08:30:15", "2024-01-05 08:30:15"),
        ("20240105", "2024-01-05"),
        ("20240105083015", "2024-01-05 08:30:15"),
        ("2024-01-05T08:30:00", "2024-01-05 08:30"),
        ("2024年1月5日8时30分15秒", "2024-01-05 08:30:15"),
        ("2024-01-05 08:30:15.250", "2024-01-05 08:30:15.250"),
        ("  2024/1/5 8:05  ", "2024-01-05 08:05"),
    ],
)
def test_datetime_formats(tmp_path, text, expected):
    p = write_text(tmp_path, "i.csv", csv_text(INC_H, f"J1,S01,{text},刑事"))
    assert jio.read_incidents(p)["reported_at"].iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize("text", ["2024-01", "2024/1", "2024年1月", "202401", "2024-01-01", "2024.01"])
def test_month_formats(tmp_path, text):
    p = write_text(tmp_path, "p.csv", csv_text("派出所,月份,警情数", f"S01,{text},10"))
    assert jio.read_panel(p)["month"].iloc[0] == pd.Period("2024-01", "M")


@pytest.mark.parametrize(
    "yes,no", [("是", "否"), ("Y", "N"), ("1", "0"), ("true", "false"), ("TRUE", "False")]
)
def test_boolean_spellings(tmp_path, yes, no):
    p = write_text(
        tmp_path,
        "i.csv",
        csv_text(INC_H + ",是否立案", f"J1,S01,2024-01-05,刑事,{yes}", f"J2,S01,2024-01-05,刑事,{no}"),
    )
    out = jio.read_incidents(p)
    assert out["is_case"].dtype == bool and out["is_case"].tolist() == [True, False]


def test_thousands_separator_and_leading_zero_ids(tmp_path):
    p = write_text(tmp_path, "st.csv", csv_text(ST_H, '00101,城东派出所,东区分局,"52,000",31'))
    st = jio.read_stations(p)
    assert st["station_id"].iloc[0] == "00101"
    assert st["population"].iloc[0] == 52000


def test_full_width_digits_and_separators(tmp_path):
    p = write_text(
        tmp_path,
        "n.csv",
        csv_text(
            DEMAND_H, 'S01,2024-01-05,刑事,"1，234"', "S01,2024-01-06,刑事,１２", "S01,2024-01-07,刑事, 7 "
        ),
    )
    assert jio.read_demand(p)["count"].tolist() == [1234, 12, 7]


def test_stations_name_only_serves_as_id(tmp_path):
    p = write_text(tmp_path, "st.csv", csv_text("派出所名称,分局,人口,民警", "城东派出所,东区分局,100,3"))
    st = jio.read_stations(p)
    assert st["station_id"].tolist() == ["城东派出所"] == st["station_name"].tolist()


def test_panel_with_stations_file(tmp_path):
    sp = write_text(tmp_path, "st.csv", csv_text(ST_H, "S01,城东派出所,东区分局,5000,30"))
    pp = write_text(tmp_path, "p.csv", csv_text(PANEL_H, "S01,2024-01,100,10,5"))
    out = jio.read_panel(pp, stations=sp)
    assert out["incidents"].tolist() == [100]
    pp2 = write_text(tmp_path, "p2.csv", csv_text(PANEL_H, "S02,2024-01,100,10,5"))
    with pytest.raises(jw.DataError, match="S02"):
        jio.read_panel(pp2, stations=sp)


def test_csv_title_rows_and_tabs(tmp_path):
    text = "2024年1月警情统计表\n\n" + csv_text(DEMAND_H, *DEMAND_ROWS).replace(",", "\t")
    p = write_text(tmp_path, "tab.txt", text)
    pd.testing.assert_frame_equal(jio.read_demand(p), _expected_demand())


def test_quoted_multiline_cell_keeps_line_numbers(tmp_path):
    text = csv_text(DEMAND_H + ",备注", 'S01,2024-01-05,刑事,3,"第一行\n第二行"', "S01,2024-01-06,刑事,oops,")
    p = write_text(tmp_path, "ml.csv", text)
    with pytest.raises(jw.DataError, match=r"rows 4\)"):
        jio.read_demand(p, pii="keep")


def test_extra_columns_kept_and_pii_dropped(tmp_path):
    text = csv_text(
        DEMAND_H + ",备注,报警人,联系电话",
        "S01,2024-01-05,刑事,3,回电13812345678,张伟,13900001111",
        "S01,2024-01-06,刑事,4,无,李娜,13900002222",
        "S01,2024-01-07,刑事,1,已处理,王芳,",
    )
    p = write_text(tmp_path, "pii.csv", text)
    with pytest.warns(PrivacyWarning, match="报警人"):
        out = jio.read_demand(p)
    assert list(out.columns) == ["station_id", "date", "category", "count"]
    # "keep" keeps free text with the personal parts masked, never the person columns
    with pytest.warns(PrivacyWarning, match="masked"):
        kept = jio.read_demand(p, pii="keep")
    assert "备注" in kept.columns and not {"报警人", "联系电话"} & set(kept.columns)
    assert kept["备注"].tolist() == ["回电[手机号]", "无", "已处理"]
    with pytest.warns(PrivacyWarning):
        h1 = jio.read_demand(p, pii="hash", salt=SALT)
    with pytest.warns(PrivacyWarning):
        h2 = jio.read_demand(p, pii="hash", salt=SALT)
    assert h1.equals(h2)
    assert h1["报警人"].str.len().eq(64).all()
    assert "张伟" not in h1.to_string()


def test_clean_file_gives_no_privacy_warning(tmp_path):
    p = write_text(
        tmp_path,
        "d.csv",
        csv_text(DEMAND_H + ",接处警单位", "城东派出所,2024-01-05,刑事,3,鼓楼区中山路派出所"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyWarning)
        out = jio.read_demand(p)
    assert "接处警单位" in out.columns


def test_hash_needs_salt(tmp_path):
    p = write_text(tmp_path, "d.csv", csv_text(DEMAND_H, *DEMAND_ROWS))
    with pytest.raises(ValueError, match="salt"):
        jio.read_demand(p, pii="hash")


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"pii": "remove"}, "pii"),
        ({"header_map": ["a"]}, "header_map"),
        ({"sheet_name": 1.5}, "sheet_name"),
        ({"encoding": "no-such-codec"}, "encoding"),
        ({"stations": pd.DataFrame()}, "panel"),
        ({"category_map": [("火灾", "other")]}, "category_map"),
    ],
)
def test_argument_checks(tmp_path, kwargs, match):
    p = write_text(tmp_path, "d.csv", csv_text(DEMAND_H, *DEMAND_ROWS))
    with pytest.raises(ValueError, match=match):
        jio.read_demand(p, **kwargs)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        jio.read_demand(tmp_path / "nope.csv")


def test_header_map_constants():
    assert jio.HEADER_MAP["派出所"] == "station_id"
    assert jio.HEADER_MAP["报警时间"] == "reported_at"
    assert jio.HEADER_MAP["stationid"] == "station_id"
    assert jio.CATEGORY_MAP["电信诈骗"] == "fraud"
    assert set(jio.CATEGORY_MAP.values()) <= set(jw.schema.CATEGORIES) | {"all"}
    assert set(jio.HEADER_MAP.values()) <= {c.name for cols in jw.schema.TABLES.values() for c in cols}


def test_describe_mapping(tmp_path):
    p = write_text(
        tmp_path,
        "i.csv",
        csv_text("接警编号,所属派出所,接警时间,警情类型,处置时长(分钟),备注", "J1,S01,2024-01-05,刑事,30,"),
    )
    before = fingerprint(p)
    m = jio.describe_mapping(p)
    assert fingerprint(p) == before
    assert m.attrs["table"] == "incidents"
    assert m["maps_to"].tolist() == [
        "incident_id",
        "station_id",
        "reported_at",
        "category",
        "handling_minutes",
        None,
    ]
    assert m["source"].iloc[-1] == "unmapped"
    assert m["personal_data"].isna().all()
    p2 = write_text(tmp_path, "j.csv", csv_text(INC_H + ",联系电话", "J1,S01,2024-01-05,刑事,13812345678"))
    assert jio.describe_mapping(p2)["personal_data"].tolist() == [None] * 4 + ["phone number"]
    m2 = jio.describe_mapping(p, header_map={"备注": "note"})
    assert m2["maps_to"].iloc[-1] == "note" and m2["source"].iloc[-1] == "header_map"
