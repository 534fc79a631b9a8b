"""xlsx exports (Chinese headers): the office's needs, survey results and the demand ranking.

Written through the one export writer ``dajia.core.xlsx``: an answer or a need that starts with "=" stays text.
"""

from __future__ import annotations

from django.utils import translation

from dajia.core.xlsx import PERCENT, SCORE, Book, Column, moment_text
from dajia.menu.models import Category
from dajia.needs import selectors
from dajia.needs.models import Question, Survey


def _answer_text(question: Question, value, names: dict[str, str]) -> str:
    if value is None:
        return ""
    if question.kind == Question.Kind.SINGLE:
        return (
            question.options[value]
            if isinstance(value, int) and value < len(question.options)
            else str(value)
        )
    if question.kind == Question.Kind.MULTIPLE:
        return "、".join(
            question.options[i] for i in value if isinstance(i, int) and i < len(question.options)
        )
    if question.kind == Question.Kind.RANKING:
        return " > ".join(names.get(code, code) for code in value)
    return str(value)


def ranking_xlsx(rows: list[selectors.DemandRow], scope: str) -> bytes:
    """The demand ranking as shown on the page, with its rule."""
    with translation.override("zh-hans"):
        book = Book()
        sheet = book.sheet(
            "需求热度",
            [
                Column("排名", 8),
                Column("服务类别", 16),
                Column("需求条数", 10),
                Column("附议人数", 10),
                Column("问卷得分", 10, SCORE),
                Column("需求热度", 10, SCORE),
            ],
        )
        for r in rows:
            sheet.row(
                [
                    r.rank,
                    r.category.name_zh,
                    r.needs,
                    r.supports,
                    round(float(r.survey), 2),
                    round(float(r.score), 2),
                ]
            )
        sheet.row()
        sheet.row([f"范围：{scope}"])
        sheet.row(
            [
                "规则：需求热度 = 需求条数 + 附议人数 + 问卷得分；问卷排序题中排第 i 位（共 k 位）得 (k − i + 1) / k 分。"
            ]
        )
        return book.bytes()


NEEDS = [
    Column("编号", 8),
    Column("需求内容", 50),
    Column("服务类别", 14),
    Column("类别确定方式", 14),
    Column("来自", 30),
    Column("提出人", 12),
    Column("对外匿名", 10),
    Column("附议人数", 10),
    Column("状态", 10),
    Column("来源", 12),
    Column("提出时间", 18),
]


def needs_xlsx(needs) -> bytes:
    """The office's list of needs (who raised them included: the office's own export)."""
    with translation.override("zh-hans"):
        book = Book()
        sheet = book.sheet("需求", NEEDS)
        for n in needs:
            sheet.row(
                [
                    n.pk,
                    n.text,
                    n.category.name_zh if n.category else "",
                    n.get_category_by_display(),
                    n.union.name if n.union else n.park.name if n.park else n.federation.name,
                    n.author.display_name if n.author else "",
                    "是" if n.anonymous else "",
                    n.support_count,
                    n.get_status_display(),
                    n.get_source_display(),
                    moment_text(n.created_at),
                ]
            )
        return book.bytes()


def survey_xlsx(survey: Survey) -> bytes:
    with translation.override("zh-hans"):
        return _survey_xlsx(survey)


def _survey_xlsx(survey: Survey) -> bytes:
    book = Book()
    sheet = book.sheet(
        "回收情况",
        [
            Column("基层工会", 36),
            Column("回收份数", 12),
            Column("应答基数", 12),
            Column("回收率", 12, PERCENT),
        ],
    )
    for r in selectors.invite_rates(survey):
        sheet.row([r.invite.union.name, r.responses, r.denominator, r.rate])

    sheet = book.sheet(
        "汇总",
        [
            Column("题号", 6),
            Column("题目", 40),
            Column("题型", 14),
            Column("选项/类别", 28),
            Column("计数/得分", 12),
            Column("作答人数", 10),
            Column("平均分", 10),
        ],
    )
    for n, result in enumerate(selectors.survey_results(survey), start=1):
        q = result.question
        kind = q.get_kind_display()
        if q.kind == Question.Kind.TEXT:
            sheet.row([n, q.text, kind, "", "", result.answered, ""])
            for text, count in result.texts:
                sheet.row(["", "", "", text, count, "", ""])
            continue
        for i, (label, value) in enumerate(zip(result.labels, result.values, strict=True)):
            sheet.row(
                [
                    n if i == 0 else "",
                    q.text if i == 0 else "",
                    kind if i == 0 else "",
                    label,
                    value,
                    result.answered if i == 0 else "",
                    result.mean if i == 0 and result.mean is not None else "",
                ]
            )

    questions = list(survey.questions.all())
    names = dict(Category.objects.values_list("code", "name_zh"))
    sheet = book.sheet(
        "原始答卷",
        [
            Column("序号", 6),
            Column("基层工会", 36),
            Column("来源", 10),
            Column("提交时间", 18),
            *[Column(f"{i}. {q.text}", 24) for i, q in enumerate(questions, start=1)],
        ],
    )
    for n, response in enumerate(selectors.responses_for_export(survey), start=1):
        values = {a.question_id: a.value for a in response.answers.all()}
        sheet.row(
            [
                n,
                response.invite.union.name,
                response.get_source_display(),
                moment_text(response.created_at),
                *[_answer_text(q, values.get(q.pk), names) for q in questions],
            ]
        )
    return book.bytes()
