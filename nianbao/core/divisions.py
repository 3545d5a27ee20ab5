"""Administrative divisions as agencies' names carry them: who publishes, at which level, and whether
it is the portal's own government, one above it or one beside it.

A report's title names its publisher as the people who wrote it do: 某某县财政局, 某某县马关镇人民政府,
or a bare region name, 内蒙古自治区 or 鄂尔多斯市, which the law's word for the publisher is that
region's 人民政府 (条例 Art. 36 and 49 oblige "各级人民政府" and their departments).  A name is read
as a chain of regions, each ending in the word of its level —

- 1, province: 省, 自治区, 特别行政区, and the four 直辖市;
- 2, prefecture: 市, 州, 盟, 地区, 自治州;
- 3, county: 县, 区, 旗, 自治县, 自治旗, and the zones run like one (开发区, 示范区, 新区 …);
- 4, township: 乡, 镇, 街道, 苏木;

— then the organ (人民政府, 财政局, 办事处).  A level never rises along the chain: 某某州某某市 is a
county-level city.  The reading is cautious: 住房和城乡建设局 is an organ, not a region 住房和城乡, and
a name nothing in it marks as a region has none (it is the portal's own, by default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PROVINCE, PREFECTURE, COUNTY, TOWNSHIP = 1, 2, 3, 4
RANK_NAMES = {0: "national", PROVINCE: "province", PREFECTURE: "prefecture", COUNTY: "county", TOWNSHIP: "township"}

# the words that end a region's name, longest first, with the level they give
_ENDS: tuple[tuple[str, int], ...] = (
    ("特别行政区", PROVINCE),
    ("自治区", PROVINCE),
    ("自治州", PREFECTURE),
    ("自治县", COUNTY),
    ("自治旗", COUNTY),
    ("民族乡", TOWNSHIP),
    ("开发区", COUNTY),
    ("示范区", COUNTY),
    ("高新区", COUNTY),
    ("新区", COUNTY),
    ("林区", COUNTY),
    ("特区", COUNTY),
    ("地区", PREFECTURE),
    ("街道", TOWNSHIP),
    ("苏木", TOWNSHIP),
    ("省", PROVINCE),
    ("市", PREFECTURE),
    ("州", PREFECTURE),
    ("盟", PREFECTURE),
    ("县", COUNTY),
    ("区", COUNTY),
    ("旗", COUNTY),
    ("乡", TOWNSHIP),
    ("镇", TOWNSHIP),
)
_ONE_CHAR_ENDS = "省市州盟县区旗乡镇"
_MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
# characters no region's name holds: they belong to an organ (住房和城乡建设局 is no region 住房和城乡)
_ORGAN_CHARS = re.compile(r"[和与及局委办厅部院所会府署站队处室政党组团联协监法检公司]|中心")
# two-character words that end like a region and are none
_NOT_REGIONS = frozenset(
    {"城乡", "城市", "乡镇", "镇街", "市县", "县区", "区县", "市区", "城区", "景区", "辖区", "社区", "乡村", "山区"}
    | {"园区"}
)
_NATIONAL = re.compile(r"^(?:国务院|国家|中华人民共和国|中央)")
GOVERNMENT_ORGANS = ("人民政府", "管理委员会", "管委会", "政府", "办事处")


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    rank: int


@dataclass(frozen=True, slots=True)
class Name:
    """A publisher's name read as regions (outermost first) and the organ after them."""

    written: str
    regions: tuple[Region, ...]
    organ: str

    @property
    def rank(self) -> int | None:
        """The level of the innermost region (0 for a national organ); None when no region is named."""
        if _NATIONAL.match(self.written):
            return 0
        return self.regions[-1].rank if self.regions else None

    @property
    def is_government(self) -> bool:
        """A region's government itself: its 人民政府 (or a zone's 管委会, a street's 办事处), or the
        bare region name that stands for it."""
        return bool(self.regions) and (not self.organ or self.organ in GOVERNMENT_ORGANS)

    @property
    def lawful(self) -> str:
        """The name as the law names the publisher: a bare region is its 人民政府 (a street's 办事处),
        and 县政府 is 县人民政府."""
        if not self.regions or (self.organ and self.organ != "政府"):
            return self.written
        base = "".join(r.name for r in self.regions)
        if self.regions[-1].name.endswith("街道"):
            return base + "办事处"
        return base + "人民政府"

    @property
    def level(self) -> Literal["government", "department", "township"]:
        """nianbao's level: a government of a township or street → township; of any other region →
        government; an organ of a township → township; any other organ → department."""
        if self.regions and self.regions[-1].rank == TOWNSHIP:
            return "township"
        if self.is_government:
            return "government"
        if re.search(r"(?:乡|镇|街道)(?:人民政府|办事处)?$", self.written):
            return "township"
        return "government" if self.written.endswith(("人民政府", "管委会", "管理委员会")) else "department"


