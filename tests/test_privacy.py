"""Tests for jingwu.privacy: PII detection, removal, hashing, small-cell suppression.

All personal data here is synthetic: names are common given/surname pairs,
ID numbers are generated with a valid check character, phone numbers use
made-up subscriber digits.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest

import jingwu as jw
from jingwu import privacy
from jingwu.privacy import PrivacyWarning, remove_pii, scan_pii, suppress_small_cells


def make_id(prefix17: str) -> str:
    """A synthetic 18-char resident ID with a valid check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(prefix17, weights))
    return prefix17 + "10X98765432"[total % 11]


IDS = [
    make_id(p)
    for p in (
        "11010519900307123",
        "32010619851122456",
        "44030420010101789",
        "51010719770615001",
        "33010219950909002",
        "11010819880202003",
    )
]
PHONES = ["13812345678", "15900001111", "18622223333", "17744445555", "13500006666", "19988887777"]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "欧阳明"]
ADDRESSES = [
    "江苏省南京市鼓楼区中山路12号",
    "浙江省杭州市西湖区文三路88号3单元502室",
    "广东省深圳市南山区科技园路1号",
    "四川省成都市武侯区人民南路四段9号",
    "北京市海淀区学院路30号",
    "山东省济南市历下区泉城路6号2栋",
]
N = 6
SALT = "a-secret-salt-of-32-characters!!"


def base_frame(**extra: list) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "station_id": [f"S{i:02d}" for i in range(N)],
            "station_name": [
                "城东派出所",
                "城西派出所",
                "鼓楼区中山路派出所",
                "高新区派出所",
                "江北派出所",
                "张家港派出所",
            ],
            "district": ["鼓楼区", "高新区", "江北新区", "玄武区", "秦淮区", "建邺区"],
            "category": ["criminal", "fraud", "traffic", "dispute", "assistance", "other"],
            "count": [3, 0, 12, 4, 1, 7],
        }
    )
    for k, v in extra.items():
        df[k] = v
    return df


# --------------------------------------------------------------------------
# detection by header
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "姓名",
        "报警人",
        "报警人姓名",
        "联系人",
        "身份证",
        "身份证号",
        "证件号码",
        "手机",
        "手机号",
        "电话",
        "联系电话",
        "地址",
        "住址",
        "家庭住址",
        "现住址",
        "name",
        "Name",
        "phone",
        "Phone Number",
        "id_number",
        "ID Number",
        "address",
        "Home Address",
        "caller",
        "E-mail",
        "当事人",
        "车牌号",
    ],
)
def test_detected_by_header(header):
    df = base_frame(**{header: ["x"] * N})
    found = scan_pii(df)
    assert list(found["column"]) == [header]
    assert found["detected_by"].iloc[0] == "header"
    assert found["count"].iloc[0] == N


@pytest.mark.parametrize(
    "header", ["备注", "说明", "notes", "district_name", "处置结果", "报警时间", "接警单位", "unit_name"]
)
def test_innocuous_headers_not_flagged_when_content_is_clean(header):
    df = base_frame(**{header: ["已处理", "无", "调解结束", "移交刑侦", "已处理", "无"]})
    assert scan_pii(df).empty


# --------------------------------------------------------------------------
# detection by content under innocuous headers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values,reason",
    [
        (PHONES, "mobile"),
        ([f"回电{p},已处理" for p in PHONES[:2]] + ["无"] * 4, "mobile"),
        (IDS, "resident ID"),
        ([f"当事人证件{i}" for i in IDS[:1]] + ["无"] * 5, "resident ID"),
        (["010-62345678", "0571-88886666", "无", "(025)84561234", "无", "无"], "landline"),
        (ADDRESSES, "addresses"),
        (NAMES, "personal names"),
    ],
)
def test_detected_by_content(values, reason):
    df = base_frame(备注=values)
    found = scan_pii(df)
    assert set(found["column"]) == {"备注"}
    assert (found["detected_by"] == "content").all()
    assert found["reason"].str.contains(reason).any()


def test_phone_numbers_stored_as_integers():
    df = base_frame(x=[int(p) for p in PHONES])
    found = scan_pii(df)
    assert found["column"].tolist() == ["x"]
    assert found["count"].iloc[0] == N


