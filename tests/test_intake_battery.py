"""A battery of hostile inputs for intake: each case builds its file in
``tmp_path`` and asserts the exact outcome.

Classes (see ``BATTERY_CLASSES`` at the end for the counts):

* ``pii``       personal data in every form real exports hold it: dropped,
                masked with the exact tokens, never in an output or a notice;
* ``clean``     look-alikes that are *not* personal data and must stay;
* ``message``   bad cells holding personal data: the DataError names the row
                and the problem, masked;
* ``salt``      weak salts refused for hashing;
* ``formula``   CSV-injection guard and file permissions of ``save_table``;
* ``excel``     stale dimensions, several/hidden/cover sheets, uncached formulas;
* ``csv``       unbalanced quotes, long cells, quoted delimiters;
* ``station``   one station written several ways is one station, with a notice;
* ``totals``    合计/小计/总计/全部 rows;
* ``timezone``  zoned timestamps to local time, never truncated;
* ``dates``     future and pre-1990 dates;
* ``aggregate`` DataError (not DuckDB errors), file lines, join/filter losses;
* ``cli``       simulate/validate on hostile paths;
* ``lines``     file line numbers counting title rows.

All personal data is synthetic.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import jingwu as jw
from jingwu import io as jio
from jingwu.errors import IntakeWarning
from jingwu.privacy import PrivacyWarning

INC_H = "警情编号,派出所,报警时间,警情类别"
DEMAND_H = "派出所,日期,警情类别,数量"
SALT = "a-secret-salt-of-32-characters!!"


def make_id(prefix17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(prefix17, weights))
    return prefix17 + "10X98765432"[total % 11]


ID18 = make_id("11010519491231002")  # ends in X
ID18B = make_id("32010619851122456")


def write(tmp: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp / name
    p.write_bytes(text.encode(encoding))
    return p


def inc_csv(
    tmp: Path, extra_header: str = "", extra: tuple[str, str, str] = ("", "", ""), name: str = "jq.csv"
) -> Path:
    h = INC_H + ("," + extra_header if extra_header else "")
    rows = ["J1,S01,2024-01-05 08:30,刑事", "J2,S01,2024-01-05 09:30,纠纷", "J3,S02,2024-01-06 10:00,求助"]
    if extra_header:
        rows = [f"{r},{_q(v)}" for r, v in zip(rows, extra)]
    return write(tmp, name, "\n".join([h, *rows]) + "\n")


def _q(v: str) -> str:
    return '"' + v.replace('"', '""') + '"' if ("," in v or '"' in v or "\n" in v) else v


def read_quiet(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    return out, [str(w.message) for w in caught], [w.category for w in caught]


# --------------------------------------------------------------------------
# pii: personal data inside an innocuous 备注 column, in every spelling
# (value, exact masked text)
# --------------------------------------------------------------------------

PII_IN_TEXT = [
    ("id18", f"身份证{ID18}", "身份证[身份证号]", ID18),
    ("id18_lower_x", f"证件{ID18.lower()}", "证件[身份证号]", ID18.lower()),
    ("id18_spaces", f"证件 {ID18[:6]} {ID18[6:14]} {ID18[14:]}", "证件 [身份证号]", ID18[6:14]),
    ("id18_dashes", f"号码{ID18[:6]}-{ID18[6:14]}-{ID18[14:]}", "号码[身份证号]", ID18[6:14]),
    ("id15_old", "旧证110105491231002", "旧证[身份证号]", "110105491231002"),
    ("mobile", "回电13812345678", "回电[手机号]", "13812345678"),
    ("mobile_plus86", "回电+86 13812345678", "回电[手机号]", "13812345678"),
    ("mobile_0086", "回电0086-138-1234-5678", "回电[手机号]", "1234-5678"),
    ("mobile_spaces", "回电138 1234 5678", "回电[手机号]", "1234 5678"),
    ("mobile_dashes", "回电138-1234-5678", "回电[手机号]", "1234-5678"),
    ("landline_dash", "座机010-62345678", "座机[电话]", "62345678"),
    ("landline_paren", "座机(0571)88886666", "座机[电话]", "88886666"),
    ("landline_fullwidth_paren", "座机（025）8456 1234", "座机[电话]", "8456 1234"),
    ("landline_plus86", "座机+86 21 5555 6666", "座机[电话]", "5555 6666"),
    ("landline_extension", "座机0755-12345678转123", "座机[电话]", "12345678"),
    ("landline_no_separator", "座机02164445555", "座机[电话]", "64445555"),
    ("address_road_number_room", "住文三路88号3单元502室", "[地址]", "502室"),
    ("address_compound", "家住幸福小区3栋2单元502室", "[地址]", "幸福小区"),
    ("address_road_section", "四川省成都市武侯区人民南路四段9号", "[地址]", "人民南路"),
    (
        "narrative_two_names",
        "胡芳与邻居马平平因噪音问题发生口角",
        "[姓名]与邻居[姓名]因噪音问题发生口角",
        "马平平",
    ),
    ("narrative_officer", "民警王强到场处置", "民警[姓名]到场处置", "王强"),
    ("narrative_two_parties", "张三与李四打架", "[姓名]与[姓名]打架", "李四"),
    ("narrative_name_and_phone", "刘洋报称被骗，回电13900001111", "[姓名]报称被骗，回电[手机号]", "刘洋"),
]


@pytest.mark.parametrize("case", PII_IN_TEXT, ids=[c[0] for c in PII_IN_TEXT])
def test_pii_in_free_text_dropped_by_default(tmp_path, case):
    _, value, _, secret = case
    p = inc_csv(tmp_path, "备注", ("已处理", value, "无"))
    out, notes, kinds = read_quiet(jio.read_incidents, p)
    assert "备注" not in out.columns
    assert PrivacyWarning in kinds and any("'备注'" in n for n in notes)
    assert secret not in out.to_string() and not any(secret in n for n in notes)


@pytest.mark.parametrize("case", PII_IN_TEXT, ids=[c[0] for c in PII_IN_TEXT])
def test_pii_in_free_text_masked_on_request(tmp_path, case):
    _, value, masked, secret = case
    p = inc_csv(tmp_path, "备注", ("已处理", value, "无"))
    out, notes, _ = read_quiet(jio.read_incidents, p, pii="mask")
    assert out["备注"].tolist() == ["已处理", masked, "无"]
    assert not any(secret in n for n in notes)


PERSON_HEADERS = [
    "complainant",
    "Suspect",
    "victim",
    "Witness",
    "reporter",
    "suspect name",
    "报案人",
    "报警人",
    "当事人",
    "嫌疑人",
    "受害人",
    "证人",
    "informant",
    "举报人",
]


@pytest.mark.parametrize("header", PERSON_HEADERS)
def test_person_columns_dropped_even_with_annotated_values(tmp_path, header):
    p = inc_csv(tmp_path, header, ("张伟（男，35岁）", "李娜(女)", "王芳，女，28岁"))
    for mode in ("drop", "mask"):
        out, notes, kinds = read_quiet(jio.read_incidents, p, pii=mode)
        assert header not in out.columns
        assert PrivacyWarning in kinds
        assert "张伟" not in out.to_string() and not any("张伟" in n for n in notes)


@pytest.mark.parametrize("chunk_rows", [200_000, 1000])
def test_pii_on_row_2500_of_3000_is_found(tmp_path, chunk_rows):
    rows = [f"J{i},S01,2024-01-05 08:30,刑事,已处理" for i in range(3000)]
    rows[2499] = f"J2499,S01,2024-01-05 08:30,刑事,证件{ID18B}"
    p = write(tmp_path, "big.csv", "\n".join([INC_H + ",备注", *rows]) + "\n")
    out, notes, _ = read_quiet(jio.read_incidents, p, chunk_rows=chunk_rows)
    assert "备注" not in out.columns and len(out) == 3000
    assert any("resident ID" in n and "'备注'" in n for n in notes)
    # found in the third chunk, masked in all: the other rows keep their text
    masked, _, _ = read_quiet(jio.read_incidents, p, chunk_rows=chunk_rows, pii="mask")
    assert masked["备注"].iloc[2499] == "证件[身份证号]" and masked["备注"].iloc[0] == "已处理"


def test_minority_of_addresses_flags_the_column():
    df = pd.DataFrame({"station_id": ["S01"] * 10, "处置说明": ["已处理"] * 9 + ["住幸福小区3栋2单元502室"]})
    found = jw.privacy.scan_pii(df)
    assert found[["column", "reason", "count"]].values.tolist() == [
        ["处置说明", "values contain street addresses", 1]
    ]


# --------------------------------------------------------------------------
# clean: look-alikes that are not personal data stay untouched
# --------------------------------------------------------------------------

CLEAN_LOOKALIKES = [
    ("station_units", ["城东派出所", "鼓楼区中山路派出所", "张家港派出所"]),
    ("street_names_without_numbers", ["中山路街道", "湖南路街道", "江东社区"]),
    ("incident_codes", ["J2024010500001", "J2024010500002", "J2024010500003"]),
    ("shift_words", ["白班", "夜班", "白班"]),
    ("outcomes", ["已调解", "移交刑侦", "不予受理"]),
]


@pytest.mark.parametrize("case", CLEAN_LOOKALIKES, ids=[c[0] for c in CLEAN_LOOKALIKES])
def test_lookalikes_are_kept(tmp_path, case):
    _, values = case
    p = inc_csv(tmp_path, "备注", tuple(values))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyWarning)
        out = jio.read_incidents(p)
    assert out["备注"].tolist() == values


# --------------------------------------------------------------------------
# message: a DataError about a cell holding personal data is masked
# --------------------------------------------------------------------------

MESSAGES = [
    (
        "category_phone",
        f"{INC_H}\nJ1,S01,2024-01-05 08:30,回电13812345678\n",
        "read_incidents",
        "13812345678",
        ["unknown categories", "回电[手机号]", "rows 2"],
    ),
    (
        "category_name",
        f"{INC_H}\nJ1,S01,2024-01-05 08:30,刑事\nJ2,S01,2024-01-05 09:00,张伟\n",
        "read_incidents",
        "张伟",
        ["unknown categories", "[姓名]", "rows 3"],
    ),
    (
        "date_is_an_id",
        f"{INC_H}\nJ1,S01,{ID18},刑事\n",
        "read_incidents",
        ID18,
        ["'reported_at'", "[身份证号]", "rows 2"],
    ),
    (
        "count_is_a_phone_note",
        f"{DEMAND_H}\nS01,2024-01-05,刑事,回电13812345678\n",
        "read_demand",
        "13812345678",
        ["'count'", "text in a numeric column", "[手机号]", "rows 2"],
    ),
    (
        "date_is_an_address",
        f"{INC_H}\nJ1,S01,住文三路88号3单元502室,刑事\n",
        "read_incidents",
        "文三路88号",
        ["'reported_at'", "[地址]", "rows 2"],
    ),
]


@pytest.mark.parametrize("case", MESSAGES, ids=[c[0] for c in MESSAGES])
def test_error_messages_never_quote_personal_data(tmp_path, case):
    _, text, reader, secret, needles = case
    p = write(tmp_path, "x.csv", text)
    with pytest.raises(jw.DataError) as info:
        getattr(jio, reader)(p)
    msg = str(info.value)
    assert secret not in msg
    for n in needles:
        assert n in msg, (n, msg)


# --------------------------------------------------------------------------
# salt: hashing refuses weak salts
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "salt,needle",
    [
        (None, "needs a salt"),
        ("", "empty"),
        ("     \t ", "whitespace"),
        ("pepper", "6 bytes"),
        ("fifteen-bytes!!", "15 bytes"),
        (b"   short-bytes   ", "11 bytes"),
    ],
)
def test_weak_salts_refused(tmp_path, salt, needle):
    p = inc_csv(tmp_path, "联系电话", ("13812345678", "13900001111", ""))
    with pytest.raises(ValueError, match=needle):
        jio.read_incidents(p, pii="hash", salt=salt)


def test_sixteen_byte_salt_accepted(tmp_path):
    p = inc_csv(tmp_path, "联系电话", ("13812345678", "13900001111", ""))
    out, _, _ = read_quiet(jio.read_incidents, p, pii="hash", salt="x" * 16)
    assert out["联系电话"].iloc[0] != "13812345678" and len(out["联系电话"].iloc[0]) == 64


# --------------------------------------------------------------------------
# formula: save_table neutralises spreadsheet formulas, keeps permissions
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell,written",
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd", "'-2+3+cmd"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=evil", "'\t=evil"),
        ("-3", "-3"),
        ("城东派出所", "城东派出所"),
    ],
)
def test_save_table_guards_formulas(tmp_path, cell, written):
    out = jw.report.save_table(
        pd.DataFrame({"station_id": [cell], "n": [1]}), "t", formats="csv", directory=tmp_path
    )
    back = pd.read_csv(out["csv"], dtype=str, keep_default_na=False)
    assert back["station_id"].tolist() == [written]


def test_save_table_guards_headers_and_keeps_permissions(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    jw.report.save_table(pd.DataFrame({"=HYPERLINK(x)": [1]}), "t", formats="csv", directory=tmp_path)
    assert target.read_text().splitlines()[0] == "'=HYPERLINK(x)"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


# --------------------------------------------------------------------------
# excel
# --------------------------------------------------------------------------

ROWS = [["警情编号", "派出所", "报警时间", "警情类别"]] + [
    [f"J{i}", "S01", f"2024-01-0{1 + i % 9} 08:00", "刑事"] for i in range(12)
]


def xlsx(
    tmp: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = (), name: str = "x.xlsx"
) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if title in hidden:
            ws.sheet_state = "hidden"
    p = tmp / name
    wb.save(p)
    return p


def test_excel_stale_dimension_returns_every_row(tmp_path):
    p = xlsx(tmp_path, {"警情": ROWS})
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(p) as zin, zipfile.ZipFile(stale, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[A-Z0-9:]+"\s*/>', b'<dimension ref="A1:A1"/>', data)
                assert b'ref="A1:A1"' in data
            zout.writestr(item, data)
    assert len(jio.read_incidents(stale)) == 12


def test_excel_two_sheets_with_data_name_them(tmp_path):
    p = xlsx(tmp_path, {"一月": ROWS, "二月": ROWS})
    with pytest.raises(jw.DataError) as info:
        jio.read_incidents(p)
    msg = str(info.value)
    assert "2 sheets with data: '一月', '二月'" in msg and "sheet_name=" in msg
    assert len(jio.read_incidents(p, sheet_name="二月")) == 12


def test_excel_hidden_sheet_with_data_is_named(tmp_path):
    p = xlsx(tmp_path, {"警情": ROWS, "旧数据": ROWS}, hidden=("旧数据",))
    with pytest.raises(jw.DataError, match=r"'警情', '旧数据' \(hidden\)"):
        jio.read_incidents(p)


def test_excel_cover_sheet_skipped_with_notice(tmp_path):
    p = xlsx(tmp_path, {"封面": [["M市公安局警情统计"], ["制表：办公室"]], "警情": ROWS})
    out, notes, kinds = read_quiet(jio.read_incidents, p)
    assert len(out) == 12 and IntakeWarning in kinds
    assert any("read sheet '警情'" in n and "'封面'" in n for n in notes)


def test_excel_only_data_sheet_hidden_is_read_with_notice(tmp_path):
    p = xlsx(tmp_path, {"说明": [["见隐藏表"]], "数据": ROWS}, hidden=("数据",))
    out, notes, _ = read_quiet(jio.read_incidents, p)
    assert len(out) == 12 and any("sheet '数据' is hidden" in n for n in notes)


def test_excel_formula_without_cached_value(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[0].append("数量")
    for i, r in enumerate(rows[1:], start=2):
        r.append(f"=1+{i}" if i in (3, 5) else 1)
    p = xlsx(tmp_path, {"警情": rows})
    with pytest.raises(jw.DataError) as info:
        jio.read_incidents(p)
    assert "formulas without saved values" in str(info.value) and "(rows 3, 5)" in str(info.value)


def test_excel_title_row_line_numbers(tmp_path):
    rows = [["2024年1月警情"], [], *ROWS]
    rows[5][2] = "昨天"
    p = xlsx(tmp_path, {"警情": rows})
    with pytest.raises(jw.DataError, match=r"unparseable dates .*\(rows 6\)"):
        jio.read_incidents(p)  # title on row 1, blank row 2, header row 3


# --------------------------------------------------------------------------
# csv
# --------------------------------------------------------------------------


def test_csv_unbalanced_quote_that_swallows_lines(tmp_path):
    text = (
        INC_H + ',备注\nJ1,S01,2024-01-05 08:30,刑事,无\nJ2,S01,2024-01-05 09:00,刑事,"已处理\n'
        'J3,S01,2024-01-05 10:00,刑事,无\nJ4,S01,2024-01-05 11:00,刑事,"无""\n'
    )
    p = write(tmp_path, "q.csv", text)
    with pytest.raises(jw.DataError) as info:
        jio.read_incidents(p)
    msg = str(info.value)
    assert "unbalanced quote" in msg and "(rows 3)" in msg and "starting on line 3 runs to line 5" in msg


def test_csv_unbalanced_quote_at_end_of_file(tmp_path):
    text = INC_H + ',备注\nJ1,S01,2024-01-05 08:30,刑事,无\nJ2,S01,2024-01-05 09:00,刑事,"已处理\n'
    p = write(tmp_path, "q.csv", text)
    with pytest.raises(jw.DataError, match=r"never closed.*\(rows 3\)"):
        jio.read_incidents(p)


def test_csv_very_long_free_text_cell_accepted(tmp_path):
    long = "案情描述，" * 60_000  # 300,000 characters, over Python's 128 KB field limit
    p = inc_csv(tmp_path, "备注", ("无", long, "无"))
    out, _, _ = read_quiet(jio.read_incidents, p)
    assert len(out) == 3 and len(out["备注"].iloc[1]) == len(long)


def test_csv_legit_multiline_cell_accepted(tmp_path):
    p = inc_csv(tmp_path, "备注", ("无", "第一行\n第二行\n第三行", "无"))
    out, _, _ = read_quiet(jio.read_incidents, p)
    assert out["备注"].iloc[1] == "第一行\n第二行\n第三行"


def test_csv_delimiter_sniffing_ignores_quoted_commas(tmp_path):
    text = (
        "警情编号;派出所;报警时间;警情类别;备注\n"
        'J1;S01;2024-01-05 08:30;刑事;"a,b,c,d,e,f,g,h"\n'
        'J2;S01;2024-01-05 09:30;刑事;"1,2,3,4,5,6,7,8,9"\n'
    )
    out, _, _ = read_quiet(jio.read_incidents, write(tmp_path, "s.csv", text))
    assert out["备注"].tolist() == ["a,b,c,d,e,f,g,h", "1,2,3,4,5,6,7,8,9"]


def test_csv_tab_separated_txt(tmp_path):
    text = INC_H.replace(",", "\t") + "\nJ1\tS01\t2024-01-05 08:30\t刑事\n"
    assert jio.read_incidents(write(tmp_path, "t.txt", text))["station_id"].tolist() == ["S01"]


# --------------------------------------------------------------------------
# station: one station written several ways
# --------------------------------------------------------------------------

STATION_SPELLINGS = [
    ("full_width", "Ｓ０１"),
    ("zero_width_space", "S01\u200b"),
    ("trailing_spaces", "S01   "),
    ("no_break_space", "S01\u00a0"),
    ("bom_inside", "\ufeffS01"),
]


@pytest.mark.parametrize("case", STATION_SPELLINGS, ids=[c[0] for c in STATION_SPELLINGS])
def test_station_spellings_merge_with_notice(tmp_path, case):
    _, spelled = case
    text = f"{INC_H}\nJ1,S01,2024-01-05 08:30,刑事\nJ2,{spelled},2024-01-05 09:30,刑事\n"
    out, notes, kinds = read_quiet(jio.read_incidents, write(tmp_path, "s.csv", text))
    assert out["station_id"].tolist() == ["S01", "S01"]
    assert IntakeWarning in kinds
    assert any("'station_id': 1 value(s) written in several ways were merged" in n for n in notes)


def test_station_names_full_width_brackets_merge(tmp_path):
    text = (
        "派出所编号,派出所名称,分局,辖区人口,民警\n"
        "0101,城关派出所（东）,东区分局,52000,31\n0102,城关派出所(东),东区分局,38000,22\n"
    )
    out, notes, _ = read_quiet(jio.read_stations, write(tmp_path, "st.csv", text))
    assert out["station_name"].tolist() == ["城关派出所(东)", "城关派出所(东)"]
    assert any("'station_name'" in n for n in notes)


# --------------------------------------------------------------------------
# totals
# --------------------------------------------------------------------------

DEMAND_ROWS = ["S01,2024-01-05,刑事,3", "S02,2024-01-05,刑事,4"]
TOTALS = [
    ("station_合计", "合计,2024-01-05,刑事,7", [4]),
    ("station_小计", "小计,2024-01-05,刑事,7", [4]),
    ("date_总计", "S01,总计,刑事,3", [4]),
    ("category_全部", "S01,2024-01-05,全部,3", [4]),
    ("station_Total", "Total,2024-01-05,刑事,7", [4]),
    ("station_spaced_合_计", "合 计,2024-01-05,刑事,7", [4]),
]


@pytest.mark.parametrize("case", TOTALS, ids=[c[0] for c in TOTALS])
def test_totals_rows_dropped_with_notice(tmp_path, case):
    _, row, lines = case
    p = write(tmp_path, "d.csv", "\n".join([DEMAND_H, *DEMAND_ROWS, row]) + "\n")
    out, notes, kinds = read_quiet(jio.read_demand, p)
    assert out["count"].tolist() == [3, 4]
    assert IntakeWarning in kinds
    assert any(
        f"dropped 1 totals/subtotal row(s) (合计/小计/总计/全部) on line(s) {lines[0]}" in n for n in notes
    )


@pytest.mark.parametrize("case", TOTALS, ids=[c[0] for c in TOTALS])
def test_totals_rows_error_on_request(tmp_path, case):
    _, row, lines = case
    p = write(tmp_path, "d.csv", "\n".join([DEMAND_H, *DEMAND_ROWS, row]) + "\n")
    with pytest.raises(jw.DataError, match=rf"totals.*\(rows {lines[0]}\)"):
        jio.read_demand(p, totals="error")


def test_only_all_category_is_a_totals_table_and_kept(tmp_path):
    p = write(tmp_path, "d.csv", f"{DEMAND_H}\nS01,2024-01-05,全部,3\nS02,2024-01-05,全部,4\n")
    assert jio.read_demand(p)["category"].tolist() == ["all", "all"]


# --------------------------------------------------------------------------
# timezone
# --------------------------------------------------------------------------

ZONED = [
    ("utc_z", "2024-01-05T00:30:00Z", "2024-01-05 08:30:00"),
    ("utc_offset", "2024-01-05T00:30:00+00:00", "2024-01-05 08:30:00"),
    ("local_offset", "2024-01-05 08:30:00+08:00", "2024-01-05 08:30:00"),
    ("utc_word", "2024-01-05 00:30:00 UTC", "2024-01-05 08:30:00"),
    ("compact_offset", "2024-01-04T19:30:00-0500", "2024-01-05 08:30:00"),
    ("crosses_midnight", "2024-01-04T20:00:00Z", "2024-01-05 04:00:00"),
]


@pytest.mark.parametrize("case", ZONED, ids=[c[0] for c in ZONED])
def test_zoned_timestamps_become_local_time(tmp_path, case):
    _, stamp, local = case
    p = write(tmp_path, "z.csv", f"{INC_H}\nJ1,S01,{stamp},刑事\nJ2,S01,2024-01-05 09:00,刑事\n")
    out, notes, kinds = read_quiet(jio.read_incidents, p)
    assert str(out["reported_at"].iloc[0]) == local
    assert str(out["reported_at"].iloc[1]) == "2024-01-05 09:00:00"
    assert any(
        "1 timestamp(s) with a time zone were converted to local time in Asia/Shanghai" in n for n in notes
    )


def test_zoned_timestamps_other_bureau_zone(tmp_path):
    p = write(tmp_path, "z.csv", f"{INC_H}\nJ1,S01,2024-01-05T00:30:00Z,刑事\n")
    out, _, _ = read_quiet(jio.read_incidents, p, timezone="Asia/Urumqi")
    assert str(out["reported_at"].iloc[0]) == "2024-01-05 06:30:00"


def test_parquet_utc_column_converted(tmp_path):
    df = pd.DataFrame(
        {
            "incident_id": ["J1"],
            "station_id": ["S01"],
            "category": ["criminal"],
            "reported_at": pd.to_datetime(["2024-01-05 00:30"]).tz_localize("UTC"),
        }
    )
    p = tmp_path / "z.parquet"
    df.to_parquet(p)
    out, _, _ = read_quiet(jio.read_incidents, p)
    assert str(out["reported_at"].iloc[0]) == "2024-01-05 08:30:00"


# --------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------

DATES = [
    ("year_2091", "2091-03-01 08:00", {}, "dates after the export date", "rows 3"),
    ("before_1990", "1989-12-31 23:59", {}, "dates before 1990", "rows 3"),
    (
        "after_as_of",
        "2024-02-01 00:00",
        {"as_of": "2024-01-31"},
        "after the export date 2024-01-31",
        "rows 3",
    ),
]


@pytest.mark.parametrize("case", DATES, ids=[c[0] for c in DATES])
def test_impossible_dates_refused(tmp_path, case):
    _, stamp, kwargs, problem, rows = case
    p = write(tmp_path, "d.csv", f"{INC_H}\nJ1,S01,2024-01-05 08:30,刑事\nJ2,S01,{stamp},刑事\n")
    with pytest.raises(jw.DataError) as info:
        jio.read_incidents(p, **kwargs)
    msg = str(info.value)
    assert "'reported_at'" in msg and problem in msg and rows in msg


def test_last_moment_of_as_of_accepted(tmp_path):
    p = write(tmp_path, "d.csv", f"{INC_H}\nJ1,S01,2024-01-31 23:59:59,刑事\n")
    assert len(jio.read_incidents(p, as_of="2024-01-31")) == 1


def test_future_month_in_panel_refused(tmp_path):
    p = write(tmp_path, "p.csv", "派出所,月份,警情数\nS01,2024-01,5\nS01,2091-01,5\n")
    with pytest.raises(jw.DataError, match=r"'month'.*after the export date.*\(rows 3\)"):
        jio.read_panel(p)


# --------------------------------------------------------------------------
# aggregate
# --------------------------------------------------------------------------


def _inc_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "incident_id": ["J1", "J2", "J3"],
            "station_id": ["S01", "S01", "S02"],
            "reported_at": pd.to_datetime(["2024-01-05 08:00", "2024-01-05 09:00", "2024-02-06 10:00"]),
            "category": ["criminal", "traffic", "fraud"],
            "is_case": [True, False, True],
            "cleared": [True, False, False],
            "response_minutes": [5.0, np.nan, 7.0],
        }
    )


AGG_FRAMES = [
    (
        "string_dates",
        lambda d: d.assign(reported_at=["2024-01-05", "x", "y"]),
        "daily_demand",
        ["'reported_at'", "values are not dates"],
    ),
    (
        "unknown_category",
        lambda d: d.assign(category=["criminal", "burglary", "fraud"]),
        "daily_demand",
        ["unknown categories ['burglary']", "(frame rows 1)"],
    ),
    (
        "null_station",
        lambda d: d.assign(station_id=["S01", None, "S02"]),
        "daily_demand",
        ["'station_id'", "missing values", "(frame rows 1)"],
    ),
    (
        "yes_no_strings",
        lambda d: d.assign(is_case=["是", "否", "是"]),
        "monthly_panel",
        ["'is_case'", "not yes/no", "(frame rows 0, 1, 2)"],
    ),
    (
        "text_response",
        lambda d: d.assign(response_minutes=["5", "x", "7"]),
        "monthly_panel",
        ["'response_minutes'", "not numeric"],
    ),
    (
        "year_1900",
        lambda d: d.assign(reported_at=pd.to_datetime(["1900-01-01"] * 3)),
        "daily_demand",
        ["dates out of range", "(frame rows 0, 1, 2)"],
    ),
]


@pytest.mark.parametrize("case", AGG_FRAMES, ids=[c[0] for c in AGG_FRAMES])
def test_aggregate_frames_raise_data_error_not_duckdb(case):
    _, spoil, func, needles = case
    frame = spoil(_inc_frame())
    with pytest.raises(jw.DataError) as info:
        if func == "daily_demand":
            jw.aggregate.daily_demand(frame)
        else:
            jw.aggregate.monthly_panel(incidents=frame)
    for n in needles:
        assert n in str(info.value), (n, str(info.value))


def test_aggregate_csv_path_reports_file_lines(tmp_path):
    text = "M市警情明细\n\n" + INC_H + "\nJ1,S01,2024-01-05 08:30,刑事\nJ2,S01,2024-13-05 08:30,刑事\n"
    p = write(tmp_path, "jq.csv", text)
    for call in (lambda: jw.aggregate.daily_demand(p), lambda: jw.aggregate.monthly_panel(incidents=p)):
        with pytest.raises(jw.DataError) as info:
            call()
        assert str(info.value).startswith(str(p)) and "(rows 5)" in str(info.value)


def test_aggregate_path_drops_totals_and_pii_like_io(tmp_path):
    text = (
        INC_H + ",报警人电话\nJ1,S01,2024-01-05 08:30,刑事,13812345678\n"
        "J2,S01,2024-01-05 09:30,刑事,13900001111\n合计,合计,,,\n"
    )
    p = write(tmp_path, "jq.csv", text)
    d, notes, _ = read_quiet(jw.aggregate.daily_demand, p, fill_zeros=False)
    assert d[["station_id", "count"]].values.tolist() == [["S01", 2]]
    assert any("dropped 1 totals/subtotal row(s)" in n and "line(s) 4" in n for n in notes)


def test_aggregate_path_duplicates_across_chunks(tmp_path):
    text = (
        INC_H + "\nJ1,S01,2024-01-05 08:30,刑事\nJ2,S01,2024-01-05 09:30,刑事\nJ1,S01,2024-01-06 08:30,刑事\n"
    )
    with pytest.raises(jw.DataError, match=r"duplicated keys \(rows 2, 4\)"):
        jw.aggregate.daily_demand(write(tmp_path, "jq.csv", text), chunk_rows=1)


def test_station_ids_with_bureau_prefix_not_silently_zero(tmp_path):
    inc = _inc_frame().assign(station_id=["城关派出所"] * 3)
    with pytest.raises(jw.DataError) as info:
        jw.aggregate.daily_demand(inc, station_ids=["Y市公安局城关派出所", "Y市公安局城西派出所"])
    msg = str(info.value)
    assert "3 of 3 incidents are at stations not in station_ids: '城关派出所' (3)" in msg
    assert "'城关派出所' -> 'Y市公安局城关派出所' (differs by 'Y市公安局')" in msg


def test_monthly_panel_station_table_mismatch_suggests(tmp_path):
    st = pd.DataFrame(
        {"station_id": ["Y市公安局S01", "Y市公安局S02"], "district": ["D", "D"], "officers": [10, 12]}
    )
    with pytest.raises(jw.DataError) as info:
        jw.aggregate.monthly_panel(incidents=_inc_frame(), stations=st)
    msg = str(info.value)
    assert "3 incidents are at 2 station(s) not in the station table: 'S01', 'S02'" in msg
    assert "'S01' -> 'Y市公安局S01'" in msg


def test_date_window_losses_reported():
    with pytest.warns(IntakeWarning, match=r"1 incidents dated outside 2024-01-01 to 2024-01-31"):
        d = jw.aggregate.daily_demand(_inc_frame(), start="2024-01-01", end="2024-01-31")
    assert d["count"].sum() == 2


def test_monthly_panel_path_equals_frame(tmp_path):
    inc = _inc_frame()
    p = tmp_path / "inc.csv"
    inc.to_csv(p, index=False)
    from_file = jw.aggregate.monthly_panel(incidents=p)
    from_frame = jw.aggregate.monthly_panel(incidents=inc)
    pd.testing.assert_frame_equal(from_file, from_frame)
    assert from_frame[["incidents", "cases", "cleared"]].values.tolist() == [[2, 1, 1], [1, 1, 0]]
    assert from_frame["response_minutes"].tolist() == [5.0, 7.0]


# --------------------------------------------------------------------------
# cli
# --------------------------------------------------------------------------


def test_cli_simulate_refuses_non_empty_dir(tmp_path, capsys):
    keep = tmp_path / "my_notes.txt"
    keep.write_text("mine")
    assert jw.cli.main(["simulate", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err and keep.read_text() == "mine"


@pytest.mark.parametrize("target,needle", [("missing.csv", "no such file"), (".", "is a directory")])
def test_cli_validate_bad_paths_one_line(tmp_path, capsys, target, needle):
    code = jw.cli.main(["validate", str(tmp_path / target)])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and err.count("\n") == 1 and "Traceback" not in err


# --------------------------------------------------------------------------
# lines
# --------------------------------------------------------------------------


def test_csv_title_rows_counted_in_line_numbers(tmp_path):
    text = (
        "M市警情统计表\n制表单位：办公室\n\n" + DEMAND_H + "\nS01,2024-01-05,刑事,3\nS01,2024-01-06,刑事,-1\n"
    )
    with pytest.raises(jw.DataError, match=r"'count'.*\(rows 6\)"):
        jio.read_demand(write(tmp_path, "d.csv", text))


def test_line_numbers_after_multiline_cell_and_chunks(tmp_path):
    text = (
        INC_H + ',备注\nJ1,S01,2024-01-05 08:30,刑事,"两行\n文字"\n'
        "J2,S01,2024-01-05 08:30,刑事,无\nJ3,S01,昨天,刑事,无\n"
    )
    with pytest.raises(jw.DataError, match=r"unparseable dates .*\(rows 5\)"):
        jio.read_incidents(write(tmp_path, "l.csv", text), chunk_rows=1)


#: Distinct hostile inputs per class (an input read in two modes counts once).
@pytest.mark.parametrize(
    "middle,bad_line",
    [
        ('J4,S01,2024-01-05 08:30,刑事,"跨\n两行"', 8),  # a value over two lines after plain rows
        ("", 7),  # a blank line after plain rows
        ("J4,S01,2024-01-05 08:30,刑事", 7),  # a short row after plain rows
    ],
)
def test_line_numbers_after_irregular_row_mid_file(tmp_path, middle, bad_line):
    plain = [f"J{i},S01,2024-01-05 08:30,刑事,无" for i in range(4)]
    text = "\n".join([INC_H + ",备注", *plain, middle, "J9,S01,昨天,刑事,无"]) + "\n"
    with pytest.raises(jw.DataError, match=rf"unparseable dates .*\(rows {bad_line}\)"):
        jio.read_incidents(write(tmp_path, "m.csv", text))


BATTERY_CLASSES = {
    "pii": len(PII_IN_TEXT) + len(PERSON_HEADERS) + 2,
    "clean": len(CLEAN_LOOKALIKES),
    "message": len(MESSAGES),
    "salt": 7,
    "formula": 8,
    "excel": 7,
    "csv": 6,
    "station": len(STATION_SPELLINGS) + 1,
    "totals": len(TOTALS) + 1,
    "timezone": len(ZONED) + 2,
    "dates": len(DATES) + 2,
    "aggregate": len(AGG_FRAMES) + 7,
    "cli": 3,
    "lines": 5,
}


def test_battery_has_at_least_80_hostile_inputs():
    assert sum(BATTERY_CLASSES.values()) >= 80
