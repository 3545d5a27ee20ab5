"""Write a synthetic annual report in the uniform 2021 format, as text with ` | ` cells.

The layout is the one real exports use (the seed report's): spanning labels written once, rows
padded to the grid width.  The numbers are given, so a test can plant any inconsistency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nianbao.core.report import APPLICATION_ROWS

_LABELS = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "三、本年度办理结果 | (一)予以公开",
    "partially_granted": "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
    "withheld.state_secret": "(三)不予公开 | 1.属于国家秘密",
    "withheld.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "withheld.security_stability": "3.危及“三安全一稳定”",
    "withheld.third_party": "4.保护第三方合法权益",
    "withheld.internal_affairs": "5.属于三类内部事务信息",
    "withheld.process_info": "6.属于四类过程性信息",
    "withheld.enforcement_files": "7.属于行政执法案卷",
    "withheld.inquiry": "8.属于行政查询事项",
    "unavailable.not_held": "(四)无法提供 | 1.本机关不掌握相关政府信息",
    "unavailable.needs_creation": "2.没有现成信息需要另行制作",
    "unavailable.unclear": "3.补正后申请内容仍不明确",
    "not_processed.complaint": "(五)不予处理 | 1.信访举报投诉类申请",
    "not_processed.duplicate": "2.重复申请",
    "not_processed.publication": "3.要求提供公开出版物",
    "not_processed.excessive": "4.无正当理由大量反复申请",
    "not_processed.reconfirm": "5.要求行政机关确认或重新出具已获取信息",
    "other.no_correction": "(六)其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.other": "3.其他",
    "total": "(七)总计",
    "carried_forward": "四、结转下年度继续办理",
}


@dataclass(frozen=True)
class SampleReport:
    """What a synthetic report says; `applications` maps row keys to 7 numbers (natural person … total)."""

    agency: str
    year: int
    postal_code: str = "741500"
    applications: Mapping[str, list[int]] = field(default_factory=dict)
    review: list[int] = field(default_factory=lambda: [0] * 15)
    normative: tuple[int, int, int] = (0, 0, 0)
    claim: str | None = None  # a sentence for part 一 (e.g. a false "未收到…申请")

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年度政府信息公开工作报告"


def balanced(new: int) -> dict[str, list[int]]:
    """Applications that add up: `new` requests from natural persons, all granted."""
    row = [new, 0, 0, 0, 0, 0, new]
    return {"new": row, "granted": row, "total": row}


def mixed(new: int) -> dict[str, list[int]]:
    """Applications that add up, with some withheld as process information and some not held."""
    assert new >= 4
    granted = new - 3
    return {
        "new": [new - 1, 1, 0, 0, 0, 0, new],
        "granted": [granted - 1, 1, 0, 0, 0, 0, granted],
        "withheld.process_info": [2, 0, 0, 0, 0, 0, 2],
        "unavailable.not_held": [1, 0, 0, 0, 0, 0, 1],
        "total": [new - 1, 1, 0, 0, 0, 0, new],
    }


def report_text(sample: SampleReport) -> str:
    """The whole report as text: intro, six parts, three tables, signature."""
    apps = {key: list(sample.applications.get(key, [0] * 7)) for key in APPLICATION_ROWS}
    new_total = apps["new"][6]
    claim = sample.claim or (
        f"{sample.year}年度,共收到政府信息公开申请{new_total}件。"
        if new_total
        else f"{sample.year}年度,未收到政府信息公开申请。"
    )
    issued, repealed, in_force = sample.normative
    lines = [
        f"根据《中华人民共和国政府信息公开条例》要求,现向社会公布{sample.title}。本报告所列数据统计期限为"
        f"{sample.year}年1月1日起至{sample.year}年12月31日止。如有疑问,请与{sample.agency}联系,邮政编码{sample.postal_code}。",
        "一、总体情况",
        f"{sample.year}年,{sample.agency}认真落实《条例》要求,坚持以公开为常态、不公开为例外,推进决策、执行、管理、服务、结果公开。",
        f"(一)主动公开情况。{claim}",
        "二、主动公开政府信息情况",
        "第二十条第(一)项 | |||",
        "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
        "规章 | 0 | 0 | 0 |",
        f"行政规范性文件 | {issued} | {repealed} | {in_force} |",
        "第二十条第(五)项 | |||",
        "信息内容 | 本年处理决定数量 | ||",
        "行政许可 | 12 | ||",
        "第二十条第(六)项 | |||",
        "信息内容 | 本年处理决定数量 | ||",
        "行政处罚 | 3 | ||",
        "行政强制 | 0 | ||",
        "第二十条第(八)项 | |||",
        "信息内容 | 本年收费金额(单位:万元) | ||",
        "行政事业性收费 | 0 |",
        "三、收到和处理政府信息公开申请情况",
        "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 | ||||||||",
        "自然人 | 法人或其他组织 | 总计 | |||||||",
        "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |||||",
    ]
    for key in APPLICATION_ROWS:
        lines.append(f"{_LABELS[key]} | {' | '.join(map(str, apps[key]))} |")
    lines += [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议 | 行政诉讼 | |||||||||||||",
        "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 | ||||||||",
        "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | |||||",
        " | ".join(map(str, sample.review)) + " |",
        "五、存在的主要问题及改进情况",
        "一是公开内容还不够全面;二是政策解读形式较为单一。下一步将加强培训,完善制度,提升公开质量。",
        "六、其他需要报告的事项",
        f"本年度未收取信息处理费。如有疑问,请与{sample.agency}联系(邮政编码:{sample.postal_code})。",
        sample.agency,
        f"{sample.year + 1}年1月15日",
    ]
    return "\n".join(lines) + "\n"