def test_phone_numbers_stored_as_floats_with_gaps():
    df = base_frame(x=[float(p) for p in PHONES[:5]] + [np.nan])
    assert scan_pii(df)["column"].tolist() == ["x"]


def test_repeated_shift_words_are_not_names():
    df = base_frame(
        班次=["白班", "夜班", "白班", "白班", "夜班", "白班"],
        街道=["中山路街道", "湖南路街道", "中山路街道", "宁海路街道", "华侨路街道", "江东社区"],
    )
    assert scan_pii(df).empty


def test_content_count_is_number_of_matching_values():
    df = base_frame(备注=[PHONES[0], "无", PHONES[1], "", None, "已处理"])
    found = scan_pii(df)
    assert found.loc[found["reason"].str.contains("mobile"), "count"].iloc[0] == 2


def test_invalid_checksum_ids_not_flagged():
    bad = [i[:17] + ("0" if i[17] != "0" else "1") for i in IDS]
    assert not any(privacy.is_valid_resident_id(b) for b in bad)
    assert scan_pii(base_frame(code=bad)).empty


def test_resident_id_checker():
    assert all(privacy.is_valid_resident_id(i) for i in IDS)
    assert privacy.is_valid_resident_id(IDS[0].lower())
    assert not privacy.is_valid_resident_id("123")
    assert not privacy.is_valid_resident_id(make_id("11010518001307123"))  # born in 1800


# --------------------------------------------------------------------------
# no false positives
# --------------------------------------------------------------------------


def test_no_false_positives_on_canonical_columns():
    df = base_frame()
    df["station_id"] = PHONES  # even phone-like IDs in a canonical column are left alone
    df["incident_id"] = IDS
    df["station_name"] = NAMES
    assert scan_pii(df).empty


def test_no_false_positives_on_station_and_place_names():
    df = base_frame(
        所属单位=[
            "城东派出所",
            "城西派出所",
            "鼓楼区中山路派出所",
            "高新区派出所",
            "江北派出所",
            "张家港派出所",
        ],
        辖区=["鼓楼区", "高新区", "江北新区", "玄武区", "秦淮区", "建邺区"],
        类别=["刑事", "治安", "交通", "纠纷", "求助", "电诈"],
        处置=["已处理", "调解", "移交", "已处理", "调解", "不予受理"],
    )
    assert scan_pii(df).empty


def test_no_false_positives_on_numbers_dates_and_codes():
    df = base_frame(
        population=[120000, 98000, 15000, 30000, 45000, 60000],
        rate=np.linspace(0.1, 0.6, N),
        when=pd.date_range("2024-01-01", periods=N),
        code=[f"J2024010500{i:03d}" for i in range(N)],
        ts=[1704067200000 + i for i in range(N)],  # 13-digit millisecond stamps
        flag=[True, False] * 3,
    )
    assert scan_pii(df).empty


def test_exclude_overrides_default():
    df = base_frame()
    df["station_name"] = NAMES
    assert scan_pii(df, exclude=[])["column"].tolist() == ["station_name"]


# --------------------------------------------------------------------------
# removal: drop and hash
# --------------------------------------------------------------------------


def pii_frame() -> pd.DataFrame:
    return base_frame(姓名=NAMES, 身份证号=IDS, 备注=PHONES, 住处=ADDRESSES)


def test_drop_mode_and_notice():
    df = pii_frame()
    before = df.copy()
    with pytest.warns(PrivacyWarning, match="personal data dropped"):
        clean, notice = remove_pii(df, source="export.csv")
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert list(clean.columns) == ["station_id", "station_name", "district", "category", "count"]
    assert notice.columns == ["姓名", "身份证号", "备注", "住处"]
    assert bool(notice)
    text = str(notice)
    assert text.startswith("export.csv: personal data dropped in 4 column(s)")
    for piece in (
        "'姓名' (header suggests personal name",
        "'身份证号' (header suggests resident ID number",
        "'备注' (values contain mobile phone numbers",
        "'住处' (values contain street addresses",
    ):
        assert piece in text
    for secret in NAMES + IDS + PHONES:
        assert secret not in text and secret not in notice.findings.to_string()


