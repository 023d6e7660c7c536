"""Remove what was found: drop or hash columns, mask values, and the notice that says so."""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .detection import mask_text, scan_pii
from .patterns import _MIN_SALT_BYTES, MASK_TOKENS, PrivacyWarning

#: the package's logger: notices are logged as ``jingwu.privacy``
logger = logging.getLogger("jingwu.privacy")

_VERBS = {"drop": "dropped", "hash": "replaced with salted SHA-256 hashes", "mask": "masked"}


@dataclass
class PiiNotice:
    """What :func:`remove_pii` removed and why.

    ``str(notice)`` gives a readable paragraph; ``findings`` is the frame from
    :func:`scan_pii`.  With ``mode="mask"``, ``masked`` lists the free-text
    columns kept with their personal parts replaced by tokens and ``columns``
    the columns dropped (their header names personal data).

    Examples
    --------
    >>> import pandas as pd
    >>> _, notice = remove_pii(pd.DataFrame({"a": [1]}))
    >>> notice.columns, str(notice)
    ([], 'no personal data found')
    """

    mode: str
    findings: pd.DataFrame
    source: str | None = None
    columns: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.columns) or bool(self.masked)

    def _describe(self, cols: list[str]) -> str:
        parts = []
        for col in cols:
            reasons = self.findings.loc[self.findings["column"] == col, "reason"]
            parts.append(f"'{col}' ({'; '.join(dict.fromkeys(reasons))})")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        if not self:
            return f"{where}no personal data found"
        pieces = []
        if self.columns:
            verb = "dropped" if self.mode in ("drop", "mask") else _VERBS[self.mode]
            pieces.append(
                f"personal data {verb} in {len(self.columns)} column(s): " + self._describe(self.columns)
            )
        if self.masked:
            pieces.append(
                f"personal parts masked ({', '.join(MASK_TOKENS.values())}) in "
                f"{len(self.masked)} free-text column(s): " + self._describe(self.masked)
            )
        return where + "; ".join(pieces)


def check_salt(salt: object) -> bytes:
    """The salt as bytes, or ValueError if it is too weak to protect hashed values.

    A short salt can be brute-forced together with the small space of phone
    and ID numbers, so at least 16 bytes (not counting surrounding spaces)
    are required.

    Examples
    --------
    >>> len(check_salt("a-long-secret-salt-value"))
    24
    >>> check_salt("pepper")
    Traceback (most recent call last):
    ...
    ValueError: the salt is too weak: 6 bytes; use a secret of at least 16 bytes (e.g. secrets.token_hex(16)), kept out of the repository
    """
    if salt is None:
        raise ValueError(
            "hashing needs a salt: a secret of at least 16 bytes "
            "(e.g. secrets.token_hex(16)), kept out of the repository"
        )
    if not isinstance(salt, (str, bytes, bytearray)):
        raise ValueError(f"salt must be text or bytes, not {type(salt).__name__}")
    key = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    core = key.strip()
    if not core:
        raise ValueError(
            "the salt is empty or only whitespace; use a secret of at least 16 bytes "
            "(e.g. secrets.token_hex(16)), kept out of the repository"
        )
    if len(core) < _MIN_SALT_BYTES:
        raise ValueError(
            f"the salt is too weak: {len(core)} bytes; use a secret of at least "
            f"{_MIN_SALT_BYTES} bytes (e.g. secrets.token_hex(16)), kept out of the repository"
        )
    return key


def hash_values(values: pd.Series, salt: str | bytes) -> pd.Series:
    """Salted SHA-256 hex digests of a Series' values; missing stays missing.

    The same value and salt always give the same digest, so hashed columns can
    still be joined and counted, but not read.  Weak salts (empty, whitespace,
    under 16 bytes) are refused (:func:`check_salt`).

    Examples
    --------
    >>> import pandas as pd
    >>> h = hash_values(pd.Series(["13812345678", None]), salt="a-long-secret-salt")
    >>> len(h[0]), h[1] is None
    (64, True)
    """
    key = check_salt(salt)

    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, str) and not v.strip():
            return v  # blank stays blank
        return hashlib.sha256(key + b"\x1f" + str(v).encode("utf-8")).hexdigest()

    return pd.Series([one(v) for v in values], index=values.index, dtype=object, name=values.name)


