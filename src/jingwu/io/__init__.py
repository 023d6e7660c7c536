"""Read users' own exports into the canonical tables.

Police platforms export CSV (UTF-8, UTF-8 with BOM, or GBK/GB18030), Excel
workbooks with a merged title row such as ``2024年1月警情统计表`` above the real
header, or Parquet.  The readers here

1. decode the file (trying strict UTF-8, then GB18030) or open the workbook,
   reading every cell as text or as the cell's own value -- never guessing
   types, so ``0012`` stays ``"0012"``;
2. find the header row (the first row whose cells map to known columns), so
   title and blank rows above it are skipped;
3. map Chinese or English headers to canonical names with :data:`HEADER_MAP`
   (overridable with ``header_map=``) and category names with
   :data:`CATEGORY_MAP` (``category_map=``);
4. drop or hash personal data in the remaining columns (:mod:`jingwu.privacy`);
5. convert each column with explicit checks -- a count of ``12.5`` or ``abc``
   or a date of ``2024-13-45`` is an error naming the rows, never a silent
   ``NaN``; and
6. run the schema validator (:mod:`jingwu.schema`), so every error names the
   file, the column and the *file line numbers* of the bad rows (the header is
   line 1 of a plain export and title rows shift it down; Excel rows are the
   sheet's row numbers; Parquet rows are numbered as if the header were line 1).

Input files are opened read-only and never modified.

The package, by concern: ``headers`` (header and category maps), ``encoding``
(UTF-8/GB18030 detection, delimiter, format sniffing), ``rawfiles`` (CSV,
Excel and Parquet as streams of cells with file line numbers), ``convert``
(column converters and their checks), ``_intake`` (open, map, convert chunk
by chunk) and ``readers`` (the public readers below).  Writing is
:mod:`jingwu.paths`' (atomic writes) and :mod:`jingwu.report`'s.

Examples
--------
>>> import tempfile, pathlib
>>> from jingwu import io as jio
>>> tmp = tempfile.TemporaryDirectory()  # removed when garbage-collected
>>> d = pathlib.Path(tmp.name)
>>> _ = (d / "demand.csv").write_text(
...     "派出所,日期,警情类别,数量\\n0012,2024/01/05,刑事,3\\n0012,2024/01/05,求助,7\\n",
...     encoding="gbk")
>>> jio.read_demand(d / "demand.csv")
  station_id       date    category  count
0       0012 2024-01-05    criminal      3
1       0012 2024-01-05  assistance      7
"""

from __future__ import annotations

from .convert import NOT_ADOPTED  # noqa: F401  (was jingwu.io.NOT_ADOPTED)
from .headers import CATEGORY_MAP, HEADER_MAP
from .readers import (
    describe_mapping,
    iter_table,
    read_demand,
    read_incidents,
    read_outcomes,
    read_panel,
    read_stations,
    read_table,
)

__all__ = [
    "HEADER_MAP",
    "CATEGORY_MAP",
    "read_incidents",
    "read_stations",
    "read_panel",
    "read_outcomes",
    "read_demand",
    "read_table",
    "iter_table",
    "describe_mapping",
]
