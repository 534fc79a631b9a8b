"""xlsx exports (Chinese headers, openpyxl): survey results and the demand ranking."""

from __future__ import annotations

import io

from django.utils import timezone, translation
from openpyxl import Workbook

from dajia.core.xlsx import write_header
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


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ranking_xlsx(rows: list[selectors.DemandRow], scope: str) -> bytes:
    """The demand ranking as shown on the page, with its rule."""
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = "需求热度"
        write_header(
            ws, ["排名", "服务类别", "需求条数", "附议人数", "问卷得分", "需求热度"], [8, 16, 10, 10, 10, 10]
        )
        for r in rows:
            ws.append(
                [
                    r.rank,
                    r.category.name_zh,
                    r.needs,
                    r.supports,
                    round(float(r.survey), 2),
                    round(float(r.score), 2),
                ]
            )
        ws.append([])
        ws.append([f"范围：{scope}"])
        ws.append(
            [
                "规则：需求热度 = 需求条数 + 附议人数 + 问卷得分；问卷排序题中排第 i 位（共 k 位）得 (k − i + 1) / k 分。"
            ]
        )
        return _save(wb)


def needs_xlsx(needs) -> bytes:
    """The office's list of needs (who raised them included: the office's own export)."""
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = "需求"
        write_header(
            ws,
            [
                "编号",
                "需求内容",
                "服务类别",
                "类别确定方式",
                "来自",
                "提出人",
                "对外匿名",
                "附议人数",
                "状态",
                "来源",
                "提出时间",
            ],
            [8, 50, 14, 14, 30, 12, 10, 10, 10, 12, 18],
        )
        for n in needs:
            ws.append(
                [
                    n.pk,
                    n.text,
                    n.category.name_zh if n.category else "",
                    str(n.get_category_by_display()),
                    n.union.name if n.union else n.park.name if n.park else n.federation.name,
                    n.author.display_name if n.author else "",
                    "是" if n.anonymous else "",
                    n.support_count,
                    str(n.get_status_display()),
                    str(n.get_source_display()),
                    timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M"),
                ]
            )
        return _save(wb)


def survey_xlsx(survey: Survey) -> bytes:
    with translation.override("zh-hans"):
        return _survey_xlsx(survey)


def _survey_xlsx(survey: Survey) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "回收情况"
    write_header(ws, ["基层工会", "回收份数", "应答基数", "回收率"], [36, 12, 12, 12])
    for r in selectors.invite_rates(survey):
        ws.append([r.invite.union.name, r.responses, r.denominator, r.rate])
        ws.cell(row=ws.max_row, column=4).number_format = "0.0%"

    ws = wb.create_sheet("汇总")
    write_header(
        ws,
        ["题号", "题目", "题型", "选项/类别", "计数/得分", "作答人数", "平均分"],
        [6, 40, 14, 28, 12, 10, 10],
    )
    for n, result in enumerate(selectors.survey_results(survey), start=1):
        q = result.question
        kind = str(q.get_kind_display())
        if q.kind == Question.Kind.TEXT:
            ws.append([n, q.text, kind, "", "", result.answered, ""])
            for text, count in result.texts:
                ws.append(["", "", "", text, count, "", ""])
            continue
        for i, (label, value) in enumerate(zip(result.labels, result.values, strict=True)):
            ws.append(
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

    ws = wb.create_sheet("原始答卷")
    questions = list(survey.questions.all())
    names = dict(Category.objects.values_list("code", "name_zh"))
    write_header(
        ws,
        [
            "序号",
            "基层工会",
            "来源",
            "提交时间",
            *[f"{i}. {q.text}" for i, q in enumerate(questions, start=1)],
        ],
        [6, 36, 10, 18, *([24] * len(questions))],
    )
    for n, response in enumerate(selectors.responses_for_export(survey), start=1):
        values = {a.question_id: a.value for a in response.answers.all()}
        ws.append(
            [
                n,
                response.invite.union.name,
                str(response.get_source_display()),
                timezone.localtime(response.created_at).strftime("%Y-%m-%d %H:%M"),
                *[_answer_text(q, values.get(q.pk), names) for q in questions],
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