def read_name(written: str) -> Name:
    """`written` as regions and organ (see the module's docstring)."""
    text = re.sub(r"\s+", "", written)
    regions: list[Region] = []
    at = 0
    while at < len(text):
        found = _region_at(text, at)
        if found is None:
            break
        name, end = found
        rank = _rank(name)
        if regions and rank <= regions[-1].rank:
            rank = min(regions[-1].rank + 1, TOWNSHIP)  # 某某州某某市: a county-level city
        regions.append(Region(name, rank))
        at = end
    return Name(written, tuple(regions), text[at:])


def _region_at(text: str, start: int) -> tuple[str, int] | None:
    """The region whose name starts at `start`: the shortest name of two or more characters ending in
    a level's word, extended over a second level character (郑州 + 市), or None."""
    for end in range(start + 2, min(len(text), start + 12) + 1):
        candidate = text[start:end]
        if not any(candidate.endswith(word) for word, _ in _ENDS):
            continue
        if candidate[-1] in _ONE_CHAR_ENDS and end < len(text) and text[end] in _ONE_CHAR_ENDS:
            if text[end : end + 2] not in _NOT_REGIONS | {"市场", "区域", "县城", "镇区"}:
                end += 1  # 郑州 + 市, 贵州 + 省, 红旗 + 乡: the first level word is the place's own name
                candidate = text[start:end]
        if _ORGAN_CHARS.search(candidate) or candidate in _NOT_REGIONS or candidate.startswith(("国家", "中央")):
            return None
        return candidate, end
    return None


def _rank(name: str) -> int:
    if name in _MUNICIPALITIES:
        return PROVINCE
    for word, rank in _ENDS:
        if name.endswith(word):
            return rank
    return COUNTY


Relation = Literal["own", "above", "beside"]


def relation(agency: Name, own: Name | None) -> Relation:
    """Whether `agency` is the portal's own government or under it ("own"), a government above it or
    one of its organs ("above"), or another region's ("beside").  A name that names no region, or a
    portal whose own region is unknown, is "own": nothing says otherwise."""
    if agency.rank == 0:
        return "above"
    if own is None or not own.regions or not agency.regions:
        return "own"
    own_names = [r.name for r in own.regions]
    names = [r.name for r in agency.regions]
    if any(_same(own_names[-1], name) for name in names):
        return "own"
    innermost, own_rank = agency.regions[-1], own.regions[-1].rank
    if any(_same(innermost.name, name) for name in own_names):
        return "above"  # one of the portal's own parents
    if innermost.rank < own_rank:
        return "above"
    if innermost.rank == own_rank:
        return "beside"
    for region in agency.regions:
        if region.rank <= own_rank and not any(_same(region.name, name) for name in own_names):
            return "beside"  # under another region of the portal's level or above it
    return "own"


def _same(a: str, b: str) -> bool:
    """Two writings of one region: equal, or one the other's tail when a site's name carries words
    before it (中国丁县, 欢迎访问丁县: read as one region, they still end in the county's name)."""
    return a == b or (min(len(a), len(b)) >= 2 and (a.endswith(b) or b.endswith(a)))


# what a site's name may say before the region: a greeting, the country
_GREETING = re.compile(r"^(?:欢迎(?:您)?(?:访问|来到|光临|登录|进入)?|中国)")
_SITE_WORDS = re.compile(r"(?:人民政府|政府)?(?:门户网站|门户网|网站|信息公开(?:平台|网)?|政务公开|政务网|政府网)$")


def own_government(site_name: str) -> Name | None:
    """The portal's own government from its site's name (某某县人民政府, 某某县政府门户网站, 恩格贝生态示范区
    管理委员会): the region it names, or None when it names none."""
    cleaned = _GREETING.sub("", _SITE_WORDS.sub("", re.sub(r"[\s·•・|｜_—–-]", "", site_name)))
    name = read_name(cleaned)
    if not name.regions:
        return None
    return read_name("".join(r.name for r in name.regions) + "人民政府")