def remove_pii(
    df: pd.DataFrame,
    mode: str = "drop",
    salt: str | bytes | None = None,
    source: str | Path | None = None,
    *,
    exclude: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, PiiNotice]:
    """Drop, hash or mask the personal data :func:`scan_pii` finds.

    Parameters
    ----------
    df : DataFrame
        The input; it is not modified.
    mode : {"drop", "hash", "mask"}
        ``"drop"`` removes flagged columns; ``"hash"`` replaces each of their
        values with a salted SHA-256 hex digest (deterministic for a salt);
        ``"mask"`` keeps free-text columns flagged only by their content, with
        the personal parts replaced by tokens (``[身份证号]``, ``[手机号]``,
        ``[电话]``, ``[地址]``, ``[姓名]``), and drops columns whose header
        names personal data (their every value is personal).
    salt : str or bytes, optional
        Required for ``mode="hash"``: a secret of at least 16 bytes.
    source : str or Path, optional
        File name used in the notice.
    exclude : iterable of str, optional
        Columns never flagged (default: the canonical schema columns).

    Returns
    -------
    (DataFrame, PiiNotice)
        The cleaned copy and a notice of what was removed and why.  When
        anything is removed a :class:`PrivacyWarning` is also issued and the
        notice is logged on the ``jingwu.privacy`` logger.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> df = pd.DataFrame({"station_id": ["S01"], "联系电话": ["13812345678"]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     clean, notice = remove_pii(df, source="calls.csv")
    >>> list(clean.columns)
    ['station_id']
    >>> print(notice)
    calls.csv: personal data dropped in 1 column(s): '联系电话' (header suggests phone number; values contain mobile phone numbers)
    """
    if mode not in ("drop", "hash", "mask"):
        raise ValueError(f"mode must be 'drop', 'hash' or 'mask', not {mode!r}")
    if mode == "hash":
        check_salt(salt)
    findings = scan_pii(df, exclude=exclude)
    clean = apply_findings(df, findings, mode=mode, salt=salt)
    notice = make_notice([findings], mode=mode, source=source)
    if notice:
        logger.info("%s", notice)
        warnings.warn(str(notice), PrivacyWarning, stacklevel=2)
    return clean, notice


def _flagged(findings: pd.DataFrame) -> dict[str, bool]:
    """Flagged column -> whether its header names personal data."""
    out: dict[str, bool] = {}
    for col, by in zip(findings["column"], findings["detected_by"]):
        out[col] = out.get(col, False) or by == "header"
    return out


def apply_findings(
    df: pd.DataFrame, findings: pd.DataFrame, *, mode: str, salt: str | bytes | None = None
) -> pd.DataFrame:
    """Drop, mask or hash the columns named in ``findings`` (from :func:`scan_pii`).

    Used by :func:`remove_pii`, and by readers that scan a long file chunk by
    chunk and apply what any chunk found to every chunk.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"station_id": ["S01"], "备注": ["回电13812345678"]})
    >>> apply_findings(df, scan_pii(df), mode="mask")["备注"].tolist()
    ['回电[手机号]']
    """
    flagged = {c: h for c, h in _flagged(findings).items() if c in df.columns}
    if not flagged:
        return df.copy()
    if mode == "hash":
        clean = df.copy()
        for col in flagged:
            clean[col] = hash_values(df[col], salt)  # type: ignore[arg-type]
        return clean
    drop = [c for c, h in flagged.items() if mode == "drop" or h]
    clean = df.drop(columns=drop)
    for col in flagged:
        if col not in drop:
            clean[col] = mask_text(df[col])
    return clean


def make_notice(
    findings: Sequence[pd.DataFrame], *, mode: str, source: str | Path | None = None
) -> PiiNotice:
    """One :class:`PiiNotice` from the findings of several chunks of one file (counts summed).

    Examples
    --------
    >>> import pandas as pd
    >>> f = scan_pii(pd.DataFrame({"电话": ["13812345678"]}))
    >>> print(make_notice([f, f], mode="drop", source="a.csv"))
    a.csv: personal data dropped in 1 column(s): '电话' (header suggests phone number; values contain mobile phone numbers)
    """
    frames = [f for f in findings if len(f)]
    if frames:
        allf = pd.concat(frames, ignore_index=True)
        allf = allf.groupby(["column", "detected_by", "reason"], sort=False, as_index=False)["count"].sum()
    else:
        allf = pd.DataFrame(columns=["column", "detected_by", "reason", "count"]).astype({"count": "int64"})
    flagged = _flagged(allf)
    if mode == "mask":
        columns = [c for c, h in flagged.items() if h]
        masked = [c for c, h in flagged.items() if not h]
    else:
        columns, masked = list(flagged), []
    return PiiNotice(
        mode=mode,
        findings=allf,
        source=None if source is None else str(source),
        columns=columns,
        masked=masked,
    )