def test_hash_mode_is_salted_deterministic_sha256():
    df = pii_frame()
    with pytest.warns(PrivacyWarning, match="salted SHA-256"):
        h1, notice = remove_pii(df, mode="hash", salt=SALT)
    with pytest.warns(PrivacyWarning):
        h2, _ = remove_pii(df, mode="hash", salt=SALT)
    with pytest.warns(PrivacyWarning):
        h3, _ = remove_pii(df, mode="hash", salt=SALT[::-1])
    pd.testing.assert_frame_equal(h1, h2)
    assert list(h1.columns) == list(df.columns)
    expected = hashlib.sha256(SALT.encode() + b"\x1f" + PHONES[0].encode()).hexdigest()
    assert h1["备注"].iloc[0] == expected
    assert (h1["姓名"] != h3["姓名"]).all()
    assert h1["姓名"].str.fullmatch(r"[0-9a-f]{64}").all()
    pd.testing.assert_frame_equal(h1[["station_id", "count"]], df[["station_id", "count"]])
    assert notice.mode == "hash"


def test_hash_keeps_missing_and_equal_values_equal():
    df = base_frame(电话=[PHONES[0], PHONES[0], None, "", PHONES[1], np.nan])
    with pytest.warns(PrivacyWarning):
        h, _ = remove_pii(df, mode="hash", salt=b"bytes-salt-of-16-bytes")
    col = h["电话"]
    assert col.iloc[0] == col.iloc[1] != col.iloc[4]
    assert col.iloc[2] is None and col.iloc[5] is None and col.iloc[3] == ""


def test_nothing_found_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clean, notice = remove_pii(base_frame(), source="x.csv")
    assert not notice and notice.columns == []
    assert str(notice) == "x.csv: no personal data found"
    pd.testing.assert_frame_equal(clean, base_frame())


def test_notice_is_logged(caplog):
    with caplog.at_level("INFO", logger="jingwu.privacy"), pytest.warns(PrivacyWarning):
        remove_pii(pii_frame())
    assert "personal data dropped" in caplog.text


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"mode": "hash"}, "salt"),
        ({"mode": "hash", "salt": ""}, "salt"),
        ({"mode": "scramble"}, "mode"),
        ({"mode": "hash", "salt": "   "}, "whitespace"),
        ({"mode": "hash", "salt": "pepper"}, "too weak: 6 bytes"),
        ({"mode": "hash", "salt": " " * 20 + "short"}, "too weak: 5 bytes"),
    ],
)
def test_remove_pii_argument_checks(kwargs, match):
    with pytest.raises(ValueError, match=match):
        remove_pii(pii_frame(), **kwargs)


def test_scan_needs_dataframe():
    with pytest.raises(TypeError):
        scan_pii([1, 2])  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# small-cell suppression
# --------------------------------------------------------------------------


def test_suppress_small_cells_default():
    t = pd.DataFrame(
        {
            "station": ["A", "B", "C", "D"],
            "cases": [0, 1, 4, 5],
            "cleared": [0.0, 2.0, 5.0, np.nan],
            "rate": [0.1, 0.2, 0.3, 0.4],
        }
    )
    before = t.copy()
    out = suppress_small_cells(t)
    pd.testing.assert_frame_equal(t, before)
    assert out["cases"].tolist() == [0, "<5", "<5", 5]
    assert out["cleared"].iloc[:3].tolist() == [0.0, "<5", 5.0] and pd.isna(out["cleared"].iloc[3])
    assert out["rate"].tolist() == [0.1, 0.2, 0.3, 0.4]  # not a count column
    assert out["station"].tolist() == ["A", "B", "C", "D"]


def test_suppress_small_cells_options():
    t = pd.DataFrame({"a": [0, 2, 10], "b": [1, 2, 3]})
    out = suppress_small_cells(t, min_count=3, columns=["a"], marker="*", keep_zero=False)
    assert out["a"].tolist() == ["*", "*", 10]
    assert out["b"].tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    "kwargs", [{"min_count": 0}, {"min_count": 2.5}, {"min_count": True}, {"columns": ["nope"]}]
)
def test_suppress_small_cells_argument_checks(kwargs):
    with pytest.raises(ValueError):
        suppress_small_cells(pd.DataFrame({"a": [1]}), **kwargs)


def test_privacy_module_reachable_from_package():
    assert jw.privacy.scan_pii is scan_pii
